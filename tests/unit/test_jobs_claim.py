"""The transcription queue's claim is one compare-and-set: claimers in separate connections
(the server's worker, a voice station draining the queue, several server processes) never
take the same job."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import jobs
from models.db import create_db_engine, session_scope
from models.tables import TranscriptionJob

pytestmark = pytest.mark.unit


def _queue(engine: Engine, n: int) -> list[int]:
    with session_scope(engine) as s:
        return [j.id for j in (jobs.enqueue(s) for _ in range(n)) if j.id is not None]


def test_claim_takes_the_oldest_queued_job_and_counts_the_attempt(engine: Engine) -> None:
    first, second = _queue(engine, 2)
    with session_scope(engine) as s:
        job = jobs.claim_next(s)
        assert job is not None and job.id == first
        assert (job.status, job.attempts) == ("running", 1)
    with session_scope(engine) as s:
        job = jobs.claim_next(s)
        assert job is not None and job.id == second
        assert jobs.claim_next(s) is None


def test_claim_returns_the_fresh_row_when_the_session_already_holds_it(engine: Engine) -> None:
    (job_id,) = _queue(engine, 1)
    with Session(engine, expire_on_commit=False) as s:
        held = s.get(TranscriptionJob, job_id)
        assert held is not None and held.status == "queued"
        claimed = jobs.claim_next(s)
        assert claimed is held and held.status == "running" and held.attempts == 1
        s.commit()


def test_concurrent_claimers_never_take_the_same_job(tmp_path: Path, engine: Engine) -> None:
    total = 60
    _queue(engine, total)
    url = f"sqlite:///{tmp_path / 'test.db'}"
    taken: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(taken))

    def claimer(mine: list[int]) -> None:
        own = create_db_engine(url)  # its own connections, like another process
        try:
            start.wait()
            while True:
                with session_scope(own) as s:
                    job = jobs.claim_next(s)
                    if job is None:
                        return
                    assert job.id is not None
                    mine.append(job.id)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=claimer, args=(t,)) for t in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    claimed = [i for t in taken for i in t]
    assert len(claimed) == len(set(claimed)) == total
    with Session(engine) as s:
        rows = s.exec(select(TranscriptionJob)).all()
    assert {(j.status, j.attempts) for j in rows} == {("running", 1)}
