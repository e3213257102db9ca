"""The one visibility rule. Every read of entries, responses, audio, search and export uses it.

A private entry is visible to its author only; a shared entry to both partners; a mutual
answer to its author, and to the partner only once the partner has answered the same
prompt too. Responses and audio follow their entry. Nothing else filters by hand.

The rule is written once (``_rule``) and instantiated two ways: with the viewer's ids as
literals (``entry_visible``, for queries composed elsewhere) and with bound parameters
(``visible_template`` plus ``viewer_params``), so hot queries are built and compiled once
and only executed per request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from confide.models.errors import NotFound
from confide.models.tables import Entry, Journal, Person

__all__ = [
    "Viewer",
    "entry_visible",
    "get_visible_entry",
    "remember_viewer",
    "viewer_columns",
    "viewer_for",
    "viewer_params",
    "visible_template",
]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking, with the journal ids the rule needs (computed once per request)."""

    person_id: int
    private_journal_id: int
    shared_journal_id: int | None
    couple_id: int | None
    partner_id: int | None
    partner_name: str | None = None


_MEMO = "confide.viewer"


def viewer_columns() -> tuple[Any, Any, Any, Any]:
    """The viewer's private journal, shared journal, partner id and partner name, as scalar
    subqueries on ``Person``: selected beside a person (the token lookup does, so a signed-in
    request finds who it is and what it may see in one statement) or on their own."""
    partner = aliased(Person, name="partner")
    return (
        select(Journal.id).where(Journal.kind == "private", Journal.owner_id == Person.id)
        .scalar_subquery(),
        select(Journal.id).where(Journal.kind == "shared", Journal.couple_id == Person.couple_id)
        .scalar_subquery(),
        select(partner.id).where(partner.couple_id == Person.couple_id, partner.id != Person.id)
        .limit(1).scalar_subquery(),
        select(partner.name).where(partner.couple_id == Person.couple_id,
                                   partner.id != Person.id).limit(1).scalar_subquery(),
    )


@functools.cache
def _viewer_query() -> Any:
    return sa.select(*viewer_columns()).where(
        col(Person.id) == sa.bindparam("person", type_=sa.Integer))


def remember_viewer(session: Session, person: Person, private: int | None, shared: int | None,
                    partner: int | None, partner_name: str | None) -> Viewer | None:
    """The person's ``Viewer`` from ``viewer_columns`` values, kept for the rest of the
    session's transaction (dropped whenever it flushes or ends, so a change of couple or
    journals within a request is always seen); None if a journal it needs is missing."""
    assert person.id is not None
    if private is None or (person.couple_id is not None and shared is None):
        return None
    coupled = person.couple_id is not None
    viewer = Viewer(person.id, private, shared if coupled else None, person.couple_id,
                    partner if coupled else None, partner_name if coupled else None)
    session.info[_MEMO] = ((person.id, person.couple_id), viewer)
    return viewer


def viewer_for(session: Session, person: Person) -> Viewer:
    """The person's ``Viewer``: remembered for this transaction, or one query."""
    assert person.id is not None
    memo: tuple[tuple[int, int | None], Viewer] | None = session.info.get(_MEMO)
    if memo is not None and memo[0] == (person.id, person.couple_id):
        return memo[1]
    viewer = remember_viewer(session, person,
                             *session.exec(_viewer_query(), params={"person": person.id}).one())
    if viewer is None:
        raise NoResultFound(f"Person {person.id} has no journal to read from.")
    return viewer


def _forget_viewer(session: OrmSession, *_args: Any) -> None:
    session.info.pop(_MEMO, None)


event.listen(OrmSession, "after_flush", _forget_viewer)
event.listen(OrmSession, "after_transaction_end", _forget_viewer)


@functools.cache
def _mine() -> type[Entry]:
    """One named alias for every query: a fresh ``aliased()`` per call changes the statement's
    cache key, so SQLAlchemy would compile every visibility query anew."""
    return aliased(Entry, name="mine")


def _rule(person: Any, private: Any, shared: Any | None) -> ColumnElement[bool]:
    """The rule itself, over literal ids or bound parameters (``shared`` None: no couple)."""
    own_private = sa.and_(col(Entry.journal_id) == private, col(Entry.author_id) == person)
    if shared is None:
        return own_private
    mine = _mine()
    viewer_answered_same_prompt = (
        select(mine.id)
        .where(
            col(mine.journal_id) == shared,
            col(mine.kind) == "mutual",
            col(mine.prompt_id) == col(Entry.prompt_id),
            col(mine.author_id) == person,
        )
        .exists()
    )
    shared_ok = sa.and_(
        col(Entry.journal_id) == shared,
        sa.or_(
            col(Entry.kind) != "mutual",
            col(Entry.author_id) == person,
            viewer_answered_same_prompt,
        ),
    )
    return sa.or_(own_private, shared_ok)


def entry_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition on ``Entry`` that is true exactly for the entries ``viewer`` may see."""
    return _rule(viewer.person_id, viewer.private_journal_id, viewer.shared_journal_id)


@functools.cache
def visible_template(coupled: bool) -> ColumnElement[bool]:
    """``entry_visible`` with bound parameters instead of ids, for statements built once;
    execute them with ``viewer_params(viewer)`` (``coupled``: the viewer has a shared journal).
    """
    return _rule(sa.bindparam("v_person", type_=sa.Integer),
                 sa.bindparam("v_private", type_=sa.Integer),
                 sa.bindparam("v_shared", type_=sa.Integer) if coupled else None)


def viewer_params(viewer: Viewer) -> dict[str, Any]:
    """The parameters ``visible_template(viewer.shared_journal_id is not None)`` needs."""
    params: dict[str, Any] = {"v_person": viewer.person_id, "v_private": viewer.private_journal_id}
    if viewer.shared_journal_id is not None:
        params["v_shared"] = viewer.shared_journal_id
    return params


@functools.cache
def _visible_entry_query(coupled: bool) -> SelectOfScalar[Entry]:
    return select(Entry).where(col(Entry.id) == sa.bindparam("entry_id", type_=sa.Integer),
                               visible_template(coupled))


def get_visible_entry(session: Session, viewer: Viewer, entry_id: int) -> Entry:
    """The entry if ``viewer`` may see it; otherwise NotFound, whether or not it exists."""
    entry = session.exec(
        _visible_entry_query(viewer.shared_journal_id is not None),
        params={"entry_id": entry_id, **viewer_params(viewer)},
    ).first()
    if entry is None:
        raise NotFound(f"Entry {entry_id} was not found.")
    return entry
