"""Recorded entries: the audio is stored (sealed, fsynced) before the row, the transcript
attached when the transcription job or the voice loop has it, a failure kept with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from confide.models import crypto, jobs, keys, sealing
from confide.models.entry_rules import check_mood, clean_tags, index_if_unlocked, journal_id_for
from confide.models.errors import InvalidInput, NotFound
from confide.models.keys import Keys
from confide.models.sealing import entry_readers
from confide.models.storage import AudioStore
from confide.models.tables import (
    Entry,
    Person,
    utcnow,
)
from confide.models.transcript import TranscriptData

if TYPE_CHECKING:  # annotations only: reading the journal loads no NumPy
    import numpy as np

__all__ = ["attach_transcript", "create_entry_from_audio", "entry_for_audio_name",
           "mark_failed"]

def create_entry_from_audio(
    session: Session,
    store: AudioStore,
    author: Person,
    samples: np.ndarray,
    rate: int,
    *,
    journal: str = "private",
    prompt_id: str | None = None,
    prompt_text: str | None = None,
    kind: str = "reflection",
    mutual_key: str | None = None,
    audio_name: str | None = None,
    created_at: datetime | None = None,
    data_key: bytes | None = None,
    unlocked: Keys | None = None,
    mood: str | None = None,
    tags: Sequence[str] = (),
) -> Entry:
    """Store the recording durably (sealed), then the row (status 'recorded'), its key's
    wraps and its transcription job. No secret is needed: the key is sealed for the readers.
    ``mood`` and ``tags`` (an import's) are sealed with it at once; the transcript keeps them.

    The audio is on disk and fsynced before the row exists; if the row cannot be written
    the file is removed again, so nothing points nowhere and nothing is orphaned.
    ``data_key``: the key the reply was recorded under (the voice loop keeps it to attach
    the transcript it made while listening).
    """
    jid = journal_id_for(session, author, journal)
    if samples.size == 0:
        raise InvalidInput("The recording is empty.")
    mood, cleaned_tags = check_mood(mood), clean_tags(tags)
    data_key = data_key or crypto.new_key()
    rel = store.write_audio(samples, rate, data_key, name=audio_name)
    try:
        assert author.id is not None
        entry = Entry(
            author_id=author.id,
            journal_id=jid,
            prompt_id=prompt_id,
            prompt_text=prompt_text,
            kind=kind,
            couple_mutual_key=mutual_key,
            audio_path=rel,
            audio_duration_s=round(float(samples.shape[0]) / rate, 3),
            audio_sample_rate=rate,
            status="recorded",
            created_at=created_at or utcnow(),
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        keys.wrap_item(session, "entry", entry.id, data_key, entry_readers(session, entry),
                       unlocked or sealing.keys_for(session, author.id))
        if mood is not None or cleaned_tags:
            sealing.seal_entry(entry, data_key, transcript="", segments=[], mood=mood,
                               tags=cleaned_tags)
            session.add(entry)
            session.flush()
        jobs.enqueue(session, entry_id=entry.id, data_key=data_key)
    except BaseException:
        session.rollback()
        store.delete(rel)
        raise
    return entry


def entry_for_audio_name(session: Session, audio_name: str) -> Entry | None:
    """The entry whose recording was stored under ``audio_name`` (recovery's idempotence)."""
    return session.exec(
        select(Entry).where(col(Entry.audio_path).like(f"%/{audio_name}.%"))
    ).first()


def attach_transcript(session: Session, entry_id: int, transcript: TranscriptData,
                      data_key: bytes | None = None) -> Entry:
    """Give a recorded entry its text, sealed with its key (given, or opened with the
    author's keys in this session); silence becomes status 'no_speech', never invented
    text. Mood and tags set meanwhile are kept."""
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound(f"Entry {entry_id} was not found.")
    if data_key is None:
        author = session.get(Person, entry.author_id)
        assert author is not None
        data_key = sealing.require_keys(session, author).data_key(
            session, "entry", entry_id, author.couple_id)
    before = sealing.entry_fields(data_key, entry)
    sealing.seal_entry(entry, data_key, transcript=transcript.text.strip(),
                       segments=[s.to_dict() for s in transcript.segments],
                       mood=before.get("mood"), tags=before.get("tags") or [])
    entry.language = transcript.language
    entry.word_count = transcript.word_count
    entry.status = "no_speech" if transcript.no_speech else "ready"
    entry.status_reason = "Nothing was said in this recording." if transcript.no_speech else None
    entry.updated_at = utcnow()
    entry.indexed = False
    session.add(entry)
    jobs.finish_jobs_for(session, entry_id=entry_id)
    session.flush()
    index_if_unlocked(session, entry, None)
    return entry


def mark_failed(session: Session, entry_id: int, reason: str) -> None:
    entry = session.get(Entry, entry_id)
    if entry is None:
        return
    jobs.finish_jobs_for(session, entry_id=entry_id, error=reason)
    entry.status = "failed" if _all_jobs_failed(session, entry_id) else "recorded"
    entry.status_reason = reason[:300]
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()


def _all_jobs_failed(session: Session, entry_id: int) -> bool:
    from confide.models.tables import TranscriptionJob

    open_jobs = session.exec(
        select(TranscriptionJob.id).where(
            TranscriptionJob.entry_id == entry_id,
            col(TranscriptionJob.status).in_(("queued", "running")),
        )
    ).first()
    return open_jobs is None

