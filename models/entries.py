"""Journal entries: spoken or written reflections, their transcripts, sharing and deletion.

The write path for every change to an entry goes through here, so the voice loop, the CLI
and the API share one function for "share it", "delete that" or "attach the transcript".
This module writes and changes entries; recordings and their transcripts are in
``models.entry_audio``, pages and news in ``models.entry_list``, the checks they share in
``models.entry_rules``. Their names are re-exported here: callers name ``models.entries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from confide.models import keys, sealing
from confide.models.entry_audio import (
    attach_transcript,
    create_entry_from_audio,
    entry_for_audio_name,
    mark_failed,
)
from confide.models.entry_list import (
    EntryFilter,
    EntryPage,
    EntryView,
    ListedEntry,
    list_entries,
    mark_read,
    news_for,
    unread_ids,
)
from confide.models.entry_rules import (
    MAX_TAGS,
    MAX_TEXT,
    check_mood,
    clean_tags,
    get_entry,
    index_if_unlocked,
    journal_id_for,
    read_entry,
)
from confide.models.errors import Conflict, Forbidden, InvalidInput, Locked
from confide.models.keys import Keys
from confide.models.sealing import entry_readers
from confide.models.storage import AudioStore
from confide.models.tables import (
    Entry,
    EntryRead,
    Person,
    Response,
    SearchTerm,
    utcnow,
)

__all__ = [
    "MAX_TAGS",
    "MAX_TEXT",
    "EntryFilter",
    "EntryPage",
    "EntryView",
    "ListedEntry",
    "attach_transcript",
    "create_entry_from_audio",
    "create_written_entry",
    "delete_entry",
    "edit_entry",
    "entry_for_audio_name",
    "get_entry",
    "journal_id_for",
    "list_entries",
    "mark_failed",
    "mark_read",
    "news_for",
    "read_entry",
    "set_visibility",
    "unread_ids",
]


def create_written_entry(
    session: Session,
    author: Person,
    text: str,
    *,
    journal: str = "private",
    prompt_id: str | None = None,
    prompt_text: str | None = None,
    mood: str | None = None,
    tags: Sequence[str] = (),
    created_at: datetime | None = None,
    unlocked: Keys | None = None,
) -> Entry:
    """A typed reflection: an entry like any other, without audio, sealed at once."""
    body = text.strip()
    if not body:
        raise InvalidInput("A written entry needs some text.")
    if len(body) > MAX_TEXT:
        raise InvalidInput(f"A written entry can be at most {MAX_TEXT} characters.")
    jid = journal_id_for(session, author, journal)
    mood, cleaned_tags = check_mood(mood), clean_tags(tags)
    assert author.id is not None
    entry = Entry(
        author_id=author.id,
        journal_id=jid,
        prompt_id=prompt_id,
        prompt_text=prompt_text,
        kind="written",
        word_count=len(body.split()),
        status="ready",
        created_at=created_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    assert entry.id is not None
    unlocked = unlocked or sealing.keys_for(session, author.id)
    data_key = sealing.new_data_key(session, "entry", entry.id, entry_readers(session, entry),
                                    unlocked)
    sealing.seal_entry(entry, data_key, transcript=body, segments=[], mood=mood, tags=cleaned_tags)
    session.add(entry)
    session.flush()
    index_if_unlocked(session, entry, unlocked)
    return entry


def _own_entry(session: Session, person: Person, entry_id: int) -> Entry:
    """The entry if the person wrote it; Forbidden if they only see it; NotFound otherwise."""
    entry = get_entry(session, person, entry_id)
    if entry.author_id != person.id:
        raise Forbidden("Only the author can change this entry.")
    return entry


def set_visibility(session: Session, person: Person, entry_id: int,
                   visibility: Literal["private", "shared"] | str, *,
                   data_key: bytes | None = None) -> Entry:
    """Share an entry with the partner or take it back. Sharing wraps the entry's key for
    the couple (the voice loop passes the key it recorded with, so no unlock is needed);
    unsharing removes that wrap at once, and the couple's index of it."""
    entry = _own_entry(session, person, entry_id)
    if entry.kind == "mutual":
        raise Conflict("A mutual answer stays in the shared journal.")
    target = journal_id_for(session, person, visibility)
    if target == entry.journal_id:
        return entry
    assert entry.id is not None
    unlocked = sealing.keys_for(session, person.id)
    couple_reader: keys.Reader = ("couple", person.couple_id or 0)
    if visibility == "shared":
        if data_key is None:
            if unlocked is None:
                raise Locked("Unlock your journal to share an older entry.")
            data_key = unlocked.data_key(session, "entry", entry.id, person.couple_id)
        keys.wrap_item(session, "entry", entry.id, data_key, [couple_reader], unlocked)
    else:
        keys.remove_wraps(session, "entry", entry.id, couple_reader)
    session.exec(sa.delete(SearchTerm).where(col(SearchTerm.entry_id) == entry.id))
    entry.journal_id = target
    entry.indexed = False
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    if unlocked is not None and entry.sealed is not None:
        from confide.models.search import index_entry

        index_entry(session, unlocked, entry)
    return entry


def edit_entry(session: Session, person: Person, entry_id: int, *,
               transcript: str | None = None, mood: str | None = None,
               tags: Sequence[str] | None = None, clear_mood: bool = False) -> Entry:
    """Correct the transcript, set the mood or tags; only the author may, unlocked."""
    entry = _own_entry(session, person, entry_id)
    unlocked = sealing.require_keys(session, person)
    assert entry.id is not None
    new_text, new_mood, new_tags = entry.transcript, entry.mood, list(entry.tags or [])
    if transcript is not None:
        body = transcript.strip()
        if not body:
            raise InvalidInput("The transcript cannot be empty; delete the entry instead.")
        if len(body) > MAX_TEXT:
            raise InvalidInput(f"A transcript can be at most {MAX_TEXT} characters.")
        if body != new_text:
            entry.edited_at = utcnow()
        new_text = body
        entry.word_count = len(body.split())
        if entry.status == "no_speech":
            entry.status = "ready"
    if mood is not None or clear_mood:
        new_mood = None if clear_mood else check_mood(mood)
    if tags is not None:
        new_tags = clean_tags(tags)
    data_key = unlocked.data_key(session, "entry", entry.id, person.couple_id)
    sealing.seal_entry(entry, data_key, transcript=new_text, segments=list(entry.segments or []),
                       mood=new_mood, tags=new_tags)
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    if entry.status in ("ready", "no_speech"):
        from confide.models.search import index_entry

        index_entry(session, unlocked, entry)
    return entry


def delete_entry(session: Session, store: AudioStore, person: Person, entry_id: int) -> None:
    """Delete for real: the row, its responses, every wrap of their keys, and every audio or
    derived file of it."""
    entry = _own_entry(session, person, entry_id)
    replies = list(session.exec(select(Response).where(Response.entry_id == entry_id)))
    files = [entry.audio_path, *(r.audio_path for r in replies)]
    for reply in replies:
        assert reply.id is not None
        keys.remove_wraps(session, "response", reply.id)
    keys.remove_wraps(session, "entry", entry_id)
    session.exec(sa.delete(SearchTerm).where(col(SearchTerm.entry_id) == entry_id))
    session.exec(sa.delete(EntryRead).where(col(EntryRead.entry_id) == entry_id))
    session.exec(sa.delete(Response).where(col(Response.entry_id) == entry_id))
    session.delete(entry)
    session.flush()
    for rel in files:
        store.delete(rel)
    for derived in store.root.glob(f"derived/speech-entry-{entry_id}-*"):
        derived.unlink(missing_ok=True)
