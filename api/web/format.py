"""How the pages write times, durations and notices: plain words a screen reader speaks well.

Pure functions (no clock, no database), used as Jinja filters. Times are shown in the
person's own time zone; durations are written out ("1 minute 4 seconds") where they are
read as prose and as a clock ("1:04") beside transcript lines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["NOTICES", "clock", "day", "duration_words", "excerpt", "iso", "notice", "when"]

NOTICES: dict[str, str] = {
    "answered": "Your answer was added to the thread.",
    "written": "Your entry was saved.",
    "shared": "The entry is now shared with your partner.",
    "unshared": "The entry is private again; your partner no longer sees it.",
    "mutual": "Your answer was saved.",
    "goal": "The goal was added.",
    "goal-status": "The goal was updated.",
    "checkin": "Your check-in was saved.",
    "settings": "Your settings were saved.",
    "reminder": "The reminder was added.",
    "reminder-removed": "The reminder was removed.",
    "reminder-updated": "The reminder was updated.",
    "signed-out": "You are signed out.",
}
"""Messages shown after a form post redirects (PRG); only these keys, never echoed text."""


def notice(key: str | None) -> str | None:
    return NOTICES.get(key or "")


def clock(seconds: float | None) -> str:
    """``4.2`` → ``0:04``; ``3725`` → ``1:02:05``."""
    total = max(0, int(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def duration_words(seconds: float | None) -> str:
    """``64`` → ``1 minute 4 seconds``: how a duration is read out, not squinted at."""
    total = max(0, round(seconds or 0))
    minutes, secs = divmod(total, 60)
    if not minutes:
        return _plural(secs, "second")
    return _plural(minutes, "minute") + (f" {_plural(secs, 'second')}" if secs else "")


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(moment: datetime, zone: str | None = None) -> str:
    """``Tuesday 4 March 2025, 20:15`` in the person's time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(_zone(zone))
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


def day(value: date) -> str:
    """``Mon 3 Mar``: short, for table rows and chart labels."""
    return f"{value:%a} {value.day} {value:%b}"


def iso(moment: datetime) -> str:
    """The machine-readable form for ``<time datetime>``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


def excerpt(text: str, limit: int = 220) -> str:
    """The start of a transcript, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
