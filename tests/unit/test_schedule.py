"""Reminder schedules (pure): next fire time across time zones and both DST transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.models.errors import InvalidInput
from confide.models.schedule import (
    ReminderRule,
    fires_between,
    local_instant,
    next_fire,
    occurrences,
    parse_days,
    parse_local_time,
    snooze,
)

pytestmark = pytest.mark.unit

DAILY = (0, 1, 2, 3, 4, 5, 6)
SUNDAY = (6,)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "days", "at", "now", "expected"),
    [
        # America/New_York: EST (-5) until 2025-03-09 02:00, then EDT (-4).
        pytest.param("America/New_York", DAILY, "20:00", utc(2025, 3, 8, 12), utc(2025, 3, 9, 1),
                     id="new-york-before-spring-forward"),
        pytest.param("America/New_York", DAILY, "20:00", utc(2025, 3, 9, 2), utc(2025, 3, 10, 0),
                     id="new-york-after-spring-forward"),
        pytest.param("America/New_York", DAILY, "20:00", utc(2025, 11, 2, 12),
                     utc(2025, 11, 3, 1), id="new-york-after-fall-back"),
        # Berlin: CET (+1) / CEST (+2); spring forward 2025-03-30, fall back 2025-10-26.
        pytest.param("Europe/Berlin", (0,), "08:00", utc(2025, 3, 28, 12), utc(2025, 3, 31, 6),
                     id="berlin-monday-after-spring-forward"),
        pytest.param("Europe/Berlin", (0,), "08:00", utc(2025, 10, 24, 12), utc(2025, 10, 27, 7),
                     id="berlin-monday-after-fall-back"),
        # Sydney (southern hemisphere): AEDT (+11) ends 2025-04-06, AEST (+10) until 2025-10-05.
        pytest.param("Australia/Sydney", DAILY, "20:00", utc(2025, 4, 5, 8), utc(2025, 4, 5, 9),
                     id="sydney-summer-time"),
        pytest.param("Australia/Sydney", DAILY, "20:00", utc(2025, 4, 6, 8), utc(2025, 4, 6, 10),
                     id="sydney-after-fall-back"),
        pytest.param("Australia/Sydney", DAILY, "07:30", utc(2025, 10, 5, 0),
                     utc(2025, 10, 5, 20, 30), id="sydney-after-spring-forward"),
        # Kolkata: +05:30 all year, no DST.
        pytest.param("Asia/Kolkata", (0, 2), "21:15", utc(2025, 3, 9), utc(2025, 3, 10, 15, 45),
                     id="kolkata-half-hour-offset"),
        pytest.param("Asia/Kolkata", (0, 2), "21:15", utc(2025, 3, 10, 15, 45),
                     utc(2025, 3, 12, 15, 45), id="kolkata-at-the-moment-means-next-one"),
    ],
)
def test_next_fire_follows_the_local_clock(zone, days, at, now, expected):
    assert next_fire(ReminderRule(days, at, zone), now) == expected


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # 02:30 does not exist: fire at the jump itself (the first valid instant after it).
        pytest.param("America/New_York", utc(2025, 3, 8), utc(2025, 3, 9, 7), id="new-york"),
        pytest.param("Europe/Berlin", utc(2025, 3, 29), utc(2025, 3, 30, 1), id="berlin"),
        pytest.param("Australia/Sydney", utc(2025, 10, 3), utc(2025, 10, 4, 16), id="sydney"),
    ],
)
def test_a_time_skipped_by_spring_forward_fires_at_the_jump(zone, now, expected):
    fire = next_fire(ReminderRule(SUNDAY, "02:30", zone), now)
    assert fire == expected
    assert fire is not None
    assert fire.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "03:00"


@pytest.mark.parametrize(
    ("zone", "at", "now", "first", "following"),
    [
        # 01:30 happens twice in New York on 2025-11-02: fire at the first (EDT) only.
        pytest.param("America/New_York", "01:30", utc(2025, 11, 1, 12), utc(2025, 11, 2, 5, 30),
                     utc(2025, 11, 9, 6, 30), id="new-york"),
        pytest.param("Europe/Berlin", "02:30", utc(2025, 10, 25, 12), utc(2025, 10, 26, 0, 30),
                     utc(2025, 11, 2, 1, 30), id="berlin"),
        pytest.param("Australia/Sydney", "02:30", utc(2025, 4, 5), utc(2025, 4, 5, 15, 30),
                     utc(2025, 4, 12, 16, 30), id="sydney"),
    ],
)
def test_a_time_repeated_by_fall_back_fires_once(zone, at, now, first, following):
    rule = ReminderRule(SUNDAY, at, zone)
    assert next_fire(rule, now) == first
    assert next_fire(rule, first) == following  # not the second 01:30 an hour later
    assert occurrences(rule, first - timedelta(hours=1), first + timedelta(days=1)) == [first]


def test_daily_rule_over_fall_back_night_has_one_occurrence_a_day():
    rule = ReminderRule(DAILY, "01:30", "America/New_York")
    found = occurrences(rule, utc(2025, 11, 1), utc(2025, 11, 5))
    local_days = [t.astimezone(ZoneInfo("America/New_York")).date().day for t in found]
    assert local_days == [1, 2, 3, 4]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Sydney",
                                  "Asia/Kolkata"])
def test_paused_reminder_never_fires(zone):
    rule = ReminderRule(DAILY, "20:00", zone, enabled=False)
    now = utc(2025, 3, 1)
    assert next_fire(rule, now) is None
    assert next_fire(rule, now, snoozed_until=now + timedelta(minutes=5)) is None
    assert occurrences(rule, now, now + timedelta(days=60)) == []
    assert fires_between(rule, now, now + timedelta(days=60),
                         snoozed_until=now + timedelta(minutes=5)) == []
    assert snooze(rule, now, 15) is None


def test_rule_without_days_never_fires():
    assert next_fire(ReminderRule((), "20:00", "UTC"), utc(2025, 1, 1)) is None


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Sydney",
                                  "Asia/Kolkata"])
def test_snooze_moves_only_that_occurrence(zone):
    rule = ReminderRule(DAILY, "20:00", zone)
    first = next_fire(rule, utc(2025, 6, 1))
    assert first is not None
    regular_next = next_fire(rule, first)
    assert regular_next is not None
    said_later = first + timedelta(seconds=30)
    moved = snooze(rule, said_later, 15, occurrence=first)
    assert moved is not None
    assert moved.skip_occurrence == first
    assert moved.snoozed_until == said_later + timedelta(minutes=15)
    facts = {"snoozed_until": moved.snoozed_until, "skip_occurrence": moved.skip_occurrence}
    assert next_fire(rule, said_later, **facts) == moved.snoozed_until
    assert next_fire(rule, moved.snoozed_until, **facts) == regular_next
    assert fires_between(rule, said_later, regular_next, **facts) == [moved.snoozed_until,
                                                                       regular_next]


def test_snoozing_ahead_puts_off_the_coming_occurrence_only():
    rule = ReminderRule(DAILY, "20:00", "Europe/Berlin")
    now = utc(2025, 6, 2, 17, 55)  # 19:55 in Berlin
    moved = snooze(rule, now, 15)
    assert moved is not None
    assert moved.skip_occurrence == utc(2025, 6, 2, 18)
    assert moved.snoozed_until == utc(2025, 6, 2, 18, 15)
    facts = {"snoozed_until": moved.snoozed_until, "skip_occurrence": moved.skip_occurrence}
    assert fires_between(rule, now, utc(2025, 6, 4), **facts) == [
        utc(2025, 6, 2, 18, 15), utc(2025, 6, 3, 18)]


def test_snoozing_a_snooze_keeps_the_original_skipped():
    rule = ReminderRule(DAILY, "20:00", "UTC")
    first = utc(2025, 6, 2, 20)
    once = snooze(rule, first, 10, occurrence=first)
    assert once is not None
    twice = snooze(rule, once.snoozed_until, 10, occurrence=once.snoozed_until,
                   snoozed_until=once.snoozed_until, skip_occurrence=once.skip_occurrence)
    assert twice is not None
    assert twice.skip_occurrence == first
    assert twice.snoozed_until == utc(2025, 6, 2, 20, 20)
    assert next_fire(rule, once.snoozed_until, snoozed_until=twice.snoozed_until,
                     skip_occurrence=twice.skip_occurrence) == twice.snoozed_until


def test_snooze_right_after_a_reminder_fired_moves_that_one():
    rule = ReminderRule(DAILY, "20:00", "UTC")
    moved = snooze(rule, utc(2025, 6, 2, 20, 5), 15)
    assert moved is not None
    assert moved.skip_occurrence == utc(2025, 6, 2, 20)
    assert moved.snoozed_until == utc(2025, 6, 2, 20, 20)


def test_snooze_across_spring_forward_keeps_the_next_regular_one():
    rule = ReminderRule(SUNDAY, "01:50", "Europe/Berlin")
    first = next_fire(rule, utc(2025, 3, 29))
    assert first == utc(2025, 3, 30, 0, 50)
    moved = snooze(rule, first, 15, occurrence=first)
    assert moved is not None
    assert moved.snoozed_until.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "03:05"
    assert next_fire(rule, moved.snoozed_until, snoozed_until=moved.snoozed_until,
                     skip_occurrence=moved.skip_occurrence) == utc(2025, 4, 5, 23, 50)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_fire(ReminderRule(DAILY, "20:00", "UTC"), datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": (7,), "local_time": "20:00", "timezone": "UTC"}, "0 \\(Monday\\)"),
        ({"days": (0,), "local_time": "24:00", "timezone": "UTC"}, "HH:MM"),
        ({"days": (0,), "local_time": "8pm", "timezone": "UTC"}, "HH:MM"),
        ({"days": (0,), "local_time": "20:00", "timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"days": (0,), "local_time": "20:00", "timezone": "../etc/passwd"}, "Unknown time zone"),
    ],
)
def test_rule_rejects_what_cannot_work(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        ReminderRule(**kwargs)


@pytest.mark.parametrize(
    ("text", "days"),
    [("mon,wed", [0, 2]), ("Monday Friday", [0, 4]), ("weekdays", [0, 1, 2, 3, 4]),
     ("weekends", [5, 6]), ("daily", [0, 1, 2, 3, 4, 5, 6]), ("su, sa ,tu", [1, 5, 6]),
     ("thu", [3])],
)
def test_parse_days(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["", "t", "mo,funday", "s"])
def test_parse_days_refuses_unclear_names(text):
    with pytest.raises(InvalidInput):
        parse_days(text)


def test_parse_local_time_accepts_single_digit_hours():
    assert parse_local_time("8:05").strftime("%H:%M") == "08:05"


ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata",
         "Australia/Lord_Howe", "America/Sao_Paulo", "Pacific/Chatham", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    days=st.sets(st.integers(0, 6), min_size=1),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                     timezones=st.just(UTC)),
)
def test_next_fire_is_the_first_occurrence_after_now(zone, days, hour, minute, now):
    rule = ReminderRule(tuple(days), f"{hour:02d}:{minute:02d}", zone)
    fire = next_fire(rule, now)
    assert fire is not None
    assert now < fire <= now + timedelta(days=8)
    assert fire.tzinfo is UTC
    local = fire.astimezone(ZoneInfo(zone))
    expected = local_instant(local.date(), rule.at, ZoneInfo(zone))
    assert fire == expected
    assert local.weekday() in days
    assert all(t == now for t in occurrences(rule, now, fire))  # nothing skipped in between
