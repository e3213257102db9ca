"""Reminder schedules as pure functions: when does a weekly rule fire next, in real time?

A rule is "these weekdays at HH:MM in this time zone". Local times are turned into UTC
instants with zoneinfo, so a reminder follows its person's clock through daylight saving:

* a local time that does not exist (spring forward, e.g. 02:30 on the night clocks jump
  from 02:00 to 03:00) fires at the first valid instant after it — the moment of the jump;
* a local time that happens twice (fall back) fires once, at its first occurrence.

A snooze moves one occurrence: ``skip_occurrence`` names the regular occurrence that was
put off and ``snoozed_until`` when it fires instead; every later occurrence is unchanged.
Nothing here reads a clock or a database — "now" is always an argument — so the rules are
tested with parametrized facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confide.models.errors import InvalidInput

__all__ = [
    "DAY_NAMES",
    "RECENT_OCCURRENCE",
    "ReminderRule",
    "Snooze",
    "check_timezone",
    "fires_between",
    "local_instant",
    "next_fire",
    "occurrences",
    "parse_days",
    "parse_local_time",
    "previous_occurrence",
    "rule_days_text",
    "snooze",
]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RECENT_OCCURRENCE = timedelta(hours=1)
"""A snooze without a named occurrence puts off one that fired at most this long ago."""

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_DAY_WORDS: dict[str, tuple[int, ...]] = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
}


def parse_local_time(text: str) -> time:
    """``"20:00"`` or ``"8:05"`` as a time; InvalidInput with a readable reason otherwise."""
    match = _TIME.match(text)
    if match is None:
        raise InvalidInput(f"The time {text!r} is not a clock time; use HH:MM, like 20:00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidInput(f"The time {text!r} is not a clock time; use HH:MM, like 20:00.")
    return time(hour, minute)


def check_timezone(name: str) -> ZoneInfo:
    """The zone called ``name``; InvalidInput for a name zoneinfo does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise InvalidInput(
            f"Unknown time zone {name!r}; use a name like 'Europe/Berlin'."
        ) from exc


def _check_days(days: Iterable[int]) -> tuple[int, ...]:
    cleaned: set[int] = set()
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise InvalidInput("Days are numbers from 0 (Monday) to 6 (Sunday).")
        cleaned.add(day)
    return tuple(sorted(cleaned))


def parse_days(text: str) -> list[int]:
    """``"mon,wed"``, ``"Monday Friday"``, ``"weekdays"``, ``"daily"`` as weekday numbers."""
    found: set[int] = set()
    for raw in re.split(r"[\s,;]+", text.strip().lower()):
        if not raw:
            continue
        if raw in _DAY_WORDS:
            found.update(_DAY_WORDS[raw])
            continue
        matches = [i for i, name in enumerate(DAY_NAMES)
                   if len(raw) >= 2 and name.lower().startswith(raw)]
        if len(matches) != 1:
            raise InvalidInput(
                f"{raw!r} is not a day; use names like mon,wed,fri, or weekdays, weekends, daily."
            )
        found.add(matches[0])
    if not found:
        raise InvalidInput("Name at least one day, like mon,wed,fri or daily.")
    return sorted(found)


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """A weekly rule: weekdays (0=Monday..6=Sunday) at a local time in an IANA time zone."""

    days: tuple[int, ...]
    local_time: str
    timezone: str
    enabled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", _check_days(self.days))
        parse_local_time(self.local_time)
        check_timezone(self.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def at(self) -> time:
        return parse_local_time(self.local_time)


@dataclass(frozen=True, slots=True)
class Snooze:
    """The two facts a reminder keeps to move one occurrence."""

    skip_occurrence: datetime
    snoozed_until: datetime


def _aware_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant a wall-clock time on ``day`` means in ``zone`` (see module rules)."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return utc  # exists; fold=0 is the first of two when ambiguous
    # In a gap: fold=0 reads the wall time with the offset from before the jump (landing
    # after the gap), fold=1 with the offset after it (landing before). The jump itself
    # lies between; find the first second that has the new offset.
    late = utc
    early = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early > late:
        early, late = late, early
    after = late.astimezone(zone).utcoffset()
    lo, hi = 0, int((late - early).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if (early + timedelta(seconds=mid)).astimezone(zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid + 1
    return early + timedelta(seconds=lo)


def _regular(rule: ReminderRule, after: datetime, until: datetime) -> list[datetime]:
    """Regular occurrences in [after, until), ignoring ``enabled``."""
    if not rule.days or until <= after:
        return []
    zone, at = rule.zone, rule.at
    first_day = after.astimezone(zone).date() - timedelta(days=1)
    last_day = until.astimezone(zone).date() + timedelta(days=1)
    found: list[datetime] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in rule.days:
            moment = local_instant(day, at, zone)
            if after <= moment < until:
                found.append(moment)
        day += timedelta(days=1)
    return found


def occurrences(rule: ReminderRule, start: datetime, end: datetime) -> list[datetime]:
    """Regular occurrences of an enabled rule with ``start <= t < end``, as aware UTC."""
    if not rule.enabled:
        return []
    return _regular(rule, _aware_utc(start, "start"), _aware_utc(end, "end"))


def fires_between(rule: ReminderRule, after: datetime, until: datetime, *,
                  snoozed_until: datetime | None = None,
                  skip_occurrence: datetime | None = None) -> list[datetime]:
    """Every moment the reminder fires with ``after < t <= until`` (a snooze included)."""
    if not rule.enabled:
        return []
    lo = _aware_utc(after, "after") + timedelta(microseconds=1)
    hi = _aware_utc(until, "until") + timedelta(microseconds=1)
    skip = _aware_utc(skip_occurrence, "skip_occurrence") if skip_occurrence else None
    fired = [t for t in _regular(rule, lo, hi) if t != skip]
    if snoozed_until is not None and lo <= _aware_utc(snoozed_until, "snoozed_until") < hi:
        fired.append(_aware_utc(snoozed_until, "snoozed_until"))
    return sorted(set(fired))


def next_fire(rule: ReminderRule, now: datetime, *, snoozed_until: datetime | None = None,
              skip_occurrence: datetime | None = None) -> datetime | None:
    """The first moment strictly after ``now`` that the reminder fires, as aware UTC.

    None for a paused rule or one without days: it never fires.
    """
    if not rule.enabled or not rule.days:
        return None
    now = _aware_utc(now, "now")
    skip = _aware_utc(skip_occurrence, "skip_occurrence") if skip_occurrence else None
    horizon = now + timedelta(days=9)  # a weekly rule fires within 8 days, whatever DST does
    regular = next(
        (t for t in _regular(rule, now + timedelta(microseconds=1), horizon) if t != skip),
        None,
    )
    candidates = [t for t in (regular,) if t is not None]
    if snoozed_until is not None and _aware_utc(snoozed_until, "snoozed_until") > now:
        candidates.append(_aware_utc(snoozed_until, "snoozed_until"))
    return min(candidates) if candidates else None


def previous_occurrence(rule: ReminderRule, now: datetime) -> datetime | None:
    """The latest regular occurrence at or before ``now`` (within the last 8 days)."""
    now = _aware_utc(now, "now")
    found = _regular(rule, now - timedelta(days=9), now + timedelta(microseconds=1))
    return found[-1] if found else None


def snooze(rule: ReminderRule, now: datetime, minutes: float, *,
           occurrence: datetime | None = None, snoozed_until: datetime | None = None,
           skip_occurrence: datetime | None = None) -> Snooze | None:
    """Put off one occurrence by ``minutes``; the next regular one stays where it was.

    ``occurrence`` is the one being put off (the station knows which it just spoke). Without
    it: a pending snooze is moved again, else one that fired within RECENT_OCCURRENCE,
    else the next one to come. The new time is ``minutes`` after the later of now and that
    occurrence. None when the rule never fires (paused, or no days).
    """
    if not rule.enabled or not rule.days:
        return None
    if minutes <= 0:
        raise InvalidInput("A snooze needs a positive number of minutes.")
    now = _aware_utc(now, "now")
    pending = _aware_utc(snoozed_until, "snoozed_until") if snoozed_until else None
    skip = _aware_utc(skip_occurrence, "skip_occurrence") if skip_occurrence else None
    if occurrence is None:
        if pending is not None and pending > now:
            occurrence = pending
        else:
            recent = previous_occurrence(rule, now)
            if recent is not None and recent != skip and now - recent <= RECENT_OCCURRENCE:
                occurrence = recent
            else:
                occurrence = next_fire(rule, now, snoozed_until=pending, skip_occurrence=skip)
        if occurrence is None:
            return None
    occurrence = _aware_utc(occurrence, "occurrence")
    # Re-snoozing a snoozed occurrence keeps the regular one it replaced skipped.
    original = skip if pending is not None and occurrence == pending and skip else occurrence
    return Snooze(original, max(now, occurrence) + timedelta(minutes=minutes))


def rule_days_text(days: Sequence[int]) -> str:
    """``"Mon, Wed"`` for display in tables and calendars."""
    return ", ".join(DAY_NAMES[d][:3] for d in sorted(days))
