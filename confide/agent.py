"""The unlock agent: keeps a person's journal unlocked for one terminal session, as ssh-agent
keeps keys, so commands do not ask for the passphrase again and again.

``confide unlock`` checks the passphrase, starts this agent as a separate process and prints
``CONFIDE_AGENT=<socket>`` for the shell to export (``eval "$(confide unlock --as Alex)"``).
The agent holds the opened secret in memory only and answers on a Unix socket in a private
folder (0700, socket 0600) to processes of the same user (checked with SO_PEERCRED). It ends
after ``--minutes`` without use, at ``confide lock``, or when killed; nothing is written.
Only a shell that has the variable finds it: a partner's own terminal does not.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["ask_agent", "lock_agent", "serve_agent", "start_agent"]

ENV = "CONFIDE_AGENT"
_MAX_REQUEST = 4096


def _runtime_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(tempfile.mkdtemp(prefix="confide-agent-", dir=base))
    folder.chmod(0o700)
    return folder


def start_agent(name: str, secret: bytes, minutes: float) -> Path:
    """Start the agent process holding ``secret``; returns its socket once it listens."""
    import subprocess

    sock = _runtime_dir() / "agent.sock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "confide.agent", str(sock), name, str(minutes)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)  # outlives this command, not the login session
    assert proc.stdin is not None
    proc.stdin.write(secret.hex().encode() + b"\n")
    proc.stdin.close()
    started = proc.wait(10) == 0  # it forks the agent and returns
    deadline = time.monotonic() + 10
    while started and not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not sock.exists():
        raise RuntimeError("the unlock agent did not start")
    return sock


def _request(path: str, message: dict[str, object]) -> dict[str, object]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        conn.connect(path)
        conn.sendall(json.dumps(message).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    answer: dict[str, object] = json.loads(data or b"{}")
    return answer


def ask_agent(name: str) -> bytes | None:
    """The person's secret from this terminal session's agent, if one holds it."""
    path = os.environ.get(ENV)
    if not path:
        return None
    try:
        answer = _request(path, {"name": " ".join(name.split()).lower()})
    except (OSError, ValueError):
        return None
    secret = answer.get("secret")
    return bytes.fromhex(secret) if isinstance(secret, str) else None


def lock_agent() -> bool:
    """Tell this session's agent to forget the secret and end; False if none was running."""
    path = os.environ.get(ENV)
    if not path:
        return False
    try:
        _request(path, {"lock": True})
    except (OSError, ValueError):
        return False
    return True


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def serve_agent(path: Path, name: str, secret: bytes, idle_s: float) -> None:
    """Answer requests until idle for ``idle_s``, or told to lock."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        server.bind(str(path))
    finally:
        os.umask(old_mask)
    server.listen(4)
    server.settimeout(1.0)
    last_use = time.monotonic()
    try:
        while time.monotonic() - last_use < idle_s:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                if _peer_uid(conn) != os.getuid():
                    continue
                conn.settimeout(5)
                try:
                    request = json.loads(conn.recv(_MAX_REQUEST) or b"{}")
                except (OSError, ValueError):
                    continue
                if request.get("lock"):
                    conn.sendall(b'{"locked": true}\n')
                    return
                last_use = time.monotonic()
                mine = request.get("name") == " ".join(name.split()).lower()
                reply = {"secret": secret.hex()} if mine else {}
                conn.sendall(json.dumps(reply).encode() + b"\n")
    finally:
        server.close()
        path.unlink(missing_ok=True)
        path.parent.rmdir()


def main() -> None:
    path, name, minutes = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    secret = bytes.fromhex(sys.stdin.readline().strip())
    if os.fork() > 0:  # the starter waits for this process only; the agent lives on
        os._exit(0)
    serve_agent(path, name, secret, minutes * 60)


if __name__ == "__main__":
    main()
