"""Desktop notifications through the freedesktop notification service, via ``notify-send``.

A missed notification must never stop the voice station, so every failure (no
``notify-send`` binary, no session bus, no notification daemon, a hang) is logged once
and reported as ``False``. The command runner is injectable so tests need no desktop.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Sequence

__all__ = ["NOTIFY_SEND", "DesktopNotifier", "Runner", "notify_send_command", "run_command"]

log = logging.getLogger(__name__)

NOTIFY_SEND = "notify-send"
APP_NAME = "Confide"
ICON = "user-available"  # a freedesktop standard icon name; themes that lack it show none

Runner = Callable[[Sequence[str], float], tuple[int, str]]
"""Run a command with a timeout; return (exit status, error text). May raise OSError."""


def run_command(command: Sequence[str], timeout_s: float) -> tuple[int, str]:
    """The real runner: ``subprocess.run`` without a shell, output captured."""
    done = subprocess.run(
        list(command), capture_output=True, text=True, timeout=timeout_s, check=False
    )
    return done.returncode, (done.stderr or "").strip()


def notify_send_command(program: str, title: str, body: str, *, urgency: str = "normal",
                        expire_ms: int = 0) -> list[str]:
    """The argument list; ``--`` keeps a title or body that starts with '-' from being an option."""
    command = [program, f"--app-name={APP_NAME}", f"--urgency={urgency}", f"--icon={ICON}"]
    if expire_ms > 0:
        command.append(f"--expire-time={expire_ms}")
    return [*command, "--", title, body]


class DesktopNotifier:
    """Callable ``(title, body) -> bool`` that shows a desktop notification if it can."""

    def __init__(self, *, runner: Runner | None = None,
                 which: Callable[[str], str | None] = shutil.which,
                 timeout_s: float = 5.0, urgency: str = "normal") -> None:
        self._runner = runner or run_command
        self._which = which
        self._timeout_s = timeout_s
        self._urgency = urgency
        self._warned = False

    def _quietly(self, message: str, *args: object) -> None:
        """Log the first failure as a warning and later ones at debug, so logs stay readable."""
        if self._warned:
            log.debug(message, *args)
        else:
            log.warning(message, *args)
            self._warned = True

    def __call__(self, title: str, body: str) -> bool:
        program = self._which(NOTIFY_SEND)
        if program is None:
            self._quietly("no desktop notification: %s is not installed (install libnotify-bin)",
                          NOTIFY_SEND)
            return False
        command = notify_send_command(program, title, body, urgency=self._urgency)
        try:
            status, error = self._runner(command, self._timeout_s)
        except subprocess.TimeoutExpired:
            self._quietly("no desktop notification: %s did not answer within %.0f s",
                          NOTIFY_SEND, self._timeout_s)
            return False
        except OSError as exc:
            self._quietly("no desktop notification: could not run %s (%s)", NOTIFY_SEND, exc)
            return False
        if status != 0:
            self._quietly("no desktop notification service answered (%s exit %d: %s)",
                          NOTIFY_SEND, status, error or "no message")
            return False
        log.info("desktop notification shown: %s", title)
        return True
