"""The transcription queue's claim is one compare-and-set: claimers in separate connections
(the server's worker, a voice station draining the queue, several server processes) never
take the same job."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import jobs
from models.db import create_db_engine, session_scope
from models.tables import TranscriptionJob
from tests.claims import claim_concurrently

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
    own: list[Engine] = []

    def separate_engine() -> Engine:  # its own connections, like another process
        own.append(create_db_engine(url))
        return own[-1]

    try:
        claimed = claim_concurrently(separate_engine)
    finally:
        for e in own:
            e.dispose()
    assert len(claimed) == len(set(claimed)) == total
    with Session(engine) as s:
        rows = s.exec(select(TranscriptionJob)).all()
    assert {(j.status, j.attempts) for j in rows} == {("running", 1)}
