"""Pages for reading and answering: the shared journal, one entry, the private journal, search.

Every read goes through the journal operations (``list_entries``, ``get_entry``,
``search``, ``list_responses``), which apply the one visibility rule; nothing here filters
entries by hand, so a private entry can only ever reach its author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
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
from confide.api.web.format import clock
from confide.models.couples import partner_of
from confide.models.entries import (
    EntryFilter,
    EntryView,
    create_written_entry,
    get_entry,
    journal_id_for,
    list_entries,
    mark_read,
    set_visibility,
    unread_ids,
)
from confide.models.errors import ConfideError, InvalidInput, NotFound
from confide.models.responses import add_response, list_responses
from confide.models.search import search
from confide.models.tables import Entry, Person
from confide.models.tables import Response as ResponseRow

__all__ = ["EntryCard", "add_routes", "error_page", "names_for"]

PAGE_SIZE = 20
KIND_WORDS = {"reflection": "spoken reflection", "written": "written reflection",
              "mutual": "answer to a mutual prompt"}


def names_for(session: Session, person: Person) -> dict[int, str]:
    """Display names by person id: the partner by name, the person as "You"."""
    assert person.id is not None
    names = {person.id: "You"}
    partner = partner_of(session, person)
    if partner is not None and partner.id is not None:
        names[partner.id] = partner.name
    return names


def entry_title(entry: EntryView, names: dict[int, str], me: int | None) -> str:
    kind = KIND_WORDS.get(entry.kind, "reflection")
    if entry.author_id == me:
        return f"Your {kind}"
    return f"{names.get(entry.author_id, 'Your partner')}'s {kind}"


@dataclass(frozen=True, slots=True)
class EntryCard:
    """One entry as a journal list shows it."""

    entry: EntryView
    title: str
    author: str
    mine: bool
    unread: bool
    shared: bool
    responses: int


def cards(session: Session, person: Person, entries: Sequence[EntryView]) -> list[EntryCard]:
    names = names_for(session, person)
    ids = [e.id for e in entries if e.id is not None]
    unread = unread_ids(session, person, ids)
    private_jid = _private_journal_id(session, person)
    result = []
    for entry in entries:
        assert entry.id is not None
        result.append(EntryCard(
            entry, entry_title(entry, names, person.id),
            names.get(entry.author_id, "Your partner"), entry.author_id == person.id,
            entry.id in unread, entry.journal_id != private_jid,
            len(list_responses(session, person, entry.id)),
        ))
    return result


def _private_journal_id(session: Session, person: Person) -> int:
    return journal_id_for(session, person, "private")


def error_page(request: Request, web: WebContext, who: SignedIn, exc: ConfideError
               ) -> HTMLResponse:
    """A domain error as a page with the layout (the API's handler would answer JSON)."""
    status = status_for(exc)
    heading = "Not found" if isinstance(exc, NotFound) else "That did not work"
    return web.render(request, "error.html", {"heading": heading, "message": str(exc)},
                      person=who.person, csrf=who.csrf, status=status, title=heading)


def _journal(request: Request, web: WebContext, who: SignedIn, session: Session,
             which: str, cursor: str | None, *, form: dict[str, Any] | None = None,
             status: int = 200) -> HTMLResponse:
    journal: Literal["private", "shared"] = "shared" if which == "shared" else "private"
    flt = EntryFilter(journal=journal)
    try:
        page = list_entries(session, who.person, flt, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput:
        page = list_entries(session, who.person, flt, limit=PAGE_SIZE)
    items = cards(session, who.person, page.entries)
    partner = partner_of(session, who.person)
    title = "Shared journal" if journal == "shared" else "My private journal"
    return web.render(request, f"{journal}.html", {
        "items": items,
        "next_cursor": page.next_cursor,
        "newest_id": max((c.entry.id or 0 for c in items), default=0) if not cursor else 0,
        "unread_count": sum(1 for c in items if c.unread),
        "partner": partner,
        "form": form or {"text": "", "journal": "private", "error": None},
        "tz": who.person.timezone,
    }, person=who.person, csrf=who.csrf, title=title, status=status)


def shared_journal(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
                   cursor: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    """Both partners' shared entries, newest first, the unopened ones marked."""
    return _journal(request, web, who, session, "shared", cursor)


def private_journal(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
                    cursor: Annotated[str | None, Query(max_length=200)] = None
                    ) -> HTMLResponse:
    """The person's own private entries (only theirs, by the visibility rule)."""
    return _journal(request, web, who, session, "private", cursor)


def journal_updates(who: PersonDep, session: SessionDep) -> JSONResponse:
    """What the journal page polls to announce new shared entries in a live region."""
    page = list_entries(session, who.person, EntryFilter(journal="shared"), limit=PAGE_SIZE)
    ids = [e.id for e in page.entries if e.id is not None]
    unread = unread_ids(session, who.person, ids)
    partner = partner_of(session, who.person)
    newest = max(ids, default=0)
    count = len(unread)
    name = partner.name if partner is not None else "Your partner"
    message = ""
    if count:
        things = "entry" if count == 1 else "entries"
        message = f"{count} unread {things} from {name} in the shared journal."
    return JSONResponse({"newest_id": newest, "unread": count, "message": message},
                        headers={"Cache-Control": "no-store"})


def write_entry(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
                text: Annotated[str, Form()] = "", journal: Annotated[str, Form()] = "private",
                csrf_token: CsrfField = "") -> Response:
    """A written entry from the private journal page, kept private or shared."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        entry = create_written_entry(session, who.person, text,
                                     journal="shared" if journal == "shared" else "private")
    except ConfideError as exc:
        session.rollback()
        return _journal(request, web, who, session, "private", None,
                        form={"text": text, "journal": journal, "error": str(exc)},
                        status=status_for(exc))
    return redirect(f"/entries/{entry.id}?done=written")


@dataclass(frozen=True, slots=True)
class SegmentView:
    start: float
    end: float
    clock: str
    text: str


def _entry_page(request: Request, web: WebContext, who: SignedIn, session: Session,
                entry: Entry, *, start_at: float | None = None, answer: str = "",
                error: str | None = None, status: int = 200) -> HTMLResponse:
    assert entry.id is not None
    names = names_for(session, who.person)
    responses: list[ResponseRow] = list_responses(session, who.person, entry.id)
    segments = [SegmentView(float(s.get("start", 0.0)), float(s.get("end", 0.0)),
                            clock(float(s.get("start", 0.0))), str(s.get("text", "")).strip())
                for s in entry.segments]
    private_jid = _private_journal_id(session, who.person)
    audio_src = f"/api/entries/{entry.id}/audio"
    if start_at is not None and start_at >= 0:
        audio_src += f"#t={start_at:.2f}"
    return web.render(request, "entry.html", {
        "entry": entry,
        "title": entry_title(entry, names, who.person.id),
        "author": names.get(entry.author_id, "Your partner"),
        "mine": entry.author_id == who.person.id,
        "shared": entry.journal_id != private_jid,
        "segments": [s for s in segments if s.text],
        "responses": responses,
        "names": names,
        "audio_src": audio_src if entry.audio_path else None,
        "answer": answer,
        "error": error,
        "tz": who.person.timezone,
    }, person=who.person, csrf=who.csrf, status=status,
        title=entry_title(entry, names, who.person.id))


def entry_page(entry_id: int, request: Request, web: WebDep, who: PersonDep,
               session: SessionDep, t: Annotated[float | None, Query(ge=0)] = None
               ) -> HTMLResponse:
    """One entry: its recording, read-aloud, timed transcript and the answers under it.

    Opening it clears its unread mark. ``t`` (from a transcript line without JavaScript)
    starts the player at that moment.
    """
    try:
        entry = get_entry(session, who.person, entry_id)
        mark_read(session, who.person, entry_id)
    except ConfideError as exc:
        return error_page(request, web, who, exc)
    return _entry_page(request, web, who, session, entry, start_at=t)


def answer_entry(entry_id: int, request: Request, web: WebDep, who: PersonDep,
                 session: SessionDep, text: Annotated[str, Form()] = "",
                 csrf_token: CsrfField = "") -> Response:
    """A written answer under an entry (the form that works without JavaScript)."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        add_response(session, who.person, entry_id, text=text)
    except NotFound as exc:
        return error_page(request, web, who, exc)
    except ConfideError as exc:
        session.rollback()
        entry = get_entry(session, who.person, entry_id)
        return _entry_page(request, web, who, session, entry, answer=text, error=str(exc),
                           status=status_for(exc))
    return redirect(f"/entries/{entry_id}?done=answered#answers")


def change_visibility(entry_id: int, request: Request, web: WebDep, who: PersonDep,
                      session: SessionDep, visibility: Annotated[str, Form()] = "",
                      csrf_token: CsrfField = "") -> Response:
    """Share an own entry with the partner, or take it back (hidden from them at once)."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    try:
        set_visibility(session, who.person, entry_id, visibility)
    except ConfideError as exc:
        session.rollback()
        return error_page(request, web, who, exc)
    done = "shared" if visibility == "shared" else "unshared"
    return redirect(f"/entries/{entry_id}?done={done}")


def search_page(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
                q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """Full-text search over what the person may see: their own entries and shared ones."""
    hits: list[tuple[EntryCard, str]] = []
    error: str | None = None
    query = q.strip()
    if query:
        try:
            found = search(session, who.person, query)
            shown = cards(session, who.person, [h.entry for h in found])
            hits = list(zip(shown, [h.snippet for h in found], strict=True))
        except InvalidInput as exc:
            error = str(exc)
    return web.render(request, "search.html", {
        "q": query, "hits": hits, "error": error, "searched": bool(query),
        "tz": who.person.timezone,
    }, person=who.person, csrf=who.csrf, title=f"Search: {query}" if query else "Search")


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/journal", shared_journal, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route("/journal/updates", journal_updates, methods=["GET"])
    router.add_api_route("/private", private_journal, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route("/entries", write_entry, methods=["POST"])
    router.add_api_route("/entries/{entry_id}", entry_page, methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route("/entries/{entry_id}/answers", answer_entry, methods=["POST"])
    router.add_api_route("/entries/{entry_id}/visibility", change_visibility, methods=["POST"])
    router.add_api_route("/search", search_page, methods=["GET"], response_class=HTMLResponse)
