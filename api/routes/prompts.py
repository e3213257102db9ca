"""The prompt library over HTTP: every prompt (plus the couple's own) and tonight's prompt.

"Next" is chosen by ``models.prompt_state.choose_next_prompt`` (the pure selector fed
with the person's answers, program and couple's prompts), as the voice station chooses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from sqlmodel import Session

from confide.api.deps import CurrentPerson, SessionDep, SettingsDep
from confide.api.errors import error_doc
from confide.api.schemas import PromptChoicePublic, PromptPublic
from confide.models.errors import Conflict, NotFound
from confide.models.prompt_state import choose_next_prompt, list_custom_prompts
from confide.models.tables import Person
from confide.prompts import NoPromptAvailableError, Prompt, as_prompt, load_library

__all__ = ["find_prompt", "router"]

router = APIRouter(prefix="/prompts", tags=["prompts"])


def _custom(session: Session, person: Person) -> list[Prompt]:
    return [as_prompt(row.id, row.text, row.theme)
            for row in list_custom_prompts(session, person) if row.id is not None]


def find_prompt(session: Session, person: Person, prompt_id: str) -> Prompt:
    """A library prompt or one of the couple's own; NotFound for an unknown id (a reference
    to nothing, as an unknown id in a path is)."""
    library = load_library()
    if prompt_id in library.prompts:
        return library.prompts[prompt_id]
    for prompt in _custom(session, person):
        if prompt.id == prompt_id:
            return prompt
    raise NotFound(f"There is no prompt {prompt_id!r}; see GET /api/prompts.")


def _public(prompt: Prompt, crisis_line: str | None) -> PromptPublic:
    return PromptPublic(id=prompt.id, text=prompt.speak(crisis_line), theme=prompt.theme,
                        depth=prompt.depth, audience=prompt.audience,
                        follow_ups=list(prompt.follow_ups), source=prompt.source)


@router.get("")
def list_prompts(
    person: CurrentPerson, session: SessionDep, settings: SettingsDep,
    theme: Annotated[str | None, Query(max_length=40)] = None,
    audience: Literal["private", "share", "mutual"] | None = None,
) -> list[PromptPublic]:
    """The library's prompts and the couple's own, optionally one theme or audience."""
    library = load_library()
    if theme is not None and theme not in library.themes:
        raise NotFound(f"There is no theme {theme!r}.")
    every = [*library.prompts.values(), *_custom(session, person)]
    return [_public(p, settings.crisis_line) for p in every
            if (theme is None or p.theme == theme)
            and (audience is None or p.audience == audience)]


@router.get("/next", responses={409: error_doc("Shared and mutual prompts need a partner.")})
def next_for_me(
    person: CurrentPerson, session: SessionDep, settings: SettingsDep,
    context: Literal["private", "shared", "mutual"] = "private",
) -> PromptChoicePublic:
    """Tonight's prompt for the caller, by the same rules the voice station follows."""
    if context != "private" and person.couple_id is None:
        raise Conflict("Shared and mutual prompts need a partner; pair first.")
    try:
        now = datetime.now(ZoneInfo(person.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        now = datetime.now(UTC)
    try:
        choice = choose_next_prompt(session, person, context=context, now=now,
                                    crisis_line=settings.crisis_line)
    except NoPromptAvailableError as exc:
        raise NotFound("No prompt fits right now.") from exc
    return PromptChoicePublic(prompt=_public(choice.prompt, settings.crisis_line),
                              spoken=choice.spoken, reason=choice.reason, detail=choice.detail,
                              program_day=choice.program_day)
