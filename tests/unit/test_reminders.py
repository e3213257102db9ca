"""Stored reminders: validation, privacy, snoozing, what is due, and the iCalendar export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.rrule import rrulestr  # type: ignore[import-untyped,unused-ignore]

from confide.models.accounts import Preferences, update_preferences
from confide.models.errors import Conflict, InvalidInput, NotFound
from confide.models.reminders import (
    create_reminder,
    delete_reminder,
    due_reminders,
    get_reminder,
    list_reminders,
    next_fire_of,
    reminders_ics,
    snooze_reminder,
    update_reminder,
)

pytestmark = pytest.mark.unit


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _expand(event: Any, start: datetime, end: datetime) -> list[datetime]:
    """Occurrences of an event's RRULE between start and end, as dateutil reads the file."""
    dtstart = event["DTSTART"].dt
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=dtstart)
    return [t.astimezone(UTC) for t in rule.between(start, end, inc=True)]


def test_create_defaults_to_the_persons_time_zone(session, cast):
    update_preferences(session, cast.alex, Preferences(timezone="Europe/Berlin"))
    reminder = create_reminder(session, cast.alex, [2, 0, 2], "8:30")
    assert reminder.timezone == "Europe/Berlin"
    assert reminder.days == [0, 2]
    assert reminder.local_time == "08:30"
    assert reminder.kind == "reflection"
    assert reminder.enabled


@pytest.mark.parametrize(
    ("days", "at", "tz", "kind", "message"),
    [
        ([], "20:00", None, "reflection", "at least one day"),
        ([7], "20:00", None, "reflection", "0 \\(Monday\\)"),
        ([True], "20:00", None, "reflection", "0 \\(Monday\\)"),
        ([1], "25:00", None, "reflection", "HH:MM"),
        ([1], "20:00", "Nowhere/Land", "reflection", "Unknown time zone"),
        ([1], "20:00", None, "nagging", "kind"),
    ],
)
def test_create_refuses_bad_input_and_stores_nothing(session, cast, days, at, tz, kind, message):
    with pytest.raises(InvalidInput, match=message):
        create_reminder(session, cast.alex, days, at, tz, kind)
    assert list_reminders(session, cast.alex) == []


def test_only_the_owner_sees_or_changes_a_reminder(session, cast):
    mine = create_reminder(session, cast.alex, [0], "20:00")
    assert mine.id is not None
    for other in (cast.sam, cast.olive):  # the partner too: reminders are personal
        assert list_reminders(session, other) == []
        with pytest.raises(NotFound):
            get_reminder(session, other, mine.id)
        with pytest.raises(NotFound):
            update_reminder(session, other, mine.id, enabled=False)
        with pytest.raises(NotFound):
            snooze_reminder(session, other, mine.id, 10, utc(2025, 1, 1))
        with pytest.raises(NotFound):
            delete_reminder(session, other, mine.id)
        assert b"BEGIN:VEVENT" not in reminders_ics(session, other)
    assert get_reminder(session, cast.alex, mine.id).enabled
    with pytest.raises(NotFound):
        get_reminder(session, cast.alex, 999_999)


def test_update_validates_everything_before_changing_anything(session, cast):
    r = create_reminder(session, cast.alex, [0], "20:00", "UTC")
    assert r.id is not None
    with pytest.raises(InvalidInput):
        update_reminder(session, cast.alex, r.id, days=[1], local_time="99:99")
    assert r.days == [0]
    updated = update_reminder(session, cast.alex, r.id, days=[4], local_time="07:15",
                              timezone="Asia/Kolkata", kind="goal_checkin")
    assert (updated.days, updated.local_time, updated.timezone, updated.kind) == (
        [4], "07:15", "Asia/Kolkata", "goal_checkin")


def test_paused_reminder_is_never_due_and_cannot_be_snoozed(session, cast):
    r = create_reminder(session, cast.alex, [0, 1, 2, 3, 4, 5, 6], "20:00", "UTC")
    assert r.id is not None
    update_reminder(session, cast.alex, r.id, enabled=False)
    assert due_reminders(session, utc(2025, 6, 2, 20), since=utc(2025, 5, 1)) == []
    assert next_fire_of(r, utc(2025, 6, 2)) is None
    with pytest.raises(Conflict):
        snooze_reminder(session, cast.alex, r.id, 10, utc(2025, 6, 2, 20))
    update_reminder(session, cast.alex, r.id, enabled=True)
    assert next_fire_of(r, utc(2025, 6, 2)) == utc(2025, 6, 2, 20)


def test_due_reminders_hands_out_each_occurrence_once(session, cast):
    alex = create_reminder(session, cast.alex, [0], "20:00", "Europe/Berlin")  # 18:00 UTC
    create_reminder(session, cast.olive, [0], "19:00", "UTC")
    monday = utc(2025, 6, 2, 18)
    due = due_reminders(session, monday + timedelta(seconds=5), since=monday - timedelta(minutes=1))
    assert [(r.id, at) for r, at in due] == [(alex.id, monday)]
    assert due_reminders(session, monday + timedelta(minutes=1),
                         since=monday + timedelta(seconds=5)) == []
    both = due_reminders(session, utc(2025, 6, 2, 19), since=utc(2025, 6, 2, 17))
    assert len(both) == 2
    only_olive = due_reminders(session, utc(2025, 6, 2, 19), since=utc(2025, 6, 2, 17),
                               person=cast.olive)
    assert [r.person_id for r, _ in only_olive] == [cast.olive.id]


def test_snooze_moves_one_occurrence_and_is_due_then(session, cast):
    r = create_reminder(session, cast.alex, [0, 1, 2, 3, 4, 5, 6], "20:00", "UTC")
    assert r.id is not None
    fired = utc(2025, 6, 2, 20)
    snooze_reminder(session, cast.alex, r.id, 15, fired + timedelta(seconds=20), occurrence=fired)
    assert r.snoozed_until == utc(2025, 6, 2, 20, 15, 20)
    due = due_reminders(session, utc(2025, 6, 2, 20, 16), since=fired + timedelta(seconds=20))
    assert [at for _, at in due] == [utc(2025, 6, 2, 20, 15, 20)]
    assert next_fire_of(r, utc(2025, 6, 2, 20, 16)) == utc(2025, 6, 3, 20)
    with pytest.raises(InvalidInput):
        snooze_reminder(session, cast.alex, r.id, 0, fired)


def test_changing_the_schedule_drops_a_pending_snooze(session, cast):
    r = create_reminder(session, cast.alex, [0], "20:00", "UTC")
    assert r.id is not None
    snooze_reminder(session, cast.alex, r.id, 15, utc(2025, 6, 2, 19, 50))
    assert r.snoozed_until is not None
    update_reminder(session, cast.alex, r.id, local_time="21:00")
    assert r.snoozed_until is None
    assert r.skip_occurrence is None


def test_ics_parses_and_expands_to_the_right_dates_for_four_weeks(session, cast):
    update_preferences(session, cast.alex, Preferences(timezone="America/New_York"))
    weekly = create_reminder(session, cast.alex, [0, 2], "20:00")
    create_reminder(session, cast.alex, [6], "09:30", "Australia/Sydney", kind="goal_checkin")
    paused = create_reminder(session, cast.alex, [4], "08:00", "UTC")
    assert paused.id is not None
    update_reminder(session, cast.alex, paused.id, enabled=False)
    for r in list_reminders(session, cast.alex):
        r.created_at = utc(2025, 2, 20)
    session.flush()
    now = utc(2025, 2, 24, 12)  # Monday; the four weeks cross New York's spring forward
    data = reminders_ics(session, cast.alex, now=now)

    cal = icalendar.Calendar.from_ical(data)
    events: list[Any] = cal.walk("VEVENT")
    assert len(events) == 2  # the paused one is left out
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"America/New_York",
                                                            "Australia/Sydney"}
    by_summary = {str(e["SUMMARY"]): e for e in events}
    evening = by_summary["Confide: a moment for your reflection"]
    assert evening["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO,WE"
    assert evening["DTSTART"].params["TZID"] == "America/New_York"
    alarm = evening.walk("VALARM")[0]
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(0)

    start, end = now, now + timedelta(weeks=4)
    got = _expand(evening, start, end)
    expected = [t for r in [weekly] for t in _expected(r.days, "20:00", "America/New_York",
                                                       start, end)]
    assert got == expected
    assert got[0] == utc(2025, 2, 25, 1)  # Mon 24 Feb 20:00 EST
    assert utc(2025, 3, 11, 0) in got  # Mon 10 Mar 20:00 EDT, after spring forward
    assert len(got) == 8

    morning = by_summary["Confide: check in on your goals together"]
    sundays = _expand(morning, start, end)
    assert [t.astimezone(ZoneInfo("Australia/Sydney")).strftime("%a %H:%M") for t in sundays] \
        == ["Sun 09:30"] * 4


def _expected(days, at, zone, start, end):
    from confide.models.schedule import ReminderRule, occurrences

    return occurrences(ReminderRule(tuple(days), at, zone), start, end + timedelta(seconds=1))


def test_ics_dtstart_is_a_real_occurrence_on_or_after_creation(session, cast):
    r = create_reminder(session, cast.alex, [4], "07:00", "Asia/Kolkata")
    r.created_at = utc(2025, 3, 3, 12)  # a Monday
    session.flush()
    event: Any = icalendar.Calendar.from_ical(
        reminders_ics(session, cast.alex, now=utc(2025, 3, 3, 12))).walk("VEVENT")[0]
    start = event["DTSTART"].dt
    assert start.strftime("%Y-%m-%d %a %H:%M") == "2025-03-07 Fri 07:00"
    assert str(start.tzinfo) == "Asia/Kolkata"


def test_ics_keeps_the_wall_time_when_it_starts_on_a_spring_forward_day(session, cast):
    r = create_reminder(session, cast.alex, [6], "02:30", "Europe/Berlin")
    r.created_at = utc(2025, 3, 29, 12)
    session.flush()
    event: Any = icalendar.Calendar.from_ical(
        reminders_ics(session, cast.alex, now=utc(2025, 3, 29, 12))).walk("VEVENT")[0]
    assert event["DTSTART"].dt.strftime("%Y-%m-%d %H:%M") == "2025-03-30 02:30"


def test_empty_calendar_is_still_valid(session, cast):
    cal = icalendar.Calendar.from_ical(reminders_ics(session, cast.pat))
    assert cal["VERSION"] == "2.0"
    assert cal.walk("VEVENT") == []
