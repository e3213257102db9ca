"""Answers under an entry (active listening): read the thread, answer by text or by voice."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from confide.api.bodies import read_text_or_audio, text_or_audio_body
from confide.api.deps import CurrentPerson, RowId, RuntimeDep, SessionDep
from confide.api.errors import NOT_AUDIO, error_doc
from confide.api.present import present_responses
from confide.api.routes.recordings import job_for
from confide.api.schemas import ResponseAudioForm, ResponseCreate, ResponsePublic
from confide.models.responses import add_response, list_responses
from confide.models.tables import Person, Response

__all__ = ["router"]

router = APIRouter(tags=["responses"])


@router.get("/entries/{entry_id}/responses")
def read_thread(entry_id: RowId, person: CurrentPerson,
                session: SessionDep) -> list[ResponsePublic]:
    """The answers under an entry the caller may see, oldest first."""
    return present_responses(session, person, list_responses(session, person, entry_id))


@router.post(
    "/entries/{entry_id}/responses",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=text_or_audio_body(ResponseCreate, ResponseAudioForm),
    responses=NOT_AUDIO | {413: error_doc("Over the upload size limit."),
               415: error_doc("Neither JSON nor multipart.")},
)
async def answer_entry(entry_id: RowId, request: Request, person: CurrentPerson,
                       session: SessionDep, runtime: RuntimeDep) -> ResponsePublic:
    """Answer by text (JSON ``{"text": ...}``) or by voice (multipart with a ``file``)."""
    body, spoken = await read_text_or_audio(request, ResponseCreate, ResponseAudioForm,
                                            runtime.settings.upload_max_bytes)

    def write() -> ResponsePublic:
        if spoken is None:
            assert isinstance(body, ResponseCreate)
            response = add_response(session, person, entry_id, text=body.text,
                                    parent_id=body.parent_id)
            return _one(person, response, None)
        runtime.upload_limiter.hit(f"upload:{person.id}", "Too many uploads; try again later.")
        response = add_response(session, person, entry_id, audio=(spoken.samples, spoken.rate),
                                store=runtime.store, parent_id=body.parent_id)
        assert response.id is not None
        job_id = job_for(session, response_id=response.id)
        session.commit()
        runtime.worker.wake()
        return _one(person, response, job_id)

    def _one(who: Person, response: Response, job_id: int | None) -> ResponsePublic:
        assert response.id is not None
        jobs = {response.id: job_id} if job_id is not None else None
        return present_responses(session, who, [response], jobs)[0]

    return await run_in_threadpool(write)
