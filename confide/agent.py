"""The unlock agent: keeps a person's journal unlocked for one terminal session, as ssh-agent
keeps keys, so commands do not ask for the passphrase again and again.

``confide unlock`` checks the passphrase, starts this agent as a separate process and prints
``CONFIDE_AGENT=<socket>`` for the shell to export (``eval "$(confide unlock --as Alex)"``).
The agent holds the opened secret in memory only and answers on a Unix socket in a private
folder (0700, socket 0600) to processes of the same user (checked with SO_PEERCRED). It ends
after ``--minutes`` without use, at ``confide lock``, or when killed; the secret is never
written anywhere. Only a shell that has the variable finds it: a partner's own terminal
does not.

It also answers `confide entries search` itself, with the journal code loaded and the
database open (confide/cli_entries_search.py): what a process that can ask for the secret
could do with it anyway, in a fraction of the time.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from confide.models.errors import Unavailable

__all__ = ["ask_agent", "lock_agent", "search_by_agent", "serve_agent", "setting_env",
           "start_agent"]

ENV = "CONFIDE_AGENT"
_MAX_REQUEST = 65536
_SETTING_VARS = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")


def setting_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment that decides which journal a command opens (``CONFIDE_*`` and where
    the platform folders are), without the agent's own variable."""
    return {k: v for k, v in environ.items()
            if (k.startswith("CONFIDE_") and k != ENV) or k in _SETTING_VARS}


def _runtime_dir() -> Path:
    import tempfile

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
        raise Unavailable("The unlock agent did not start.")
    return sock


def _request(path: str, message: dict[str, object]) -> dict[str, object]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        conn.connect(path)
        conn.sendall(json.dumps(message).encode() + b"\n")
        chunks: list[bytes] = []
        while not chunks or not chunks[-1].endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    answer: dict[str, object] = json.loads(b"".join(chunks) or b"{}")
    return answer


def _read_request(conn: socket.socket) -> bytes:
    """One request line, at most ``_MAX_REQUEST`` bytes."""
    data = b""
    while not data.endswith(b"\n") and len(data) < _MAX_REQUEST:
        chunk = conn.recv(_MAX_REQUEST - len(data))
        if not chunk:
            break
        data += chunk
    return data


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


def search_by_agent(request: dict[str, object]) -> dict[str, object] | None:
    """Ask this session's agent to answer `confide entries search` itself (see
    confide/cli_entries_search.py); None if there is no agent to ask."""
    path = os.environ.get(ENV)
    if not path:
        return None
    try:
        return _request(path, {"search": request})
    except (OSError, ValueError):
        return None


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
    threading.Thread(target=_warm_up, args=(name, secret), daemon=True).start()
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
                    request = json.loads(_read_request(conn) or b"{}")
                    if not isinstance(request, dict):
                        continue
                    if request.get("lock"):
                        conn.sendall(b'{"locked": true}\n')
                        return
                    last_use = time.monotonic()
                    if isinstance(request.get("search"), dict):
                        reply = _search(request["search"], name, secret)
                    else:
                        mine = request.get("name") == " ".join(name.split()).lower()
                        reply = {"secret": secret.hex()} if mine else {}
                    conn.sendall(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
                except (OSError, ValueError):
                    continue
    finally:
        server.close()
        path.unlink(missing_ok=True)
        path.parent.rmdir()


def _search(request: dict[str, object], name: str, secret: bytes) -> dict[str, object]:
    from confide.cli_entries_search import answer_search

    return answer_search(request, name, secret)


def _warm_up(name: str, secret: bytes) -> None:
    """Beside answering: load the search code and open the database, so that the first
    search typed is as quick as the next (a failure here only means the full command
    answers)."""
    try:
        from confide.cli_entries_search import warm_up

        warm_up(name, secret)
    except Exception:  # noqa: S110  (the agent keeps serving the key whatever happens)
        pass


def main() -> None:
    path, name, minutes = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    secret = bytes.fromhex(sys.stdin.readline().strip())
    if os.fork() > 0:  # the starter waits for this process only; the agent lives on
        os._exit(0)
    serve_agent(path, name, secret, minutes * 60)


if __name__ == "__main__":
    main()
