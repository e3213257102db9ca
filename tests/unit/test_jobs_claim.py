"""The transcription queue's claim is one compare-and-set: claimers in separate connections
(the server's worker, a voice station draining the queue, several server processes) never
take the same job."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from confide.models import entries, jobs
from confide.models.accounts import register
from confide.models.db import create_db_engine, session_scope
from confide.models.tables import Person, TranscriptionJob
from tests.claims import claim_concurrently

pytestmark = pytest.mark.unit


def _author(engine: Engine, name: str = "Alex") -> int:
    with session_scope(engine) as s:
        person = register(s, name, f"passphrase of {name}")
        assert person.id is not None
        return person.id


def _queue(engine: Engine, n: int, author_id: int) -> list[int]:
    """``n`` queued jobs, each for an entry ``author_id`` made (only they can open it)."""
    with session_scope(engine) as s:
        author = s.get(Person, author_id)
        assert author is not None
        ids = []
        for i in range(n):
            entry = entries.create_written_entry(s, author, f"reflection {i}")
            job = jobs.enqueue(s, entry_id=entry.id)
            assert job.id is not None
            ids.append(job.id)
        return ids


def test_claim_takes_the_oldest_queued_job_and_counts_the_attempt(engine: Engine) -> None:
    alex = _author(engine)
    first, second = _queue(engine, 2, alex)
    with session_scope(engine) as s:
        job = jobs.claim_next(s, [alex])
        assert job is not None and job.id == first
        assert (job.status, job.attempts) == ("running", 1)
    with session_scope(engine) as s:
        job = jobs.claim_next(s, [alex])
        assert job is not None and job.id == second
        assert jobs.claim_next(s, [alex]) is None


def test_claim_leaves_the_jobs_of_authors_not_unlocked_queued(engine: Engine) -> None:
    alex, sam = _author(engine, "Alex"), _author(engine, "Sam")
    (sams,) = _queue(engine, 1, sam)
    (alexs,) = _queue(engine, 1, alex)
    with session_scope(engine) as s:
        assert jobs.claim_next(s, []) is None
        job = jobs.claim_next(s, [alex])
        assert job is not None and job.id == alexs
        assert jobs.claim_next(s, [alex]) is None
        held = s.get(TranscriptionJob, sams)
        assert held is not None and held.status == "queued"


def test_claim_returns_the_fresh_row_when_the_session_already_holds_it(engine: Engine) -> None:
    alex = _author(engine)
    (job_id,) = _queue(engine, 1, alex)
    with Session(engine, expire_on_commit=False) as s:
        held = s.get(TranscriptionJob, job_id)
        assert held is not None and held.status == "queued"
        claimed = jobs.claim_next(s, [alex])
        assert claimed is held and held.status == "running" and held.attempts == 1
        s.commit()


def test_concurrent_claimers_never_take_the_same_job(tmp_path: Path, engine: Engine) -> None:
    total = 60
    alex = _author(engine)
    _queue(engine, total, alex)
    url = f"sqlite:///{tmp_path / 'test.db'}"
    own: list[Engine] = []

    def separate_engine() -> Engine:  # its own connections, like another process
        own.append(create_db_engine(url))
        return own[-1]

    try:
        claimed = claim_concurrently(separate_engine, [alex])
    finally:
        for e in own:
            e.dispose()
    assert len(claimed) == len(set(claimed)) == total
    with Session(engine) as s:
        rows = s.exec(select(TranscriptionJob)).all()
    assert {(j.status, j.attempts) for j in rows} == {("running", 1)}


def _lapse(engine: Engine, job_id: int) -> None:
    """As if its worker died a minute ago: the lease is past."""
    from datetime import timedelta

    from confide.models.tables import utcnow

    with session_scope(engine) as s:
        job = s.get(TranscriptionJob, job_id)
        assert job is not None
        job.lease_until = utcnow() - timedelta(seconds=1)
        s.add(job)


def test_a_running_job_is_taken_again_only_after_its_lease_lapses(engine: Engine) -> None:
    alex = _author(engine)
    (job_id,) = _queue(engine, 1, alex)
    with session_scope(engine) as s:
        assert jobs.claim_next(s, [alex]) is not None
    with session_scope(engine) as s:
        jobs.requeue_stale(s)  # another process starting: the live lease is respected
        assert jobs.claim_next(s, [alex]) is None
        assert jobs.heartbeat(s, job_id)
    _lapse(engine, job_id)
    with session_scope(engine) as s:
        assert not jobs.heartbeat(s, job_id)  # the dead worker cannot take it back
        again = jobs.claim_next(s, [alex])
        assert again is not None and again.id == job_id and again.attempts == 2


def test_a_job_whose_worker_keeps_dying_ends_failed_with_its_error(engine: Engine) -> None:
    alex = _author(engine)
    (job_id,) = _queue(engine, 1, alex)
    for _ in range(jobs.MAX_ATTEMPTS):
        with session_scope(engine) as s:
            assert jobs.claim_next(s, [alex]) is not None
        _lapse(engine, job_id)
    with session_scope(engine) as s:
        assert jobs.claim_next(s, [alex]) is None
        job = s.get(TranscriptionJob, job_id)
        assert job is not None and job.status == "failed"
        assert job.error and "stopped" in job.error


def test_finishing_a_job_twice_changes_nothing(engine: Engine) -> None:
    alex = _author(engine)
    (job_id,) = _queue(engine, 1, alex)
    with session_scope(engine) as s:
        job = jobs.claim_next(s, [alex])
        assert job is not None and job.entry_id is not None
        jobs.finish_jobs_for(s, entry_id=job.entry_id)
        jobs.finish_jobs_for(s, entry_id=job.entry_id, error="late second worker")
        done = s.get(TranscriptionJob, job_id)
        assert done is not None and (done.status, done.error) == ("done", None)
