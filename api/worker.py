"""The in-process transcription worker: drains the durable job table in a background thread.

A recording and its job are committed before an upload is answered, so the worker only
ever turns stored audio into text. Jobs a crashed process left 'running' go back to the
queue when the worker starts, so a reply is transcribed even if the server died mid-job.
Each job is done by ``voice.jobs_runner.run_one_job``, the same code the voice station uses
at start. The model loads once, in the worker's thread, so the server answers requests
while it loads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Literal

from sqlalchemy.engine import Engine

from confide.models import jobs
from confide.models.db import session_scope
from confide.models.storage import AudioStore
from confide.voice.jobs_runner import KeyRing, run_one_job
from confide.voice.transcriber import Transcriber

__all__ = ["ModelState", "TranscriptionWorker"]

log = logging.getLogger(__name__)

ModelState = Literal["not loaded", "loading", "ready", "error"]


class TranscriptionWorker:
    """One background thread draining the job queue; ``wake()`` it after committing a job."""

    transcribes = True
    """False for ``api.handoff.HandoffWorker``, which leaves the model to separate workers."""

    def __init__(
        self,
        engine: Engine,
        store: AudioStore,
        transcriber_factory: Callable[[], Transcriber],
        *,
        unlocked: KeyRing = dict,
        poll_s: float = 2.0,
        retry_load_s: float = 30.0,
    ) -> None:
        self._engine = engine
        self._unlocked = unlocked
        self._store = store
        self._factory = transcriber_factory
        self._poll_s = poll_s
        self._retry_load_s = retry_load_s
        self._transcriber: Transcriber | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.model_state: ModelState = "not loaded"
        self.model_error: str | None = None
        self.processed = 0

    def start(self) -> None:
        """Requeue jobs a dead process left running, then start draining the queue."""
        with session_scope(self._engine) as session:
            stale = jobs.requeue_stale(session)
        if stale:
            log.info("requeued %d transcription job(s) left running by an earlier process", stale)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="confide-transcription",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current job; a job cut off stays 'running' and is requeued on the
        next start (the thread is a daemon, so it never holds the process open)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("transcription worker still busy after %.0f s; leaving it", timeout)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._transcriber is None and not self._load():
                self._stop.wait(self._retry_load_s)
                continue
            try:
                busy = self.run_once()
            except Exception:
                log.exception("transcription worker: unexpected error; retrying shortly")
                busy = False
            if not busy:
                self._wake.wait(self._poll_s)
                self._wake.clear()

    def _load(self) -> bool:
        self.model_state = "loading"
        try:
            self._transcriber = self._factory()
        except Exception as exc:
            self.model_state = "error"
            self.model_error = str(exc) or type(exc).__name__
            log.error("the speech model could not be loaded: %s", self.model_error)
            return False
        self.model_state = "ready"
        self.model_error = None
        return True

    def run_once(self) -> bool:
        """Process the oldest queued job, if any; True when one was taken."""
        if self._transcriber is None and not self._load():
            return False
        assert self._transcriber is not None
        job_id = run_one_job(self._engine, self._store, self._transcriber, self._unlocked)
        if job_id is None:
            return False
        log.info("transcription job %d finished", job_id)
        self.processed += 1
        return True
