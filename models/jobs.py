"""The durable transcription queue: a recording waiting for its text survives any restart."""

from __future__ import annotations

from sqlmodel import Session, col, select, update

from models.tables import TranscriptionJob, utcnow

__all__ = ["MAX_ATTEMPTS", "claim_next", "enqueue", "finish_jobs_for", "get_job", "requeue_stale"]

MAX_ATTEMPTS = 3


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


def claim_next(session: Session) -> TranscriptionJob | None:
    """Take the oldest queued job and mark it running (one worker per process)."""
    job = session.exec(
        select(TranscriptionJob)
        .where(TranscriptionJob.status == "queued")
        .order_by(col(TranscriptionJob.id))
        .limit(1)
    ).first()
    if job is None:
        return None
    job.status = "running"
    job.attempts += 1
    job.updated_at = utcnow()
    session.add(job)
    session.flush()
    return job


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
