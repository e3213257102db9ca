"""The API process's side of a separate transcription worker (``confide worker``).

When the deployment has a worker key, API processes load no model. Their background thread
instead hands work over: every queued job of a person unlocked in this process is sealed
for the worker keys (the upload route seals its own job at once; this catches the rest:
replies recorded while locked, spoken responses and check-ins), the wraps of jobs that
ended are deleted, and entries a worker transcribed are added to their readers' blind search
index (a worker holds no index key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from confide.api.worker import TranscriptionWorker
from confide.models import worker_keys
from confide.models.db import session_scope
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Journal
from confide.voice.jobs_runner import KeyRing
from confide.voice.transcriber import Transcriber

__all__ = ["HandoffWorker"]

log = logging.getLogger(__name__)


def _no_model() -> Transcriber:
    raise RuntimeError("this process leaves transcription to separate workers")


class HandoffWorker(TranscriptionWorker):
    """A ``TranscriptionWorker`` that seals jobs for separate workers instead of running them."""

    transcribes = False

    def __init__(self, engine: Engine, store: AudioStore, *, unlocked: KeyRing,
                 poll_s: float = 2.0, factory: Callable[[], Transcriber] = _no_model) -> None:
        super().__init__(engine, store, factory, unlocked=unlocked, poll_s=poll_s)
        self.model_state = "not loaded"
        self.handed_over = 0

    def start(self) -> None:
        """Start the thread; stale leases are the claimers' business (workers requeue them)."""
        import threading

        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="confide-handoff", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("handing jobs to the workers failed; retrying shortly")
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def run_once(self) -> bool:
        ring = self._unlocked()
        with session_scope(self._engine) as session:
            sealed = worker_keys.seal_waiting_jobs(session, ring)
            worker_keys.purge_finished(session)
        if sealed:
            log.info("sealed %d waiting job(s) for the transcription workers", sealed)
            self.handed_over += sealed
        self._index_transcribed()
        return bool(sealed)

    def _index_transcribed(self) -> None:
        from confide.models.sealing import use_keys
        from confide.models.search import index_pending
        from confide.models.tables import Person

        unlocked = self._unlocked()
        if not unlocked:
            return
        with session_scope(self._engine) as session:
            people = list(unlocked)
            couples = select(Person.couple_id).where(col(Person.id).in_(people))
            waiting = session.exec(
                select(sa.func.count()).select_from(Entry)
                .join(Journal, col(Journal.id) == col(Entry.journal_id))
                .where(col(Entry.indexed).is_(False), col(Entry.status).in_(("ready", "no_speech")),
                       sa.or_(col(Journal.owner_id).in_(people),
                              col(Journal.couple_id).in_(couples)))).one()
            if not waiting:
                return
            for person_id, keys in unlocked.items():
                person = session.get(Person, person_id)
                if person is None:
                    continue
                use_keys(session, keys)
                index_pending(session, keys, person)
