"""The durable transcription queue: a recording waiting for its text survives any restart.

A claim is a compare-and-set that takes a lease; the worker renews it (``heartbeat``) while it
transcribes. A job whose worker died is taken again only after its lease lapses, so any number
of workers and API processes can share the queue; after ``MAX_ATTEMPTS`` it ends 'failed'
with its error visible through the API. Finishing is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select, update

from confide.models.tables import Entry, Response, TranscriptionJob, WorkerJobKey, utcnow

log = logging.getLogger(__name__)

__all__ = ["LEASE_S", "MAX_ATTEMPTS", "claim_next", "enqueue", "finish_jobs_for", "get_job",
           "heartbeat", "requeue_stale"]

MAX_ATTEMPTS = 3
LEASE_S = 60.0
"""How long a claim lasts without a heartbeat (workers renew it every third of that)."""
_CLAIM_TRIES = 5


def enqueue(session: Session, *, entry_id: int | None = None, response_id: int | None = None,
            data_key: bytes | None = None) -> TranscriptionJob:
    """Queue a recording's transcription. Given the recording's ``data_key``, the job is
    sealed at once for every registered worker key, whichever path made it (an upload, a
    spoken response, the voice station, recovery, an import), so a separate worker can take
    it without waiting for its author's next request to an API process."""
    job = TranscriptionJob(entry_id=entry_id, response_id=response_id)
    session.add(job)
    session.flush()
    if data_key is not None and job.id is not None:
        from confide.models.worker_keys import seal_job_for_workers

        seal_job_for_workers(session, job.id, data_key)
    return job


def get_job(session: Session, job_id: int) -> TranscriptionJob | None:
    return session.get(TranscriptionJob, job_id)


def _lapsed(now: datetime) -> sa.ColumnElement[bool]:
    """Running, but its worker stopped renewing the lease: that worker died."""
    return sa.and_(col(TranscriptionJob.status) == "running",
                   sa.or_(col(TranscriptionJob.lease_until).is_(None),
                          col(TranscriptionJob.lease_until) < now))


def requeue_stale(session: Session, now: datetime | None = None) -> int:
    """Jobs whose worker died (lease lapsed) go back to the queue, or end 'failed' once they
    have used their attempts; a job another live worker holds is left alone."""
    now = now or utcnow()
    ended = session.exec(
        update(TranscriptionJob)
        .where(_lapsed(now), col(TranscriptionJob.attempts) >= MAX_ATTEMPTS)
        .values(status="failed", lease_until=None, updated_at=now,
                error=f"Its worker stopped {MAX_ATTEMPTS} times while transcribing it.")
        .returning(col(TranscriptionJob.id))
        .execution_options(synchronize_session=False)
    ).scalars().all()
    _drop_worker_wraps(session, ended)
    result = session.exec(
        update(TranscriptionJob)
        .where(_lapsed(now))
        .values(status="queued", lease_until=None, updated_at=now)
    )
    session.flush()
    requeued = int(result.rowcount or 0)
    if requeued:
        log.info("requeued %d transcription job(s) whose worker stopped (lease lapsed)", requeued)
    return requeued


def heartbeat(session: Session, job_id: int, lease_s: float = LEASE_S) -> bool:
    """Renew a running job's lease; False if it is no longer this worker's to finish."""
    now = utcnow()
    result = session.exec(
        update(TranscriptionJob)
        .where(col(TranscriptionJob.id) == job_id, col(TranscriptionJob.status) == "running",
               col(TranscriptionJob.lease_until) >= now)
        .values(lease_until=now + timedelta(seconds=lease_s))
    )
    session.flush()
    return bool(result.rowcount)


def claim_next(session: Session, authors: Collection[int],
               lease_s: float = LEASE_S) -> TranscriptionJob | None:
    """Take the oldest queued job whose recording one of ``authors`` made (only they, once
    unlocked, can open it) and mark it running, atomically.

    One compare-and-set statement (``UPDATE ... WHERE id = (oldest queued) AND status =
    'queued' RETURNING id``), so two claimers — the server's worker and a voice station
    draining the queue at start, or several server processes — never take the same job.
    Losing a race to another claimer just means trying the next oldest.
    """
    if not authors:
        return None
    requeue_stale(session)  # a job whose worker died is claimable again, once its lease lapsed
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
                updated_at=utcnow(), lease_until=utcnow() + timedelta(seconds=lease_s))
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
    ended = []
    for job in session.exec(query):
        if error is not None and job.attempts < MAX_ATTEMPTS:
            job.status = "queued"
        else:
            job.status = "failed" if error is not None else "done"
            ended.append(job.id)
        job.lease_until = None
        job.error = error[:500] if error else None
        job.updated_at = utcnow()
        session.add(job)
    session.flush()
    _drop_worker_wraps(session, ended)


def _drop_worker_wraps(session: Session, job_ids: Collection[int | None]) -> None:
    """A job that ended (whoever finished it: a worker, the server, the voice station) keeps
    no wrap for the workers: a worker's secret opens only recordings still waiting."""
    ids = [job_id for job_id in job_ids if job_id is not None]
    if ids:
        session.exec(delete(WorkerJobKey).where(col(WorkerJobKey.job_id).in_(ids)))
