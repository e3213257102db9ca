"""Transcription worker keys: a separate worker opens exactly the recordings sealed for it.

A recording opens only with its data key, and a data key is wrapped only for its readers
(the author, the couple). A worker on another machine holds no one's passphrase, so the
deployment gives it a key pair of its own (``confide worker --init``): the public half goes
into the database (``workerkey``), the secret half into a file only the worker's machine has
(mode 0600). When an API process (which holds the author's keys for that request) queues a
job, it seals that job's data key for every active worker key (``workerjobkey``). A worker
claims only jobs sealed for it, opens that one data key, and the wrap is deleted when the
job ends, so at any moment a worker's secret opens only the recordings waiting in the queue.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select, update

from confide.models import crypto
from confide.models.errors import ConfideError, SealError
from confide.models.keys import Keys
from confide.models.tables import (
    Entry,
    Person,
    Response,
    TranscriptionJob,
    WorkerJobKey,
    WorkerKey,
    WorkerSeen,
    utcnow,
)

__all__ = [
    "WorkerIdentity",
    "active_worker_keys",
    "claim_sealed_job",
    "drop_job_keys",
    "finish_if_still_mine",
    "init_worker_key",
    "live_workers",
    "load_worker_identity",
    "open_job_key",
    "purge_finished",
    "seal_job_for_workers",
    "seal_new_job",
    "seal_waiting_jobs",
    "worker_alive",
    "worker_gone",
]

log = logging.getLogger(__name__)

_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class WorkerIdentity:
    """A worker's key as loaded from its file: the row id and the secret half."""

    key_id: int
    secret: bytes


def init_worker_key(session: Session, key_file: Path, name: str) -> tuple[WorkerKey, bool]:
    """Make a worker key pair: the secret into ``key_file`` (created 0600, never replaced),
    the public half into the database. An existing file is reused (and registered again if
    its row is gone). Returns the row and whether a new key was made."""
    made = False
    if key_file.exists():
        secret = _read_secret(key_file)
    else:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        secret, _public = crypto.new_keypair()
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secret)
            out.flush()
            os.fsync(out.fileno())
        made = True
    public = crypto.public_of(secret)
    row = session.exec(select(WorkerKey).where(col(WorkerKey.public_key) == public)).first()
    if row is None:
        row = WorkerKey(name=name[:80], public_key=public)
        session.add(row)
        session.flush()
        made = True
    elif row.retired_at is not None:
        row.retired_at = None
        session.add(row)
        session.flush()
    return row, made


def _read_secret(key_file: Path) -> bytes:
    mode = key_file.stat().st_mode & 0o077
    if mode:
        raise ConfideError(f"the worker key {key_file} can be read by others: chmod 600 it")
    secret = key_file.read_bytes()
    if len(secret) != _SECRET_BYTES:
        raise ConfideError(f"the worker key {key_file} is damaged: run `confide worker --init` "
                           "with a new CONFIDE_WORKER_KEY_FILE")
    return secret


def load_worker_identity(session: Session, key_file: Path) -> WorkerIdentity:
    """The worker key in ``key_file``, which must be registered and not retired."""
    if not key_file.exists():
        raise ConfideError(f"no worker key at {key_file}: run `confide worker --init` first")
    secret = _read_secret(key_file)
    row = session.exec(select(WorkerKey).where(
        col(WorkerKey.public_key) == crypto.public_of(secret),
        col(WorkerKey.retired_at).is_(None))).first()
    if row is None or row.id is None:
        raise ConfideError(f"the worker key {key_file} is not registered with this database: "
                           "run `confide worker --init`")
    return WorkerIdentity(row.id, secret)


def active_worker_keys(session: Session) -> list[WorkerKey]:
    return list(session.exec(select(WorkerKey).where(col(WorkerKey.retired_at).is_(None))
                             .order_by(col(WorkerKey.id))))


def seal_job_for_workers(session: Session, job_id: int, data_key: bytes,
                         worker_keys: list[WorkerKey] | None = None) -> int:
    """Wrap one queued job's data key for every active worker key (those without one yet)."""
    worker_keys = active_worker_keys(session) if worker_keys is None else worker_keys
    have = set(session.exec(select(WorkerJobKey.worker_key_id)
                            .where(col(WorkerJobKey.job_id) == job_id)))
    added = 0
    for wk in worker_keys:
        if wk.id is None or wk.id in have:
            continue
        session.add(WorkerJobKey(job_id=job_id, worker_key_id=wk.id,
                                 wrapped=crypto.wrap_for(wk.public_key, data_key)))
        added += 1
    if added:
        session.flush()
    return added


def seal_waiting_jobs(session: Session, unlocked: Mapping[int, Keys]) -> int:
    """Seal for the workers every queued job of the people unlocked here that is not yet
    sealed for all of them (replies recorded while locked, responses, check-ins)."""
    if not unlocked:
        return 0
    worker_keys = active_worker_keys(session)
    if not worker_keys:
        return 0
    authors = list(unlocked)
    sealed_for_all = (select(WorkerJobKey.job_id).group_by(col(WorkerJobKey.job_id))
                      .having(sa.func.count() >= len(worker_keys)))
    rows = session.exec(
        select(TranscriptionJob.id, TranscriptionJob.entry_id, TranscriptionJob.response_id,
               sa.func.coalesce(Entry.author_id, Response.author_id))
        .outerjoin(Entry, col(Entry.id) == col(TranscriptionJob.entry_id))
        .outerjoin(Response, col(Response.id) == col(TranscriptionJob.response_id))
        .where(col(TranscriptionJob.status) == "queued",
               col(TranscriptionJob.id).not_in(sealed_for_all),
               sa.or_(col(Entry.author_id).in_(authors), col(Response.author_id).in_(authors)))
    ).all()
    sealed = 0
    for job_id, entry_id, response_id, author_id in rows:
        person = session.get(Person, author_id)
        if person is None or job_id is None:
            continue
        kind, item = ("entry", entry_id) if entry_id is not None else ("response", response_id)
        if item is None:
            continue
        try:
            data_key = unlocked[author_id].data_key(session, kind, item, person.couple_id)
        except SealError:
            continue
        sealed += seal_job_for_workers(session, job_id, data_key, worker_keys)
    return sealed


def _sealed_for(worker_key_id: int) -> sa.ColumnElement[bool]:
    return col(TranscriptionJob.id).in_(
        select(WorkerJobKey.job_id).where(col(WorkerJobKey.worker_key_id) == worker_key_id))


def claim_sealed_job(session: Session, identity: WorkerIdentity,
                     lease_s: float) -> TranscriptionJob | None:
    """Take the oldest queued job sealed for this worker key and mark it running with a lease.

    On PostgreSQL the candidate row is locked with ``FOR UPDATE SKIP LOCKED``, so claimers
    never wait on each other's candidate; everywhere the update is a compare-and-set on the
    status, so two claimers never take one job. The attempt number it sets is the claim's
    fencing token (``finish_if_still_mine``).
    """
    from confide.models import jobs

    jobs.requeue_stale(session)
    oldest_q = (select(TranscriptionJob.id)
                .where(col(TranscriptionJob.status) == "queued", _sealed_for(identity.key_id))
                .order_by(col(TranscriptionJob.id)).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        oldest_q = oldest_q.with_for_update(skip_locked=True)
    now = utcnow()
    claim = (
        update(TranscriptionJob)
        .where(col(TranscriptionJob.id) == oldest_q.scalar_subquery(),
               col(TranscriptionJob.status) == "queued")
        .values(status="running", attempts=col(TranscriptionJob.attempts) + 1,
                updated_at=now, lease_until=now + timedelta(seconds=lease_s))
        .returning(col(TranscriptionJob.id))
        .execution_options(synchronize_session=False)
    )
    for _ in range(5):
        job_id = session.exec(claim).scalar_one_or_none()
        if job_id is not None:
            return session.get(TranscriptionJob, job_id, populate_existing=True)
        if session.exec(select(TranscriptionJob.id).where(
                col(TranscriptionJob.status) == "queued",
                _sealed_for(identity.key_id))).first() is None:
            return None
    return None


def open_job_key(session: Session, job_id: int, identity: WorkerIdentity) -> bytes:
    row = session.get(WorkerJobKey, (job_id, identity.key_id))
    if row is None:
        raise SealError("This job was not sealed for this worker.")
    return crypto.unwrap_for(identity.secret, row.wrapped)


def finish_if_still_mine(session: Session, job_id: int, attempt: int, lease_s: float) -> bool:
    """Renew the lease only if this claim (its attempt number) still holds the job: a worker
    whose lease lapsed while it was stalled must not write a second transcript. The row stays
    locked (PostgreSQL) until the transaction that writes the transcript commits."""
    now = utcnow()
    result = session.exec(
        update(TranscriptionJob)
        .where(col(TranscriptionJob.id) == job_id, col(TranscriptionJob.status) == "running",
               col(TranscriptionJob.attempts) == attempt)
        .values(lease_until=now + timedelta(seconds=lease_s))
    )
    return bool(result.rowcount)


def drop_job_keys(session: Session, job_id: int) -> None:
    session.exec(delete(WorkerJobKey).where(col(WorkerJobKey.job_id) == job_id))


def purge_finished(session: Session) -> int:
    """Delete the wraps of jobs that ended (done or failed by any process)."""
    result = session.exec(delete(WorkerJobKey).where(col(WorkerJobKey.job_id).in_(
        select(TranscriptionJob.id).where(col(TranscriptionJob.status).in_(("done", "failed"))))))
    return int(result.rowcount or 0)


def worker_alive(session: Session, name: str, *, jobs_done: int = 0) -> None:
    """Record that this worker process runs (the worker count in the metrics)."""
    now = utcnow()
    row = session.get(WorkerSeen, name)
    if row is None:
        session.add(WorkerSeen(name=name, seen_at=now, started_at=now, jobs_done=jobs_done))
    else:
        row.seen_at = now
        row.jobs_done = jobs_done
        session.add(row)
    session.flush()


def worker_gone(session: Session, name: str) -> None:
    session.exec(delete(WorkerSeen).where(col(WorkerSeen.name) == name))


def live_workers(session: Session, within_s: float, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(seconds=within_s)
    return int(session.exec(select(sa.func.count()).select_from(WorkerSeen)
                            .where(col(WorkerSeen.seen_at) >= since)).one())


def seal_new_job(session: Session, person: Person, kind: str, item_id: int,
                 job_id: int) -> int:
    """Seal the job of an item ``person`` just wrote (their keys are in this session) for
    the worker keys, so a separate worker can take it at once."""
    from confide.models.sealing import keys_for

    worker_keys = active_worker_keys(session)
    unlocked = keys_for(session, person.id)
    if not worker_keys or unlocked is None:
        return 0
    data_key = unlocked.data_key(session, kind, item_id, person.couple_id)
    return seal_job_for_workers(session, job_id, data_key, worker_keys)
