"""Work the durable transcription queue: used by the server's worker and by `confide speak`
at start, so a recording left without its text (a crash, a restart) always gets it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.engine import Engine

from models import entries, jobs, responses
from models.db import session_scope
from models.errors import ConfideError
from models.storage import AudioStore
from models.tables import Entry, Response
from voice.audio_file import decode_audio
from voice.transcriber import Transcriber

__all__ = ["run_one_job", "run_queued_jobs"]

log = logging.getLogger(__name__)


def run_one_job(engine: Engine, store: AudioStore, transcriber: Transcriber) -> int | None:
    """Claim the oldest queued job and finish it; returns its id, or None when idle."""
    with session_scope(engine) as s:
        job = jobs.claim_next(s)
        if job is None:
            return None
        job_id, entry_id, response_id = job.id, job.entry_id, job.response_id
        target: Entry | Response | None = (s.get(Entry, entry_id) if entry_id is not None
                                           else s.get(Response, response_id))
        audio_path = target.audio_path if target is not None else None
    try:
        if audio_path is None:
            raise ConfideError("the recording for this job is gone")
        audio = decode_audio(store.path(audio_path))
        transcript = transcriber.transcribe(audio.samples)
    except Exception as exc:
        log.warning("transcription job %s failed: %s", job_id, exc)
        with session_scope(engine) as s:
            if entry_id is not None:
                entries.mark_failed(s, entry_id, str(exc) or exc.__class__.__name__)
            else:
                jobs.finish_jobs_for(s, response_id=response_id, error=str(exc))
        return job_id
    with session_scope(engine) as s:
        if entry_id is not None:
            entries.attach_transcript(s, entry_id, transcript)
        elif response_id is not None:
            responses.attach_response_transcript(s, response_id, transcript)
    return job_id


def run_queued_jobs(engine: Engine, store: AudioStore, transcriber: Transcriber, *,
                    should_stop: Callable[[], bool] = lambda: False) -> list[int]:
    """Finish every queued job (after putting back those a dead process left running)."""
    with session_scope(engine) as s:
        jobs.requeue_stale(s)
    done: list[int] = []
    while not should_stop():
        job_id = run_one_job(engine, store, transcriber)
        if job_id is None:
            break
        done.append(job_id)
    return done
