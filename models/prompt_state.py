"""A couple's custom prompts and a person's place in a guided program (the stored facts
that prompt selection takes as arguments)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from confide.models.errors import Conflict, InvalidInput, NotFound
from confide.models.sealing import entry_values, keys_for
from confide.models.tables import CustomPrompt, Entry, Person, ProgramEnrollment, utcnow

if TYPE_CHECKING:
    from confide.prompts import Choice

__all__ = [
    "add_custom_prompt",
    "choose_next_prompt",
    "current_program",
    "leave_program",
    "list_custom_prompts",
    "note_answered",
    "pause_program",
    "prompt_history",
    "start_program",
]


def add_custom_prompt(session: Session, person: Person, text: str, theme: str) -> CustomPrompt:
    """A prompt of the couple's own, checked like the library's (plain, short text)."""
    from confide.prompts.custom import validate_custom_prompt

    if person.couple_id is None:
        raise Conflict("Custom prompts belong to a couple; pair with your partner first.")
    try:
        cleaned = validate_custom_prompt(text, theme)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    assert person.id is not None
    row = CustomPrompt(couple_id=person.couple_id, created_by=person.id, text=cleaned, theme=theme)
    session.add(row)
    session.flush()
    return row


def list_custom_prompts(session: Session, person: Person) -> list[CustomPrompt]:
    """The couple's own prompts; nobody else's."""
    if person.couple_id is None:
        return []
    return list(session.exec(
        select(CustomPrompt).where(CustomPrompt.couple_id == person.couple_id)
        .order_by(col(CustomPrompt.id))
    ))


def current_program(session: Session, person: Person) -> ProgramEnrollment | None:
    return session.exec(
        select(ProgramEnrollment)
        .where(ProgramEnrollment.person_id == person.id,
               col(ProgramEnrollment.status).in_(("active", "paused")))
        .order_by(col(ProgramEnrollment.id).desc())
    ).first()


def start_program(session: Session, person: Person, program_id: str,
                  today: date) -> ProgramEnrollment:
    """Start (or resume) a program; starting another leaves the current one."""
    from confide.prompts import load_library

    if program_id not in load_library().programs:
        raise NotFound(f"There is no program called {program_id!r}.")
    current = current_program(session, person)
    if current is not None and current.program_id == program_id:
        current.status = "active"
        current.updated_at = utcnow()
        session.add(current)
        session.flush()
        return current
    if current is not None:
        current.status = "left"
        session.add(current)
    assert person.id is not None
    row = ProgramEnrollment(person_id=person.id, program_id=program_id, started_on=today)
    session.add(row)
    session.flush()
    return row


def _set_status(session: Session, person: Person, status: str) -> ProgramEnrollment:
    current = current_program(session, person)
    if current is None:
        raise NotFound("You are not following a program.")
    current.status = status
    current.updated_at = utcnow()
    session.add(current)
    session.flush()
    return current


def pause_program(session: Session, person: Person) -> ProgramEnrollment:
    return _set_status(session, person, "paused")


def leave_program(session: Session, person: Person) -> ProgramEnrollment:
    return _set_status(session, person, "left")


def prompt_history(session: Session, person: Person,
                   limit: int = 500) -> list[tuple[str, object, str]]:
    """(prompt id, answered at, answer text) of the person's own answered prompts, newest
    first. The text is only there when the person is unlocked: sealed words are never
    quoted back before then."""
    rows = session.exec(
        select(Entry.id, Entry.prompt_id, Entry.created_at, Entry.sealed)
        .where(Entry.author_id == person.id, col(Entry.prompt_id).is_not(None))
        .order_by(col(Entry.created_at).desc()).limit(limit)
    ).all()
    unlocked = keys_for(session, person.id)
    words = entry_values(session, unlocked, rows, person.couple_id) if unlocked else {}
    return [(str(p), c, words.get(i or 0, {}).get("transcript", "")) for i, p, c, _ in rows]


def choose_next_prompt(session: Session, person: Person, *, context: str = "private",
                       now: datetime | None = None, exclude: Collection[str] = (),
                       crisis_line: str | None = None) -> Choice:
    """Tonight's prompt for this person: gathers the facts, the pure selector decides."""
    from confide.prompts import HistoryItem, as_prompt, first_sentence, load_library, next_prompt
    from confide.prompts.programs import program_state

    now = now or utcnow()
    library = load_library()
    history = [HistoryItem(pid, at, first_sentence(text))  # type: ignore[arg-type]
               for pid, at, text in prompt_history(session, person)]
    enrollment = current_program(session, person)
    state = None
    if enrollment is not None and enrollment.program_id in library.programs:
        state = program_state(library.programs[enrollment.program_id],
                              status=enrollment.status, days_done=enrollment.days_done)
    custom = [as_prompt(c.id, c.text, c.theme) for c in list_custom_prompts(session, person)
              if c.id is not None]
    return next_prompt(library.prompts, history, context=context,  # type: ignore[arg-type]
                       program=state, theme_preference=None, now=now, custom=custom,
                       rng_seed=int(now.strftime("%Y%m%d")) + (person.id or 0),
                       exclude=exclude, crisis_line=crisis_line)


def note_answered(session: Session, person: Person, prompt_id: str) -> None:
    """Advance the person's program when this answer was the day's prompt."""
    enrollment = current_program(session, person)
    if enrollment is None or enrollment.status != "active":
        return
    from confide.prompts import load_library
    from confide.prompts.programs import completes_day, program_state

    program = load_library().programs.get(enrollment.program_id)
    if program is None:
        return
    state = program_state(program, status=enrollment.status, days_done=enrollment.days_done)
    if completes_day(state, prompt_id):
        enrollment.days_done += 1
        if enrollment.days_done >= len(program.days):
            enrollment.status = "done"
        enrollment.updated_at = utcnow()
        session.add(enrollment)
        session.flush()
