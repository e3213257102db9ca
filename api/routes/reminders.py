"""A person's own reminders (nobody else sees them), and their calendar export."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from confide.api.deps import CurrentPerson, RowId, SessionDep
from confide.api.errors import error_doc
from confide.api.present import present_reminder
from confide.api.schemas import ReminderCreate, ReminderPublic, ReminderUpdate
from confide.models.reminders import (
    create_reminder,
    delete_reminder,
    list_reminders,
    reminders_ics,
    update_reminder,
)

__all__ = ["router"]

router = APIRouter(prefix="/reminders", tags=["reminders"])


@router.get("")
def read_reminders(person: CurrentPerson, session: SessionDep) -> list[ReminderPublic]:
    return [present_reminder(r) for r in list_reminders(session, person)]


@router.post("", status_code=status.HTTP_201_CREATED, responses={
    409: error_doc("Too many reminders.")})
def add_reminder(body: ReminderCreate, person: CurrentPerson,
                 session: SessionDep) -> ReminderPublic:
    """Remind me on these weekdays at this local time (my time zone unless given)."""
    return present_reminder(create_reminder(session, person, body.days, body.local_time,
                                            timezone=body.timezone, kind=body.kind))


@router.get("/calendar.ics", response_class=Response, responses={200: {
    "description": "iCalendar (RFC 5545) with one weekly event per enabled reminder.",
    "content": {"text/calendar": {"schema": {"type": "string"}}},
}})
def reminders_calendar(person: CurrentPerson, session: SessionDep) -> Response:
    """My reminders for a calendar app."""
    return Response(reminders_ics(session, person), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="confide.ics"'})


@router.patch("/{reminder_id:int}")
def change_reminder(reminder_id: RowId, body: ReminderUpdate, person: CurrentPerson,
                    session: SessionDep) -> ReminderPublic:
    """Change days, time, time zone or kind; pause or resume with ``enabled``."""
    return present_reminder(update_reminder(
        session, person, reminder_id, days=body.days, local_time=body.local_time,
        timezone=body.timezone, enabled=body.enabled, kind=body.kind))


@router.delete("/{reminder_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def remove_reminder(reminder_id: RowId, person: CurrentPerson, session: SessionDep) -> None:
    delete_reminder(session, person, reminder_id)
