"""The durable transcription queue: a recording waiting for its text survives any restart."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from models.tables import Entry, Response, TranscriptionJob, utcnow

__all__ = ["MAX_ATTEMPTS", "claim_next", "enqueue", "finish_jobs_for", "get_job", "requeue_stale"]

MAX_ATTEMPTS = 3
_CLAIM_TRIES = 5


def enqueue(session: Session, *, entry_id: int | None = None,
            response_id: int | None = None) -> TranscriptionJob:
    job = TranscriptionJob(entry_id=entry_id, response_id=response_id)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> TranscriptionJob | None:
    return session.get(TranscriptionJob, job_id)


def requeue_stale(session: Session) -> int:
    """Jobs left 'running' by a process that died go back to the queue (call at start)."""
    result = session.exec(
        update(TranscriptionJob)
        .where(col(TranscriptionJob.status) == "running")
        .values(status="queued", updated_at=utcnow())
    )
    session.flush()
    return int(result.rowcount or 0)


def claim_next(session: Session, authors: Collection[int]) -> TranscriptionJob | None:
    """Take the oldest queued job whose recording one of ``authors`` made (only they, once
    unlocked, can open it) and mark it running, atomically.

    One compare-and-set statement (``UPDATE ... WHERE id = (oldest queued) AND status =
    'queued' RETURNING id``), so two claimers — the server's worker and a voice station
    draining the queue at start, or several server processes — never take the same job.
    Losing a race to another claimer just means trying the next oldest.
    """
    if not authors:
        return None
    theirs = sa.or_(
        col(TranscriptionJob.entry_id).in_(
            select(Entry.id).where(col(Entry.author_id).in_(list(authors)))),
        col(TranscriptionJob.response_id).in_(
            select(Response.id).where(col(Response.author_id).in_(list(authors)))),
    )
    oldest = (select(TranscriptionJob.id).where(col(TranscriptionJob.status) == "queued", theirs)
              .order_by(col(TranscriptionJob.id)).limit(1).scalar_subquery())
    claim = (
        update(TranscriptionJob)
        .where(col(TranscriptionJob.id) == oldest, col(TranscriptionJob.status) == "queued")
        .values(status="running", attempts=col(TranscriptionJob.attempts) + 1,
                updated_at=utcnow())
        .returning(col(TranscriptionJob.id))
        .execution_options(synchronize_session=False)
    )
    for _ in range(_CLAIM_TRIES):
        job_id = session.exec(claim).scalar_one_or_none()
        if job_id is not None:
            return session.get(TranscriptionJob, job_id, populate_existing=True)
        if session.exec(select(TranscriptionJob.id)
                        .where(col(TranscriptionJob.status) == "queued", theirs)).first() is None:
            return None
    return None


def finish_jobs_for(session: Session, *, entry_id: int | None = None,
                    response_id: int | None = None, error: str | None = None) -> None:
    """Mark every open job of this entry/response done (or failed with ``error``)."""
    query = select(TranscriptionJob).where(col(TranscriptionJob.status).in_(("queued", "running")))
    if entry_id is not None:
        query = query.where(TranscriptionJob.entry_id == entry_id)
    if response_id is not None:
        query = query.where(TranscriptionJob.response_id == response_id)
    for job in session.exec(query):
        if error is not None and job.attempts < MAX_ATTEMPTS:
            job.status = "queued"
        else:
            job.status = "failed" if error is not None else "done"
        job.error = error[:500] if error else None
        job.updated_at = utcnow()
        session.add(job)
    session.flush()
