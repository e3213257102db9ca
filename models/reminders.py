"""Reminders: a person's own nudges to journal, check in on a goal, or hear their partner.

A reminder belongs to one person and only they ever see or change it (anyone else gets
NotFound, so ids do not leak). When it fires comes from the pure rules in
``models.schedule``; this module stores them, validates input, finds what is due for the
voice station, and exports them as an iCalendar file with weekly recurrence rules.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import icalendar
from sqlmodel import Session, col, func, select

from confide.models.errors import Conflict, InvalidInput, NotFound
from confide.models.schedule import (
    ReminderRule,
    check_timezone,
    fires_between,
    next_fire,
    parse_local_time,
    rule_days_text,
    snooze,
)
from confide.models.tables import Person, Reminder, utcnow

__all__ = [
    "DUE_WINDOW",
    "ICS_SUMMARIES",
    "KINDS",
    "MAX_REMINDERS",
    "MAX_SNOOZE_MINUTES",
    "create_reminder",
    "delete_reminder",
    "due_reminders",
    "get_reminder",
    "list_reminders",
    "next_fire_of",
    "reminders_ics",
    "rule_of",
    "snooze_reminder",
    "update_reminder",
]

log = logging.getLogger(__name__)

KINDS = ("reflection", "goal_checkin", "partner_shared")
MAX_REMINDERS = 50
MAX_SNOOZE_MINUTES = 24 * 60
DUE_WINDOW = timedelta(minutes=2)
"""How far back ``due_reminders`` looks when the caller does not say since when."""

# What a calendar shows for each kind (user-facing wording, kept together).
ICS_SUMMARIES = {
    "reflection": "Confide: a moment for your reflection",
    "goal_checkin": "Confide: check in on your goals together",
    "partner_shared": "Confide: see what your partner shared",
}
ICS_DESCRIPTIONS = {
    "reflection": "A few minutes to speak or write what is on your mind. "
                  "Run “confide speak” or answer the voice station.",
    "goal_checkin": "Rate how your shared goals went (1 to 5) and say a word about why.",
    "partner_shared": "Your partner may have shared a reflection; listen when you are ready.",
}
ICS_DURATION = timedelta(minutes=15)
PRODID = "-//Confide//Confide reminders//EN"
_ICS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"A reminder's kind is one of: {', '.join(KINDS)}.")
    return kind


def _check_days(days: Sequence[int]) -> list[int]:
    if not days:
        raise InvalidInput("A reminder needs at least one day (0 = Monday … 6 = Sunday).")
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise InvalidInput("Days are numbers from 0 (Monday) to 6 (Sunday).")
    return sorted(set(days))


def _clean_time(text: str) -> str:
    return parse_local_time(text).strftime("%H:%M")


def rule_of(reminder: Reminder) -> ReminderRule:
    """The pure schedule rule a stored reminder stands for."""
    return ReminderRule(tuple(reminder.days), reminder.local_time, reminder.timezone,
                        reminder.enabled)


def next_fire_of(reminder: Reminder, now: datetime) -> datetime | None:
    """When this stored reminder fires next after ``now`` (its snooze included)."""
    return next_fire(rule_of(reminder), now, snoozed_until=reminder.snoozed_until,
                     skip_occurrence=reminder.skip_occurrence)


def create_reminder(session: Session, person: Person, days: Sequence[int], local_time: str,
                    timezone: str | None = None, kind: str = "reflection") -> Reminder:
    """A new enabled reminder; the time zone defaults to the person's own."""
    assert person.id is not None
    clean_days = _check_days(days)
    clean_time = _clean_time(local_time)
    zone = timezone if timezone is not None else person.timezone
    check_timezone(zone)
    _check_kind(kind)
    count = session.exec(
        select(func.count()).select_from(Reminder).where(Reminder.person_id == person.id)
    ).one()
    if count >= MAX_REMINDERS:
        raise Conflict(f"You already have {MAX_REMINDERS} reminders; remove one first.")
    reminder = Reminder(person_id=person.id, days=clean_days, local_time=clean_time,
                        timezone=zone, kind=kind, enabled=True)
    session.add(reminder)
    session.flush()
    return reminder


def list_reminders(session: Session, person: Person) -> list[Reminder]:
    """The person's own reminders, oldest first."""
    return list(session.exec(
        select(Reminder).where(Reminder.person_id == person.id).order_by(col(Reminder.id))
    ))


def get_reminder(session: Session, person: Person, reminder_id: int) -> Reminder:
    """The person's reminder; NotFound for anyone else's, whether or not it exists."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.person_id != person.id:
        raise NotFound(f"Reminder {reminder_id} was not found.")
    return reminder


def update_reminder(session: Session, person: Person, reminder_id: int, *,
                    days: Sequence[int] | None = None, local_time: str | None = None,
                    timezone: str | None = None, enabled: bool | None = None,
                    kind: str | None = None) -> Reminder:
    """Change any of the given fields, all checked before any is applied.

    A changed schedule, or pausing, drops a pending snooze: it belonged to the old one.
    """
    reminder = get_reminder(session, person, reminder_id)
    new_days = _check_days(days) if days is not None else None
    new_time = _clean_time(local_time) if local_time is not None else None
    if timezone is not None:
        check_timezone(timezone)
    if kind is not None:
        _check_kind(kind)
    schedule_changed = False
    if new_days is not None and new_days != reminder.days:
        reminder.days = new_days
        schedule_changed = True
    if new_time is not None and new_time != reminder.local_time:
        reminder.local_time = new_time
        schedule_changed = True
    if timezone is not None and timezone != reminder.timezone:
        reminder.timezone = timezone
        schedule_changed = True
    if enabled is not None:
        if not enabled:
            schedule_changed = True
        reminder.enabled = enabled
    if kind is not None:
        reminder.kind = kind
    if schedule_changed:
        reminder.snoozed_until = None
        reminder.skip_occurrence = None
    session.add(reminder)
    session.flush()
    return reminder


def delete_reminder(session: Session, person: Person, reminder_id: int) -> None:
    session.delete(get_reminder(session, person, reminder_id))
    session.flush()


def snooze_reminder(session: Session, person: Person, reminder_id: int, minutes: int,
                    now: datetime, *, occurrence: datetime | None = None) -> Reminder:
    """Put off one occurrence by ``minutes`` (see ``models.schedule.snooze``)."""
    reminder = get_reminder(session, person, reminder_id)
    if isinstance(minutes, bool) or not 1 <= minutes <= MAX_SNOOZE_MINUTES:
        raise InvalidInput(f"A snooze is between 1 and {MAX_SNOOZE_MINUTES} minutes.")
    if not reminder.enabled:
        raise Conflict("This reminder is paused; resume it before snoozing it.")
    moved = snooze(rule_of(reminder), now, minutes, occurrence=occurrence,
                   snoozed_until=reminder.snoozed_until,
                   skip_occurrence=reminder.skip_occurrence)
    if moved is None:
        raise Conflict("This reminder has nothing coming up to snooze.")
    reminder.skip_occurrence = moved.skip_occurrence
    reminder.snoozed_until = moved.snoozed_until
    session.add(reminder)
    session.flush()
    return reminder


def due_reminders(session: Session, now: datetime, *, since: datetime | None = None,
                  person: Person | None = None) -> list[tuple[Reminder, datetime]]:
    """Reminders that fire in ``(since, now]``, with the moment each fires, earliest first.

    The voice station passes the time it last looked as ``since``, so each occurrence is
    handed out once; without it the last DUE_WINDOW is searched. ``person`` limits the
    answer to one person's reminders (a station serves one person).
    """
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware.")
    start = since if since is not None else now - DUE_WINDOW
    query = select(Reminder).where(Reminder.enabled == True)  # noqa: E712 (SQL expression)
    if person is not None:
        query = query.where(Reminder.person_id == person.id)
    due: list[tuple[Reminder, datetime]] = []
    for reminder in session.exec(query.order_by(col(Reminder.id))):
        try:
            rule = rule_of(reminder)
        except InvalidInput:
            log.warning("reminder %s has an unusable schedule; skipped", reminder.id)
            continue
        for moment in fires_between(rule, start, now, snoozed_until=reminder.snoozed_until,
                                    skip_occurrence=reminder.skip_occurrence):
            due.append((reminder, moment))
    due.sort(key=lambda pair: (pair[1], pair[0].id or 0))
    return due


def _first_regular(reminder: Reminder, from_day: date) -> datetime:
    """The first regular occurrence on or after ``from_day`` (local): a valid DTSTART."""
    rule = ReminderRule(tuple(reminder.days), reminder.local_time, reminder.timezone, True)
    start = datetime.combine(from_day, datetime.min.time(), tzinfo=rule.zone)
    fire = next_fire(rule, start - timedelta(microseconds=1))
    assert fire is not None  # days are never empty for a stored reminder
    return fire


def reminders_ics(session: Session, person: Person, *, now: datetime | None = None) -> bytes:
    """The person's enabled reminders as an iCalendar file (RFC 5545), one weekly event each.

    Each event starts at the first occurrence on or after the day the reminder was made,
    in the reminder's own time zone (with its VTIMEZONE), repeats with
    ``RRULE:FREQ=WEEKLY;BYDAY=...`` and carries a display alarm at its start. Paused
    reminders are left out: they never fire.
    """
    now = now or utcnow()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Confide reminders")
    earliest = now.date()
    for reminder in list_reminders(session, person):
        if not reminder.enabled or not reminder.days:
            continue
        zone = check_timezone(reminder.timezone)
        made = reminder.created_at.astimezone(zone).date()
        first = _first_regular(reminder, made)
        # The wall-clock time, not the instant: on a spring-forward day the instant is
        # shifted, and DTSTART's wall time is what every later occurrence repeats.
        local_start = datetime.combine(first.astimezone(zone).date(),
                                       parse_local_time(reminder.local_time), tzinfo=zone)
        earliest = min(earliest, local_start.date())
        event = icalendar.Event()
        event.add("uid", f"confide-reminder-{reminder.id}-{person.id}@confide.local")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", local_start)
        event.add("duration", ICS_DURATION)
        event.add("rrule", {"freq": "weekly",
                            "byday": [_ICS_DAYS[d] for d in sorted(reminder.days)]})
        event.add("summary", ICS_SUMMARIES.get(reminder.kind, ICS_SUMMARIES["reflection"]))
        event.add("description", ICS_DESCRIPTIONS.get(reminder.kind,
                                                      ICS_DESCRIPTIONS["reflection"]))
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["Confide"])
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", ICS_SUMMARIES.get(reminder.kind, ICS_SUMMARIES["reflection"]))
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
        log.debug("exported reminder %s (%s at %s)", reminder.id,
                  rule_days_text(reminder.days), reminder.local_time)
    cal.add_missing_timezones(first_date=date(earliest.year - 1, 1, 1),
                              last_date=date(now.year + 20, 1, 1))
    data: bytes = cal.to_ical()
    return data

