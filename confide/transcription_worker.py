"""The separate transcription worker's loop (``confide worker``): claim a job sealed for this
worker's key, open that one recording, transcribe it, write the sealed transcript.

Claims take a lease renewed by a heartbeat every third of it; a worker killed mid-job
leaves its job to be taken again once the lease lapses. The claim's attempt number is its
fencing token: the transcript is written only in the transaction that proves this claim
still holds the job, so a worker that stalled past its lease cannot write a second one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from confide.api.metrics import instruments
from confide.models import entries, jobs, responses, worker_keys
from confide.models.db import session_scope
from confide.models.errors import ConfideError
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Response
from confide.models.worker_keys import WorkerIdentity
from confide.voice.decoding import decode_audio
from confide.voice.transcriber import Transcriber

__all__ = ["SealedJobWorker", "WorkerOptions", "default_worker_name"]

log = logging.getLogger(__name__)

PRESENCE_S = 5.0


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class WorkerOptions:
    lease_s: float = jobs.LEASE_S
    poll_s: float = 1.0
    name: str = ""


class _Lease:
    """Renews one claim's lease every third of it while the model works."""

    def __init__(self, engine: Engine, job_id: int, attempt: int, lease_s: float) -> None:
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._args = (engine, job_id, attempt, lease_s)
        self._thread = threading.Thread(target=self._run, daemon=True, name="confide-lease")
        self._thread.start()

    def _run(self) -> None:
        engine, job_id, attempt, lease_s = self._args
        while not self._stop.wait(lease_s / 3):
            with session_scope(engine) as s:
                if not worker_keys.finish_if_still_mine(s, job_id, attempt, lease_s):
                    self.lost.set()
                    return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class SealedJobWorker:
    """Drains the jobs sealed for one worker key; ``run`` until ``stop``."""

    def __init__(self, engine: Engine, store: AudioStore, identity: WorkerIdentity,
                 transcriber_factory: Callable[[], Transcriber],
                 options: WorkerOptions | None = None) -> None:
        self.engine = engine
        self.store = store
        self.identity = identity
        self.options = options or WorkerOptions()
        self.name = self.options.name or default_worker_name()
        self._factory = transcriber_factory
        self._transcriber: Transcriber | None = None
        self._stop = threading.Event()
        self.done = 0
        self.failed = 0

    def stop(self) -> None:
        self._stop.set()

    @property
    def transcriber(self) -> Transcriber:
        if self._transcriber is None:
            self._transcriber = self._factory()
        return self._transcriber

    def run(self) -> None:
        """Load the model, then take jobs until stopped (SIGTERM: after the current one)."""
        _ = self.transcriber
        presence = threading.Thread(target=self._presence, daemon=True, name="confide-presence")
        presence.start()
        log.info("transcription worker %s ready (worker key %d)", self.name,
                 self.identity.key_id)
        try:
            while not self._stop.is_set():
                if self.run_once() is None:
                    self._stop.wait(self.options.poll_s)
        finally:
            with session_scope(self.engine) as s:
                worker_keys.worker_gone(s, self.name)

    def _presence(self) -> None:
        while not self._stop.is_set():
            try:
                with session_scope(self.engine) as s:
                    worker_keys.worker_alive(s, self.name, jobs_done=self.done)
            except Exception as exc:
                log.warning("could not report this worker as alive: %s", type(exc).__name__)
            self._stop.wait(PRESENCE_S)

    def run_once(self) -> int | None:
        """Take one job sealed for this worker and finish it; its id, or None if none."""
        lease_s = self.options.lease_s
        with session_scope(self.engine) as s:
            job = worker_keys.claim_sealed_job(s, self.identity, lease_s)
            if job is None or job.id is None:
                return None
            job_id, attempt = job.id, job.attempts
            entry_id, response_id = job.entry_id, job.response_id
            target: Entry | Response | None = (s.get(Entry, entry_id) if entry_id is not None
                                               else s.get(Response, response_id))
            audio_path = target.audio_path if target is not None else None
            data_key = worker_keys.open_job_key(s, job_id, self.identity)
        lease = _Lease(self.engine, job_id, attempt, lease_s)
        started = time.perf_counter()
        try:
            if audio_path is None:
                raise ConfideError("the recording for this job is gone")
            audio = decode_audio(self.store.read_audio(audio_path, data_key))
            transcript = self.transcriber.transcribe(audio.samples)
        except Exception as exc:
            lease.stop()
            self._fail(job_id, attempt, entry_id, response_id, str(exc) or type(exc).__name__)
            return job_id
        lease.stop()
        with session_scope(self.engine) as s:
            if not worker_keys.finish_if_still_mine(s, job_id, attempt, lease_s):
                log.warning("transcription job %d was taken over after its lease lapsed; "
                            "this worker's result is dropped", job_id)
                return job_id
            if entry_id is not None:
                entries.attach_transcript(s, entry_id, transcript, data_key)
            elif response_id is not None:
                responses.attach_response_transcript(s, response_id, transcript, data_key)
            worker_keys.drop_job_keys(s, job_id)
        self.done += 1
        instruments().jobs.labels("done").inc()
        log.info("transcription job %d done in %.1f s", job_id, time.perf_counter() - started)
        return job_id

    def _fail(self, job_id: int, attempt: int, entry_id: int | None, response_id: int | None,
              reason: str) -> None:
        self.failed += 1
        instruments().jobs.labels("failed").inc()
        log.warning("transcription job %d failed: %s", job_id, reason)
        with session_scope(self.engine) as s:
            if not worker_keys.finish_if_still_mine(s, job_id, attempt, self.options.lease_s):
                return
            if entry_id is not None:
                entries.mark_failed(s, entry_id, reason)
            else:
                jobs.finish_jobs_for(s, response_id=response_id, error=reason)
            worker_keys.purge_finished(s)
