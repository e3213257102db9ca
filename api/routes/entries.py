"""Entries: list (filtered, paginated), write, read, share/unshare and edit, delete.

Every read goes through the journal's one visibility rule; an entry the caller may not
see is 404 whether or not it exists, so ids do not leak.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import Session

from confide.api.deps import CurrentPerson, RowId, RuntimeDep, SessionDep, StoreDep
from confide.api.errors import Responses, error_doc
from confide.api.present import present_entries, present_entry_detail, present_listed
from confide.api.routes.prompts import find_prompt
from confide.api.schemas import (
    EntryCreate,
    EntryDetailPublic,
    EntryListQuery,
    EntryPagePublic,
    EntryPublic,
    EntryUpdate,
)
from confide.models.entries import (
    EntryFilter,
    create_written_entry,
    delete_entry,
    edit_entry,
    get_entry,
    list_entries,
    mark_read,
    set_visibility,
)
from confide.models.prompt_state import note_answered
from confide.models.tables import Person

__all__ = ["router"]

router = APIRouter(prefix="/entries", tags=["entries"])
_AUTHOR_ONLY: Responses = {403: error_doc("Only the author may change it."),
                409: error_doc("Not possible in this state.")}


def _aware(moment: datetime | None) -> datetime | None:
    """Query times without a zone are read as UTC (the database only takes aware times)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@router.get("", responses={422: error_doc(
    "A value is not allowed, or the cursor is not one a page of this list gave (cursors "
    "are opaque: pass back next_cursor as it came).")})
async def list_my_entries(person: CurrentPerson, session: SessionDep, runtime: RuntimeDep,
                          q: Annotated[EntryListQuery, Query()]) -> EntryPagePublic:
    """Entries the caller may see, newest first; follow ``next_cursor`` for older ones."""
    flt = EntryFilter(journal=q.journal, author=q.author, since=_aware(q.since),
                      until=_aware(q.until), prompt_id=q.prompt_id, tag=q.tag)
    return await runtime.db(_page, session, person, flt, q.cursor, q.limit)


def _page(session: Session, person: Person, flt: EntryFilter, cursor: str | None,
          limit: int) -> EntryPagePublic:
    page = list_entries(session, person, flt, cursor=cursor, limit=limit)
    return EntryPagePublic(items=present_listed(session, person, page.entries),
                           next_cursor=page.next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_AUTHOR_ONLY)
def write_entry(body: EntryCreate, person: CurrentPerson, session: SessionDep) -> EntryPublic:
    """A written reflection, in the private journal or shared with the partner."""
    prompt = find_prompt(session, person, body.prompt_id) if body.prompt_id else None
    entry = create_written_entry(
        session, person, body.text, journal=body.journal,
        prompt_id=prompt.id if prompt else None, prompt_text=prompt.text if prompt else None,
        mood=body.mood, tags=body.tags,
    )
    if prompt is not None:
        note_answered(session, person, prompt.id)
    return present_entries(session, person, [entry])[0]


@router.get("/{entry_id}")
async def read_entry(entry_id: RowId, person: CurrentPerson, session: SessionDep,
                     runtime: RuntimeDep) -> EntryDetailPublic:
    """One entry with its timed transcript."""
    return await runtime.db(_detail, session, person, entry_id)


def _detail(session: Session, person: Person, entry_id: int) -> EntryDetailPublic:
    return present_entry_detail(session, person, get_entry(session, person, entry_id))


@router.patch("/{entry_id}", responses=_AUTHOR_ONLY)
def change_entry(entry_id: RowId, body: EntryUpdate, person: CurrentPerson,
                 session: SessionDep) -> EntryDetailPublic:
    """Share or unshare (unsharing hides it from the partner at once), correct the
    transcript, set mood or tags. Only the author may."""
    given = body.model_fields_set
    if body.visibility is not None:
        set_visibility(session, person, entry_id, body.visibility)
    if given & {"transcript", "mood", "tags"} or body.visibility is None:
        # Also the author check for an empty change, so a partner gets 403 either way.
        edit_entry(session, person, entry_id, transcript=body.transcript,
                   mood=body.mood, tags=body.tags,
                   clear_mood="mood" in given and body.mood is None)
    entry = get_entry(session, person, entry_id)
    return present_entry_detail(session, person, entry)


@router.delete("/{entry_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_AUTHOR_ONLY)
def remove_entry(entry_id: RowId, person: CurrentPerson, session: SessionDep,
                 store: StoreDep) -> None:
    """Delete for real: the entry, its responses, its recording and any rendered speech."""
    delete_entry(session, store, person, entry_id)


@router.post("/{entry_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def mark_entry_read(entry_id: RowId, person: CurrentPerson, session: SessionDep) -> None:
    """Clear the entry's unread mark for the caller."""
    mark_read(session, person, entry_id)
