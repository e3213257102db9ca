"""Work the durable transcription queue: used by the server's worker and by `confide speak`
at start, so a recording left without its text (a crash, a restart) always gets it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from sqlalchemy.engine import Engine

from confide.models import entries, jobs, responses
from confide.models.db import session_scope
from confide.models.errors import ConfideError
from confide.models.keys import Keys
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person, Response
from confide.voice.decoding import decode_audio
from confide.voice.transcriber import Transcriber

__all__ = ["KeyRing", "run_one_job", "run_queued_jobs"]

log = logging.getLogger(__name__)


KeyRing = Callable[[], Mapping[int, Keys]]
"""The people unlocked in this process right now, by id: only their recordings can be opened."""


class _Heartbeat:
    """Renews a claimed job's lease every third of it while the model works, so a live
    worker keeps its job and a dead one's is taken again after the lease."""

    def __init__(self, engine: Engine, job_id: int | None) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(engine, job_id), daemon=True,
                                        name="confide-job-heartbeat")
        self._thread.start()

    def _run(self, engine: Engine, job_id: int | None) -> None:
        while job_id is not None and not self._stop.wait(jobs.LEASE_S / 3):
            with session_scope(engine) as s:
                if not jobs.heartbeat(s, job_id):
                    return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def run_one_job(engine: Engine, store: AudioStore, transcriber: Transcriber,
                unlocked: KeyRing) -> int | None:
    """Claim the oldest queued job an unlocked author made and finish it; returns its id, or
    None when there is none (jobs of locked authors wait, queued, for their unlock)."""
    ring = unlocked()
    with session_scope(engine) as s:
        job = jobs.claim_next(s, list(ring))
        if job is None:
            return None
        job_id, entry_id, response_id = job.id, job.entry_id, job.response_id
        target: Entry | Response | None = (s.get(Entry, entry_id) if entry_id is not None
                                           else s.get(Response, response_id))
        audio_path = target.audio_path if target is not None else None
        data_key: bytes | None = None
        if target is not None and target.id is not None:
            author = s.get(Person, target.author_id)
            assert author is not None
            kind = "entry" if entry_id is not None else "response"
            data_key = ring[author.id or 0].data_key(s, kind, target.id, author.couple_id)
    beating = _Heartbeat(engine, job_id)
    try:
        if audio_path is None or data_key is None:
            raise ConfideError("the recording for this job is gone")
        audio = decode_audio(store.read_audio(audio_path, data_key))
        transcript = transcriber.transcribe(audio.samples)
    except Exception as exc:
        beating.stop()
        log.warning("transcription job %s failed: %s", job_id, exc)
        with session_scope(engine) as s:
            if entry_id is not None:
                entries.mark_failed(s, entry_id, str(exc) or exc.__class__.__name__)
            else:
                jobs.finish_jobs_for(s, response_id=response_id, error=str(exc))
        return job_id
    beating.stop()
    with session_scope(engine) as s:
        for person_keys in ring.values():
            use_keys(s, person_keys)  # so the words are indexed as they are written
        if entry_id is not None:
            entries.attach_transcript(s, entry_id, transcript, data_key)
        elif response_id is not None:
            responses.attach_response_transcript(s, response_id, transcript, data_key)
    return job_id


def run_queued_jobs(engine: Engine, store: AudioStore, transcriber: Transcriber,
                    unlocked: KeyRing, *,
                    should_stop: Callable[[], bool] = lambda: False) -> list[int]:
    """Finish every queued job (after putting back those a dead process left running)."""
    with session_scope(engine) as s:
        jobs.requeue_stale(s)
    done: list[int] = []
    while not should_stop():
        job_id = run_one_job(engine, store, transcriber, unlocked)
        if job_id is None:
            break
        done.append(job_id)
    return done
