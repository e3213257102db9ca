"""Full-text search over the transcripts and responses a person may see.

SQLite uses the FTS5 index the first migration creates (kept in step by triggers);
PostgreSQL uses to_tsvector. Either way results pass through the visibility rule.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from models.errors import InvalidInput
from models.tables import Entry, Person, Response
from models.visibility import entry_visible, viewer_for, viewer_params, visible_template

__all__ = ["SearchHit", "search"]

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchHit:
    entry: Entry
    snippet: str


def _fts_query(text: str) -> str:
    """User words as quoted FTS5 terms (no operators), the last one as a prefix."""
    words = _WORD.findall(text)[:12]
    if not words:
        raise InvalidInput("Search for at least one word.")
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


def _snippet(body: str, words: list[str], width: int = 160) -> str:
    lower = body.lower()
    pos = min((p for w in words if (p := lower.find(w.lower())) >= 0), default=0)
    start = max(0, pos - width // 3)
    piece = body[start:start + width].strip()
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(body) else "")


@functools.cache
def _allowed_query(coupled: bool) -> SelectOfScalar[int] | SelectOfScalar[None]:
    return select(Entry.id).where(col(Entry.id).in_(sa.bindparam("ids", expanding=True)),
                                  visible_template(coupled))


@functools.cache
def _entries_query() -> SelectOfScalar[Entry]:
    return select(Entry).where(col(Entry.id).in_(sa.bindparam("ids", expanding=True)))


@functools.cache
def _reply_query() -> SelectOfScalar[str]:
    return select(Response.text).where(
        col(Response.entry_id) == sa.bindparam("entry_id", type_=sa.Integer))


def search(session: Session, person: Person, text: str, *, limit: int = 50) -> list[SearchHit]:
    """Entries (by their transcript or a response under them) matching every word, best first."""
    if len(text) > 200:
        raise InvalidInput("A search can be at most 200 characters.")
    words = _WORD.findall(text)
    viewer = viewer_for(session, person)
    dialect = session.get_bind().dialect.name
    ids: list[int] = []
    if dialect == "sqlite":
        journals = [j for j in (viewer.private_journal_id, viewer.shared_journal_id) if j]
        # The index carries each row's journal as a "j<id>" token in ``scope``, so FTS5
        # intersects the word and journal doclists itself instead of ranking every match
        # of every couple; the few rows left are ranked and read.
        scope = " OR ".join(f'"j{j}"' for j in journals)
        rows = session.connection().execute(
            sa.text("SELECT entry_id FROM search_fts WHERE search_fts MATCH :q "
                    "ORDER BY rank LIMIT :n"),
            {"q": f"body : ({_fts_query(text)}) AND scope : ({scope})", "n": limit * 4},
        )
        candidate_ids: list[int] = []
        for (entry_id,) in rows:
            if int(entry_id) not in candidate_ids:
                candidate_ids.append(int(entry_id))
        candidate_ids = candidate_ids[: limit * 2]
        if candidate_ids:
            # The journal filter is a superset; the one rule has the last word.
            allowed = set(session.exec(
                _allowed_query(viewer.shared_journal_id is not None),
                params={"ids": candidate_ids, **viewer_params(viewer)},
            ))
            ids = [i for i in candidate_ids if i in allowed][:limit]
    else:
        if not words:
            raise InvalidInput("Search for at least one word.")
        tsq = sa.func.plainto_tsquery("english", " ".join(words))
        in_entry = sa.func.to_tsvector("english", col(Entry.transcript)).op("@@")(tsq)
        in_response = (
            select(Response.id)
            .where(Response.entry_id == Entry.id,
                   sa.func.to_tsvector("english", col(Response.text)).op("@@")(tsq))
            .exists()
        )
        ids = [i for i in session.exec(
            select(Entry.id).where(entry_visible(viewer), sa.or_(in_entry, in_response))
            .order_by(col(Entry.created_at).desc()).limit(limit)
        ) if i is not None]
    if not ids:
        return []
    entries = {e.id: e for e in session.exec(_entries_query(), params={"ids": ids})}
    hits = []
    for i in ids:
        entry = entries[i]
        body = entry.transcript
        if not any(w.lower() in body.lower() for w in words):
            reply = session.exec(_reply_query(), params={"entry_id": i}).first()
            body = reply or body
        hits.append(SearchHit(entry, _snippet(body, words)))
    return hits
