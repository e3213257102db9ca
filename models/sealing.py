"""Sealed content: what entries, responses and check-ins say, sealed with their data keys.

At rest only ``sealed`` holds the words (and an entry's segments, mood and tags); the plain
columns are empty. In memory, a reader who opened an item sees the words in the usual
attributes (``entry.transcript``…), set as committed values so they are never flushed. A
flush guard refuses any plain text that would reach the database, so a new code path that
forgets to seal fails loudly instead of leaking.

Who may open a data key is decided by its wraps (models/keys.py): an entry is wrapped for
its author always and for the couple while it is shared; a response, a check-in and a
mutual answer for the couple.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from confide.models import crypto, keys
from confide.models.errors import ConfideError, Locked
from confide.models.keys import Keys, Reader
from confide.models.tables import Entry, GoalCheckIn, Journal, Person, Response

__all__ = [
    "PlainTextLeak",
    "entry_fields",
    "entry_readers",
    "entry_values",
    "keys_for",
    "new_data_key",
    "open_checkins",
    "open_entries",
    "open_entry",
    "open_responses",
    "require_keys",
    "seal_checkin",
    "seal_entry",
    "seal_response",
    "seal_values",
    "show_entry",
    "use_keys",
]

log = logging.getLogger(__name__)

_ENTRY_FIELDS = ("transcript", "segments", "mood", "tags")


class PlainTextLeak(ConfideError):
    """Journal content was about to be written unsealed: a bug, refused before the write."""


_KEYS = "confide.keys"


def use_keys(session: Session, unlocked: Keys) -> None:
    """Let this session's reads open what ``unlocked`` may open (memory only; the API does
    this per request from the keys its sign-in unlocked, the CLI and voice loop once)."""
    session.info.setdefault(_KEYS, {})[unlocked.person_id] = unlocked


def keys_for(session: Session, person_id: int | None) -> Keys | None:
    found: dict[int, Keys] = session.info.get(_KEYS, {})
    return found.get(person_id) if person_id is not None else None


def require_keys(session: Session, person: Person) -> Keys:
    unlocked = keys_for(session, person.id)
    if unlocked is None:
        raise Locked(f"{person.name}'s journal is locked; unlock it with the passphrase first.")
    return unlocked


def _text_key(data_key: bytes) -> bytes:
    return crypto.derive(data_key, "text")


def _seal_json(data_key: bytes, value: Any) -> bytes:
    return crypto.seal_box(_text_key(data_key), json.dumps(value, ensure_ascii=False).encode())


def seal_values(data_key: bytes, values: dict[str, Any]) -> bytes:
    """The sealed form of an item's words, for writers that update by statement."""
    return _seal_json(data_key, values)


def _open_json(data_key: bytes, blob: bytes) -> Any:
    return json.loads(crypto.open_box(_text_key(data_key), blob))


def entry_readers(session: Session, entry: Entry) -> list[Reader]:
    """Who holds a wrap of an entry's key: its author, and the couple while it is shared."""
    readers: list[Reader] = [("person", entry.author_id)]
    journal = session.get(Journal, entry.journal_id)
    if journal is not None and journal.kind == "shared" and journal.couple_id is not None:
        readers.append(("couple", journal.couple_id))
    return readers


def new_data_key(session: Session, item_kind: str, item_id: int, readers: Sequence[Reader],
                 unlocked: Keys | None = None) -> bytes:
    """A fresh data key for a new item, wrapped for its readers (no secret needed)."""
    data_key = crypto.new_key()
    keys.wrap_item(session, item_kind, item_id, data_key, readers, unlocked)
    return data_key


def _show(obj: Any, values: dict[str, Any]) -> None:
    # Committed values are what an INSERT writes: only ever set them on saved rows.
    assert not inspect(obj).pending and not inspect(obj).transient, "flush the row first"
    for name, value in values.items():
        set_committed_value(obj, name, value)


def seal_entry(entry: Entry, data_key: bytes, *, transcript: str, segments: list[dict[str, Any]],
               mood: str | None, tags: list[str]) -> None:
    """Seal an entry's words into ``entry.sealed``; the plain columns stay empty on disk and
    show the words in memory."""
    entry.sealed = _seal_json(data_key, {"transcript": transcript, "segments": segments,
                                         "mood": mood, "tags": tags})
    _show(entry, {"transcript": transcript, "segments": segments, "mood": mood, "tags": tags})


def entry_fields(data_key: bytes, entry: Any) -> dict[str, Any]:
    """An entry's (or a listed row's) opened words by column name."""
    if entry.sealed is None:
        return {}
    value = _open_json(data_key, entry.sealed)
    return {name: value.get(name) for name in _ENTRY_FIELDS} | {
        "segments": value.get("segments") or [], "tags": value.get("tags") or [],
        "transcript": value.get("transcript") or ""}


def show_entry(entry: Entry, data_key: bytes) -> Entry:
    """Show an entry's words with a data key the caller already holds (it recorded them)."""
    _show(entry, entry_fields(data_key, entry))
    return entry


def open_entry(session: Session, unlocked: Keys, entry: Entry, couple_id: int | None) -> Entry:
    """Show a sealed entry's words on the object (in memory only)."""
    if entry.sealed is not None and entry.id is not None:
        data_key = unlocked.data_key(session, "entry", entry.id, couple_id)
        _show(entry, entry_fields(data_key, entry))
    return entry


def _open_many(session: Session, unlocked: Keys, kind: str, items: Sequence[Any],
               couple_id: int | None, words: Callable[[bytes, Any], dict[str, Any]]) -> None:
    """Show the words of many items of one kind, with one query for their keys; an item
    this reader holds no key for (the visibility rule never gives one) keeps empty words."""
    found = unlocked.data_keys(session, kind, [i.id for i in items if i.id is not None],
                               couple_id)
    for item in items:
        if item.id in found and item.sealed is not None:
            _show(item, words(found[item.id], item))


def open_entries(session: Session, unlocked: Keys, entries: Sequence[Entry],
                 couple_id: int | None) -> list[Entry]:
    """``open_entry`` for many."""
    _open_many(session, unlocked, "entry", entries, couple_id, entry_fields)
    return list(entries)


def entry_values(session: Session, unlocked: Keys, rows: Sequence[Any],
                 couple_id: int | None) -> dict[int, dict[str, Any]]:
    """The words of listed rows (plain rows with ``id`` and ``sealed``, which cannot be
    shown on), by id."""
    found = unlocked.data_keys(session, "entry", [r.id for r in rows], couple_id)
    return {r.id: entry_fields(found[r.id], r) for r in rows
            if r.id in found and r.sealed is not None}


def seal_response(response: Response, data_key: bytes, text: str) -> None:
    response.sealed = _seal_json(data_key, {"text": text})
    _show(response, {"text": text})


def open_responses(session: Session, unlocked: Keys, responses: Sequence[Response],
                   couple_id: int | None) -> list[Response]:
    _open_many(session, unlocked, "response", responses, couple_id,
               lambda key, r: {"text": _open_json(key, r.sealed)["text"]})
    return list(responses)


def seal_checkin(checkin: GoalCheckIn, data_key: bytes, reflection: str) -> None:
    checkin.sealed = _seal_json(data_key, {"reflection": reflection})
    _show(checkin, {"reflection": reflection})


def open_checkins(session: Session, unlocked: Keys, checkins: Sequence[GoalCheckIn],
                  couple_id: int | None) -> list[GoalCheckIn]:
    _open_many(session, unlocked, "checkin", checkins, couple_id,
               lambda key, c: {"reflection": _open_json(key, c.sealed)["reflection"]})
    return list(checkins)


_PLAIN: dict[type[Any], tuple[str, ...]] = {
    Entry: _ENTRY_FIELDS,
    Response: ("text",),
    GoalCheckIn: ("reflection",),
}


def _refuse_plain_text(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Before every flush: no entry, response or check-in may carry words in a plain column."""
    for obj in (*session.new, *session.dirty):
        fields = _PLAIN.get(type(obj))
        if not fields:
            continue
        state = obj.__dict__
        for name in fields:
            value = state.get(name)
            if value and name in _changed(obj):
                raise PlainTextLeak(f"{type(obj).__name__}.{name} would be written unsealed.")


def _changed(obj: Any) -> set[str]:
    insp = inspect(obj)
    if insp.pending or insp.transient:
        return {a.key for a in insp.attrs if a.history.added or a.key in obj.__dict__}
    return {a.key for a in insp.attrs if a.history.has_changes()}


event.listen(OrmSession, "before_flush", _refuse_plain_text)
