"""Uploading a spoken reply for transcription, and following its job.

The upload is checked by decoding it (not by its name or content type), stored as FLAC with
its entry and a durable job in one transaction, and answered 202 at once; the worker
thread writes the transcript later. A bad upload stores nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile, status
from sqlmodel import Session, col, select

from confide.api.deps import CurrentPerson, RowId, RuntimeDep, SessionDep
from confide.api.errors import NOT_AUDIO, error_doc
from confide.api.media import decode_upload, read_limited
from confide.api.routes.prompts import find_prompt
from confide.api.schemas import JobPublic, RecordingAccepted
from confide.models import jobs
from confide.models.entries import create_entry_from_audio, get_entry
from confide.models.errors import NotFound
from confide.models.prompt_state import note_answered
from confide.models.responses import get_response
from confide.models.tables import TranscriptionJob

__all__ = ["job_for", "router"]

router = APIRouter(tags=["recordings"])


def job_for(session: Session, *, entry_id: int | None = None,
            response_id: int | None = None) -> int:
    """The id of the newest transcription job of an entry or response."""
    query = select(TranscriptionJob.id)
    if entry_id is not None:
        query = query.where(TranscriptionJob.entry_id == entry_id)
    if response_id is not None:
        query = query.where(TranscriptionJob.response_id == response_id)
    job_id = session.exec(query.order_by(col(TranscriptionJob.id).desc())).first()
    assert job_id is not None
    return job_id


@router.post("/recordings", status_code=status.HTTP_202_ACCEPTED, responses=NOT_AUDIO | {
    409: error_doc("Sharing needs a partner first."),
    413: error_doc("Over the upload size limit."),
})
def upload_recording(
    file: Annotated[UploadFile, File(description="The recording: WAV, FLAC, OGG, MP3, ...")],
    person: CurrentPerson,
    session: SessionDep,
    runtime: RuntimeDep,
    journal: Annotated[Literal["private", "shared"], Form()] = "private",
    prompt_id: Annotated[str, Form(max_length=80, description="The prompt this answers; "
                                   "leave it out for none.")] = "",
) -> RecordingAccepted:
    """Store a spoken reply as a new entry and queue its transcription."""
    runtime.upload_limiter.hit(f"upload:{person.id}", "Too many uploads; try again later.")
    limit = runtime.settings.upload_max_bytes
    samples, rate = decode_upload(read_limited(file.file, limit), limit)
    prompt = find_prompt(session, person, prompt_id) if prompt_id else None
    entry = create_entry_from_audio(
        session, runtime.store, person, samples, rate, journal=journal,
        prompt_id=prompt.id if prompt else None, prompt_text=prompt.text if prompt else None,
    )
    assert entry.id is not None
    if prompt is not None:
        note_answered(session, person, prompt.id)
    job_id = job_for(session, entry_id=entry.id)
    session.commit()  # durable before the worker looks, and before we answer
    runtime.worker.wake()
    return RecordingAccepted(entry_id=entry.id, job_id=job_id, status=entry.status)


@router.get("/jobs/{job_id}", tags=["recordings"])
def read_job(job_id: RowId, person: CurrentPerson, session: SessionDep) -> JobPublic:
    """A transcription job's state: queued, running, done or failed."""
    job = jobs.get_job(session, job_id)
    missing = NotFound(f"Job {job_id} was not found.")
    if job is None or job.id is None:
        raise missing
    try:
        if job.entry_id is not None:
            get_entry(session, person, job.entry_id)
        elif job.response_id is not None:
            get_response(session, person, job.response_id)
        else:
            raise missing
    except NotFound:
        raise missing from None
    return JobPublic.model_validate(job, from_attributes=True)
