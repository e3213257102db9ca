"""Dates as people type them in the terminal ("last monday", "march 2024"), read in the
person's own time zone: `confide entries list --from/--to` and `confide export`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["MSG_BAD_DATE", "parse_when"]

MSG_BAD_DATE = "Cannot read the date {text!r}: try 2024-03-05, yesterday or last monday."


def parse_when(text: str, zone: str, *, end: bool = False,
               now: datetime | None = None) -> datetime:
    """A date in everyday words ("yesterday", "last monday", "2024-03-05", "march 2024") in
    the person's zone, as UTC. A day, month or year means all of it: its start for
    ``--from``, the start of the next for ``--to`` (``end``), which is exclusive."""
    from dateparser.date import DateDataParser

    from confide.models.errors import InvalidInput

    settings: dict[str, Any] = {"TIMEZONE": zone, "RETURN_AS_TIMEZONE_AWARE": True,
                                "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
        settings["TIMEZONE"] = "UTC"
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(tz).replace(tzinfo=None)
    found = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if found is None or found.date_obj is None:
        raise InvalidInput(MSG_BAD_DATE.format(text=text))
    moment: datetime = found.date_obj.astimezone(tz)
    period = found.period or "day"
    if period == "time":
        return moment.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        start = day.replace(day=1)
        stop = (start + timedelta(days=32)).replace(day=1)
    elif period == "year":
        start = day.replace(month=1, day=1)
        stop = start.replace(year=start.year + 1)
    else:
        start = day
        stop = (day + timedelta(days=1, hours=2)).replace(hour=0)  # a 23- or 25-hour day
    chosen = stop if end else start
    return datetime.combine(chosen.date(), chosen.time(), tzinfo=tz).astimezone(UTC)
