"""At start: file replies a crashed process left in pending/, then finish their transcripts."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from confide.models import accounts, entries, responses
from confide.models.db import session_scope
from confide.models.errors import ConfideError
from confide.models.keys import Keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry
from confide.voice.jobs_runner import run_queued_jobs
from confide.voice.pending import find_pending
from confide.voice.transcriber import Transcriber

__all__ = ["Recovered", "locked_replies", "recover"]

log = logging.getLogger(__name__)
MIN_SAMPLES = 1600  # 0.1 s at 16 kHz: anything shorter holds no words


@dataclass(frozen=True, slots=True)
class Recovered:
    entry_id: int
    person_id: int
    words: int


def locked_replies(pending_dir: Path, unlocked: Mapping[int, Keys],
                   person_id: int | None = None) -> int:
    """Unfinished replies that wait for their author's unlock (said aloud at start); with
    ``person_id``, only that person's (another's waiting reply is not theirs to hear of)."""
    return sum(1 for rec in find_pending(pending_dir) if rec.note.person_id not in unlocked
               and person_id in (None, rec.note.person_id))


def recover(engine: Engine, store: AudioStore, pending_dir: Path,
            transcriber: Transcriber, unlocked: Mapping[int, Keys]) -> list[Recovered]:
    """Everything recorded but unfinished becomes a journal entry with its transcript, for
    the people unlocked now; a locked person's replies stay sealed in pending/ until then."""
    filed: list[tuple[int, int]] = []
    for rec in find_pending(pending_dir):
        note = rec.note
        if note.person_id not in unlocked:
            continue
        try:
            data_key = rec.unlock(unlocked[note.person_id].secret)
            samples = rec.samples()
        except ConfideError as exc:
            log.warning("could not open the pending reply %s: %s", note.id, exc)
            continue
        if samples.size < MIN_SAMPLES:
            rec.discard()
            continue
        try:
            with session_scope(engine) as s:
                person = accounts.get_person(s, note.person_id)
                if note.entry_id is not None:
                    responses.add_response(s, person, note.entry_id, audio=(samples, note.rate),
                                           store=store, data_key=data_key)
                else:
                    entry = entries.entry_for_audio_name(s, note.id) or entries.create_entry_from_audio(
                        s, store, person, samples, note.rate, journal=note.journal,
                        prompt_id=note.prompt_id, prompt_text=note.prompt_text, kind=note.kind,
                        audio_name=note.id, data_key=data_key)
                    assert entry.id is not None
                    filed.append((entry.id, note.person_id))
        except ConfideError as exc:
            log.warning("could not file the pending reply %s: %s", note.id, exc)
            continue
        rec.discard()
        log.info("recovered an unfinished reply (%.1f s)", samples.size / note.rate)
    job_ids = run_queued_jobs(engine, store, transcriber, lambda: unlocked)
    found = []
    with session_scope(engine) as s:
        from confide.models.tables import TranscriptionJob

        finished = {j.entry_id for j in (s.get(TranscriptionJob, i) for i in job_ids)
                    if j is not None and j.entry_id is not None}
        for entry_id in sorted(finished | {e for e, _ in filed}):
            row = s.get(Entry, entry_id)
            if row is not None:
                found.append(Recovered(entry_id, row.author_id, row.word_count))
    return found
