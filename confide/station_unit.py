"""The systemd --user unit that keeps the voice station running, and its installer.

The station belongs to the person's own login session (their sound server and desktop
notifications live there), so it is a user unit, not a system service. Installing only
writes the file and reloads systemd when it is there; enabling stays the person's choice.
Under systemd there is no terminal to ask the passphrase, so the station runs locked: replies
are recorded and sealed as always, and nothing sealed is read aloud until an unlock.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "UNIT_NAME",
    "confide_command",
    "default_unit_path",
    "install_unit",
    "unit_text",
]

log = logging.getLogger(__name__)

UNIT_NAME = "confide-station.service"
ENABLE_HINT = (
    "Wrote {path}.\n"
    "Start it now and at every login with:\n"
    "  systemctl --user enable --now {unit}\n"
    "Follow what it says with:\n"
    "  journalctl --user -u {unit} -f"
)
NO_SYSTEMCTL_HINT = (
    "systemctl was not found, so nothing was reloaded; on a machine with systemd run:\n"
    "  systemctl --user daemon-reload && systemctl --user enable --now {unit}"
)

_TEMPLATE = """\
[Unit]
Description=Confide voice station (spoken journaling reminders)
After=pipewire-pulse.service pulseaudio.service graphical-session.target

[Service]
Type=simple
ExecStart={exec_start}
Restart=on-failure
RestartSec=10
Environment=PYTHONUNBUFFERED=1
# What is said and heard is printed for a person at a terminal; it must not reach the journal.
StandardOutput=null

[Install]
WantedBy=default.target
"""


def _quote(arg: str) -> str:
    """One ExecStart word, quoted the way systemd reads it (and '%' kept literal)."""
    escaped = arg.replace("%", "%%")
    if escaped and not any(ch in escaped for ch in ' \t"\'\\;$'):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def confide_command() -> list[str]:
    """The absolute command that starts this installation of ``confide``.

    The script beside the running interpreter comes first (the virtual environment this
    copy lives in), then ``confide`` on PATH, then the interpreter running the CLI module.
    """
    beside = Path(sys.executable).parent / "confide"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    found = shutil.which("confide")
    if found:
        return [str(Path(found).absolute())]
    return [sys.executable, "-c", "from confide.cli import main; main()"]


def unit_text(command: Sequence[str] | None = None, extra_args: Sequence[str] = ()) -> str:
    """The unit file: ExecStart runs ``confide station`` (plus ``extra_args``, e.g. --as)."""
    words = [*(command if command is not None else confide_command()), "station", *extra_args]
    return _TEMPLATE.format(exec_start=" ".join(_quote(w) for w in words))


def default_unit_path() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user/confide-station.service`` (~/.config by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user" / UNIT_NAME


def _systemctl_reload(systemctl: str) -> None:
    try:
        done = subprocess.run(
            [systemctl, "--user", "daemon-reload"], capture_output=True, text=True,
            timeout=15, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("systemctl --user daemon-reload did not run: %s", exc)
        return
    if done.returncode != 0:
        log.warning("systemctl --user daemon-reload failed: %s", done.stderr.strip())


def install_unit(path: Path | None = None, *, command: Sequence[str] | None = None,
                 extra_args: Sequence[str] = (),
                 which: Callable[[str], str | None] = shutil.which,
                 reload: Callable[[str], None] = _systemctl_reload,
                 echo: Callable[[str], None] = print) -> Path:
    """Write the unit file, reload systemd if it is there, and say how to enable it."""
    target = path if path is not None else default_unit_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(unit_text(command, extra_args), encoding="utf-8")
    tmp.replace(target)
    log.info("wrote %s", target)
    systemctl = which("systemctl")
    if systemctl is None:
        echo(ENABLE_HINT.format(path=target, unit=UNIT_NAME))
        echo(NO_SYSTEMCTL_HINT.format(unit=UNIT_NAME))
        return target
    reload(systemctl)
    echo(ENABLE_HINT.format(path=target, unit=UNIT_NAME))
    return target
