"""Listing entries: filtered pages of plain rows behind a cursor, what is unread, the news.

A page is read far more often than anything is written, so it is one cached statement per
combination of filters, executed over plain rows (no ORM objects, no timed segments).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from confide.models import sealing
from confide.models.entry_rules import clean_tags, get_entry
from confide.models.errors import InvalidInput
from confide.models.tables import (
    Entry,
    EntryRead,
    Person,
    SearchTerm,
    utcnow,
)
from confide.models.visibility import (
    Viewer,
    entry_visible,
    viewer_for,
    viewer_params,
    visible_template,
)

__all__ = ["EntryFilter", "EntryPage", "EntryView", "ListedEntry", "list_entries",
           "mark_read", "news_for", "unread_ids"]


@dataclass(frozen=True, slots=True)
class EntryFilter:
    journal: Literal["private", "shared"] | None = None
    author: Literal["me", "partner"] | None = None
    since: datetime | None = None
    until: datetime | None = None
    prompt_id: str | None = None
    tag: str | None = None


class EntryView(Protocol):
    """What a list or a card reads of an entry: an ``Entry``, or a row of a page."""

    @property
    def id(self) -> int | None: ...
    @property
    def author_id(self) -> int: ...
    @property
    def journal_id(self) -> int: ...
    @property
    def prompt_id(self) -> str | None: ...
    @property
    def prompt_text(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def audio_path(self) -> str | None: ...
    @property
    def audio_duration_s(self) -> float | None: ...
    @property
    def transcript(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def word_count(self) -> int: ...
    @property
    def mood(self) -> str | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def status(self) -> str: ...
    @property
    def status_reason(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


class ListedEntry(EntryView, Protocol):
    """An entry on a page: a plain row (no ORM object, no timed segments), with whether the
    viewer has opened it, so a page needs neither object loading nor an unread query."""

    @property
    def opened(self) -> bool: ...
    @property
    def _mapping(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[ListedEntry]
    next_cursor: str | None


def _encode_cursor(entry: EntryView) -> str:
    raw = f"{entry.created_at.timestamp():.6f}:{entry.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        ts, ident = raw.split(":")
        from datetime import UTC

        if not 0 <= int(ident) < 2**63:
            raise ValueError("cursor id out of range")
        return datetime.fromtimestamp(float(ts), UTC), int(ident)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError) as exc:
        raise InvalidInput("That page cursor is not valid.") from exc


@functools.cache
def _page_query(coupled: bool, given: frozenset[str]) -> sa.Select[Any]:
    """One listing statement per combination of filters (``given``: the names of the bound
    parameters a page supplies), so a page costs an execution, not a build and compile."""
    def param(name: str, type_: Any = sa.Integer) -> Any:
        return sa.bindparam(name, type_=type_)

    listed = [c for c in Entry.__table__.c if c.name != "segments"]  # type: ignore[attr-defined]
    opened = sa.and_(col(EntryRead.entry_id) == col(Entry.id),
                     col(EntryRead.person_id) == param("v_person"))
    query = (sa.select(*listed, col(EntryRead.entry_id).is_not(None).label("opened"))
             .outerjoin(EntryRead, opened)
             .where(visible_template(coupled)))
    if "f_journal" in given:
        query = query.where(col(Entry.journal_id) == param("f_journal"))
    if "f_author" in given:
        query = query.where(col(Entry.author_id) == param("f_author"))
    if "f_since" in given:
        query = query.where(col(Entry.created_at) >= sa.bindparam("f_since"))
    if "f_until" in given:
        query = query.where(col(Entry.created_at) < sa.bindparam("f_until"))
    if "f_prompt" in given:
        query = query.where(col(Entry.prompt_id) == param("f_prompt", sa.String))
    if "f_tag0" in given:
        tag_terms = [sa.bindparam(n, type_=sa.LargeBinary) for n in sorted(given)
                     if n.startswith("f_tag")]
        query = query.where(col(Entry.id).in_(
            sa.select(col(SearchTerm.entry_id)).where(col(SearchTerm.term).in_(tag_terms))))
    if "f_at" in given:
        at: sa.BindParameter[datetime] = sa.bindparam("f_at")
        query = query.where(
            sa.or_(col(Entry.created_at) < at,
                   sa.and_(col(Entry.created_at) == at, col(Entry.id) < param("f_id")))
        )
    return (query.order_by(col(Entry.created_at).desc(), col(Entry.id).desc())
            .limit(param("f_limit")))


def list_entries(session: Session, person: Person, flt: EntryFilter | None = None, *,
                 cursor: str | None = None, limit: int = 50) -> EntryPage:
    """Visible entries, newest first, filtered, one page at a time, as plain rows
    (``ListedEntry``): a page is read far more often than anything is written."""
    flt = flt or EntryFilter()
    if not 1 <= limit <= 200:
        raise InvalidInput("limit must be between 1 and 200.")
    viewer = viewer_for(session, person)
    params = viewer_params(viewer)
    if flt.journal == "private":
        params["f_journal"] = viewer.private_journal_id
    elif flt.journal == "shared":
        params["f_journal"] = viewer.shared_journal_id or -1
    if flt.author == "me":
        params["f_author"] = viewer.person_id
    elif flt.author == "partner":
        params["f_author"] = viewer.partner_id or -1
    if flt.since is not None:
        params["f_since"] = flt.since
    if flt.until is not None:
        params["f_until"] = flt.until
    if flt.prompt_id is not None:
        params["f_prompt"] = flt.prompt_id
    unlocked = sealing.keys_for(session, person.id)
    if flt.tag is not None:
        # Tags are sealed too: the filter looks for the tag's hash in the blind index.
        from confide.models.search import index_terms_for

        tag = f"#{clean_tags([flt.tag])[0]}"
        for i, term in enumerate(index_terms_for(session, sealing.require_keys(session, person),
                                                 person, tag)):
            params[f"f_tag{i}"] = term
        params.setdefault("f_tag0", b"")
    if cursor:
        params["f_at"], params["f_id"] = _decode_cursor(cursor)
    params["f_limit"] = limit + 1
    query = _page_query(viewer.shared_journal_id is not None, frozenset(params))
    found = session.execute(query, params).all()
    more = len(found) > limit
    found = found[:limit]
    words = (sealing.entry_values(session, unlocked, found, person.couple_id)
             if unlocked is not None else {})
    rows = cast(list[ListedEntry], [_Listed({**r._mapping, **words.get(r.id, {})})
                                    for r in found])
    return EntryPage(rows, _encode_cursor(rows[-1]) if more and rows else None)


class _Listed:
    """A page row with its words opened (in memory): read by key or by attribute."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


def mark_read(session: Session, person: Person, entry_id: int) -> None:
    """Remember that the person opened this entry (clears its unread mark)."""
    entry = get_entry(session, person, entry_id)
    assert person.id is not None and entry.id is not None
    if session.get(EntryRead, (person.id, entry.id)) is None:
        session.add(EntryRead(person_id=person.id, entry_id=entry.id))
        session.flush()


def unread_ids(session: Session, person: Person, entry_ids: Sequence[int]) -> set[int]:
    """Which of these entries (the partner's) the person has not opened yet."""
    if not entry_ids:
        return set()
    read = set(session.exec(
        select(EntryRead.entry_id).where(
            EntryRead.person_id == person.id, col(EntryRead.entry_id).in_(list(entry_ids))
        )
    ))
    authored_by_other = {i for i in session.exec(
        select(Entry.id).where(col(Entry.id).in_(list(entry_ids)), Entry.author_id != person.id)
    ) if i is not None}
    return {i for i in authored_by_other if i not in read}


def news_for(session: Session, person: Person, *, mark_seen: bool = False) -> list[Entry]:
    """The partner's visible shared entries since the person last heard the news."""
    viewer: Viewer = viewer_for(session, person)
    if viewer.partner_id is None:
        return []
    query = select(Entry).where(entry_visible(viewer), Entry.author_id == viewer.partner_id,
                                Entry.journal_id == viewer.shared_journal_id)
    if person.news_seen_at is not None:
        query = query.where(col(Entry.created_at) > person.news_seen_at)
    found = list(session.exec(query.order_by(col(Entry.created_at))))
    unlocked = sealing.keys_for(session, person.id)
    if unlocked is not None:
        sealing.open_entries(session, unlocked, found, person.couple_id)
    if mark_seen:
        person.news_seen_at = utcnow()
        session.add(person)
        session.flush()
    return found
