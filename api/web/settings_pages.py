"""The settings page: how read-aloud sounds (rate, voice), the pause allowance the voice
station waits through, and the person's reminders.

Preferences go through ``update_preferences`` and reminders through ``models.reminders``,
which check every value; this module only turns form strings into those arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from confide.api.deps import SessionDep
from confide.api.errors import status_for
from confide.api.web.context import (
    CsrfField,
    PersonDep,
    SignedIn,
    WebContext,
    WebDep,
    check_csrf,
    csrf_refused,
    redirect,
)
from confide.api.web.format import when
from confide.api.web.journal import error_page
from confide.models.accounts import Preferences, update_preferences
from confide.models.errors import ConfideError, InvalidInput, NotFound
from confide.models.reminders import (
    KINDS,
    create_reminder,
    delete_reminder,
    list_reminders,
    next_fire_of,
    update_reminder,
)
from confide.models.schedule import DAY_NAMES, rule_days_text
from confide.models.tables import Reminder, utcnow

__all__ = ["add_routes"]

KIND_LABELS = {
    "reflection": "Time for a reflection",
    "goal_checkin": "Check in on our goals",
    "partner_shared": "See what my partner shared",
}
VOICES: tuple[tuple[str, str], ...] = (
    ("", "Default voice"),
    ("natural", "The natural voice (warm, neural)"),
    ("fast", "The fast voice (espeak-ng, for high rates)"),
    ("en-us", "English, American"),
    ("en-gb", "English, British"),
    ("en-gb-scotland", "English, Scottish"),
    ("en-gb-x-rp", "English, Received Pronunciation"),
    ("en-gb-x-gbclan", "English, Lancaster"),
    ("en-029", "English, Caribbean"),
)
"""The voices offered: the two the voice loop names ("use the natural voice", "use the fast
voice") and espeak-ng's accents ("" keeps the default: the natural voice where installed)."""


@dataclass(frozen=True, slots=True)
class ReminderView:
    reminder: Reminder
    days_text: str
    kind_label: str
    next_text: str | None


def _number(text: str, what: str, kind: type[int] | type[float]) -> float | int | None:
    value = text.strip()
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{what} must be a number.") from None


def _settings(request: Request, web: WebContext, who: SignedIn, session: Session, *,
              prefs_form: dict[str, Any] | None = None,
              reminder_form: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    person = who.person
    now = utcnow()
    reminders = []
    for reminder in list_reminders(session, person):
        upcoming = next_fire_of(reminder, now) if reminder.enabled else None
        reminders.append(ReminderView(
            reminder, rule_days_text(reminder.days), KIND_LABELS.get(reminder.kind, reminder.kind),
            when(upcoming, reminder.timezone) if upcoming is not None else None))
    defaults = web.settings
    return web.render(request, "settings.html", {
        "prefs": prefs_form or {
            "tts_rate": str(person.tts_rate or defaults.tts_rate),
            "tts_voice": person.tts_voice or "",
            "pause_allowance_s": f"{person.pause_allowance_s or defaults.pause_allowance_s:g}",
            "error": None,
        },
        "voices": list(VOICES),
        "reminders": reminders,
        "reminder_form": reminder_form or {"days": [], "local_time": "20:00",
                                           "kind": "reflection", "error": None},
        "day_names": list(enumerate(DAY_NAMES)),
        "kinds": [(k, KIND_LABELS.get(k, k)) for k in KINDS],
        "timezone": person.timezone,
    }, person=person, csrf=who.csrf, status=status, title="Settings")


def settings_page(request: Request, web: WebDep, who: PersonDep, session: SessionDep
                  ) -> HTMLResponse:
    return _settings(request, web, who, session)


def save_preferences(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
                     tts_rate: Annotated[str, Form()] = "",
                     tts_voice: Annotated[str, Form()] = "",
                     pause_allowance_s: Annotated[str, Form()] = "",
                     csrf_token: CsrfField = "") -> Response:
    """Speech rate and voice for read-aloud, and the pause the voice station waits through."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    form = {"tts_rate": tts_rate, "tts_voice": tts_voice,
            "pause_allowance_s": pause_allowance_s, "error": None}
    try:
        rate = _number(tts_rate, "The speech rate", int)
        pause = _number(pause_allowance_s, "The pause allowance", float)
        voice = tts_voice.strip()
        if voice not in {value for value, _ in VOICES}:
            raise InvalidInput("Choose a voice from the list.")
        prefs = Preferences(tts_rate=int(rate) if rate is not None else None,
                            tts_voice=voice or None,
                            pause_allowance_s=float(pause) if pause is not None else None,
                            back_to_default=frozenset() if voice else frozenset({"tts_voice"}))
        update_preferences(session, who.person, prefs)
    except ConfideError as exc:
        session.rollback()
        form["error"] = str(exc)
        return _settings(request, web, who, session, prefs_form=form, status=status_for(exc))
    return redirect("/settings?done=settings")


def add_reminder(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
                 days: Annotated[list[str] | None, Form()] = None,
                 local_time: Annotated[str, Form()] = "",
                 kind: Annotated[str, Form()] = "reflection",
                 csrf_token: CsrfField = "") -> Response:
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    chosen = days or []
    try:
        numbers = [int(d) for d in chosen if d.isdigit()]
        if len(numbers) != len(chosen):
            raise InvalidInput("Days are numbers from 0 (Monday) to 6 (Sunday).")
        if not local_time.strip():
            raise InvalidInput("Choose a time for the reminder.")
        create_reminder(session, who.person, numbers, local_time, kind=kind)
    except ConfideError as exc:
        session.rollback()
        return _settings(request, web, who, session, reminder_form={
            "days": chosen, "local_time": local_time, "kind": kind, "error": str(exc)},
            status=status_for(exc))
    return redirect("/settings?done=reminder#reminders")


def remove_reminder(reminder_id: int, request: Request, web: WebDep, who: PersonDep,
                    session: SessionDep, csrf_token: CsrfField = "") -> Response:
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        delete_reminder(session, who.person, reminder_id)
    except NotFound as exc:
        return error_page(request, web, who, exc)
    return redirect("/settings?done=reminder-removed#reminders")


def toggle_reminder(reminder_id: int, request: Request, web: WebDep, who: PersonDep,
                    session: SessionDep, enabled: Annotated[str, Form()] = "",
                    csrf_token: CsrfField = "") -> Response:
    """Pause or resume a reminder without losing its schedule."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        update_reminder(session, who.person, reminder_id, enabled=enabled == "yes")
    except ConfideError as exc:
        session.rollback()
        return error_page(request, web, who, exc)
    return redirect("/settings?done=reminder-updated#reminders")


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/settings", settings_page, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route("/settings", save_preferences, methods=["POST"])
    router.add_api_route("/settings/reminders", add_reminder, methods=["POST"])
    router.add_api_route("/settings/reminders/{reminder_id}/delete", remove_reminder,
                         methods=["POST"])
    router.add_api_route("/settings/reminders/{reminder_id}/enabled", toggle_reminder,
                         methods=["POST"])
