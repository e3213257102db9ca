"""Full-text search without plaintext: a blind index of keyed word hashes.

Each word of an entry (its transcript, its tags and the responses under it) is stemmed and
stored as ``index_term(journal index key, stem)``, where the index key comes from the secret
of the journal's reader (the author for a private journal, the couple for a shared one). So
the database answers "which entries hold this hash" and nothing else, and only someone who
unlocked that journal can ask. Words are indexed when a reader with the key writes them, or
at the next unlock (``index_pending``) when they were written locked. Results pass through
the visibility rule like every read.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import snowballstemmer
import sqlalchemy as sa
from sqlmodel import Session, col, select

from confide.models.crypto import index_term
from confide.models.errors import InvalidInput, SealError
from confide.models.keys import Keys, Reader
from confide.models.sealing import entry_readers, open_entries, open_responses, require_keys
from confide.models.tables import Entry, Journal, Person, Response, SearchTerm
from confide.models.visibility import viewer_for, viewer_params, visible_template

__all__ = ["SearchHit", "index_entry", "index_pending", "index_terms_for", "search", "stems"]

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12


@dataclass(frozen=True, slots=True)
class SearchHit:
    entry: Entry
    snippet: str


@functools.cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stems(text: str) -> list[str]:
    """The words of ``text`` as the index keeps them: folded, stemmed, in order, once each."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        seen.setdefault(_stemmer().stemWord(_fold(word)), None)
    return list(seen)


def _scope(session: Session, entry: Entry) -> Reader:
    """The reader whose index key an entry's words are hashed with: its journal's."""
    return entry_readers(session, entry)[-1]


def index_entry(session: Session, unlocked: Keys, entry: Entry) -> bool:
    """(Re)index an opened entry and its responses; False if this reader lacks the key."""
    assert entry.id is not None
    try:
        key = unlocked.index_key(session, _scope(session, entry))
    except SealError:
        return False
    journal = session.get(Journal, entry.journal_id)
    couple_id = journal.couple_id if journal is not None else None
    replies = open_responses(session, unlocked, list(session.exec(
        select(Response).where(Response.entry_id == entry.id))), couple_id)
    words = stems(" ".join([entry.transcript, *(r.text for r in replies)]))
    words += [f"#{tag}" for tag in entry.tags or []]
    session.exec(sa.delete(SearchTerm).where(col(SearchTerm.entry_id) == entry.id))
    session.add_all(SearchTerm(entry_id=entry.id, term=index_term(key, w)) for w in words)
    entry.indexed = True
    session.add(entry)
    session.flush()
    return True


def index_pending(session: Session, unlocked: Keys, person: Person) -> int:
    """Index the entries this reader may see that were written while nobody held the key."""
    viewer = viewer_for(session, person)
    journals = [j for j in (viewer.private_journal_id, viewer.shared_journal_id) if j]
    waiting = list(session.exec(select(Entry).where(
        col(Entry.journal_id).in_(journals), col(Entry.indexed).is_(False),
        col(Entry.status).in_(("ready", "no_speech")),
        sa.or_(col(Entry.journal_id) != viewer.private_journal_id,
               col(Entry.author_id) == viewer.person_id))))
    done = 0
    for entry in open_entries(session, unlocked, waiting, person.couple_id):
        done += index_entry(session, unlocked, entry)
    return done


def _snippet(body: str, words: list[str], width: int = 160) -> str:
    lower = _fold(body)
    pos = min((p for w in words if (p := lower.find(w)) >= 0), default=0)
    start = max(0, pos - width // 3)
    piece = body[start:start + width].strip()
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(body) else "")


@functools.cache
def _search_query(coupled: bool, n_words: int, n_keys: int) -> sa.Select[Any]:
    query = sa.select(col(Entry.id)).where(visible_template(coupled))
    for w in range(n_words):
        terms = [sa.bindparam(f"t{w}_{k}", type_=sa.LargeBinary) for k in range(n_keys)]
        query = query.where(col(Entry.id).in_(
            sa.select(col(SearchTerm.entry_id)).where(col(SearchTerm.term).in_(terms))))
    return (query.order_by(col(Entry.created_at).desc(), col(Entry.id).desc())
            .limit(sa.bindparam("limit", type_=sa.Integer)))


def _index_keys(session: Session, unlocked: Keys, person: Person) -> list[bytes]:
    readers: Iterable[Reader] = unlocked.readers(person.couple_id)
    found = []
    for reader in readers:
        try:
            found.append(unlocked.index_key(session, reader))
        except SealError:
            continue  # a couple still waiting for its partner has no shared index yet
    return found


def index_terms_for(session: Session, unlocked: Keys, person: Person, word: str) -> list[bytes]:
    """The hashes ``word`` (already a stem or a "#tag") has in each journal the person reads."""
    return [index_term(key, word) for key in _index_keys(session, unlocked, person)]


def search(session: Session, person: Person, text: str, *, limit: int = 50) -> list[SearchHit]:
    """Entries (by their words, tags or a response under them) holding every word, newest
    first. Needs the person's unlocked keys: the index is meaningless without them."""
    if len(text) > 200:
        raise InvalidInput("A search can be at most 200 characters.")
    words = stems(text)[:MAX_WORDS]
    if not words:
        raise InvalidInput("Search for at least one word.")
    unlocked = require_keys(session, person)
    viewer = viewer_for(session, person)
    index_keys = _index_keys(session, unlocked, person)
    params = viewer_params(viewer) | {"limit": limit} | {
        f"t{w}_{k}": index_term(key, word)
        for w, word in enumerate(words) for k, key in enumerate(index_keys)}
    query = _search_query(viewer.shared_journal_id is not None, len(words), len(index_keys))
    ids = [int(i) for (i,) in session.execute(query, params)]
    if not ids:
        return []
    found = {e.id: e for e in session.exec(select(Entry).where(col(Entry.id).in_(ids)))}
    opened = open_entries(session, unlocked, [found[i] for i in ids], person.couple_id)
    hits = []
    folded = [_fold(w) for w in _WORD.findall(text)]
    for entry in opened:
        body = entry.transcript
        if not any(w in _fold(body) for w in folded):
            replies = open_responses(session, unlocked, list(session.exec(
                select(Response).where(Response.entry_id == entry.id))), person.couple_id)
            body = next((r.text for r in replies if any(w in _fold(r.text) for w in folded)),
                        body)
        hits.append(SearchHit(entry, _snippet(body, folded)))
    return hits
