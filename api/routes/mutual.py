"""Mutual prompts: both partners answer the same prompt; neither sees the other's answer
until both have. The hiding is the journal's visibility rule; this only reports it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from confide.api.bodies import read_text_or_audio, text_or_audio_body
from confide.api.deps import CurrentPerson, RuntimeDep, SessionDep
from confide.api.errors import NOT_AUDIO, error_doc
from confide.api.present import present_entries
from confide.api.routes.prompts import find_prompt
from confide.api.routes.recordings import job_for
from confide.api.schemas import (
    MutualAnswerCreate,
    MutualAnswerCreated,
    MutualAudioForm,
    MutualStatusPublic,
)
from confide.models.mutual import answer_mutual, mutual_status
from confide.models.prompt_state import note_answered
from confide.models.tables import Person

__all__ = ["router"]

router = APIRouter(prefix="/mutual", tags=["mutual prompts"])
PromptId = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _status(session: Session, person: Person, prompt_id: str) -> MutualStatusPublic:
    found = mutual_status(session, person, prompt_id)
    mine = present_entries(session, person, [found.mine])[0] if found.mine else None
    partner = present_entries(session, person, [found.partner])[0] if found.partner else None
    text = (found.mine.prompt_text if found.mine else None) or (
        found.partner.prompt_text if found.partner else None)
    return MutualStatusPublic(prompt_id=prompt_id, prompt_text=text, mine=mine, partner=partner,
                              partner_answered=found.partner_answered, revealed=found.revealed)


@router.get("/{prompt_id}")
def read_mutual(prompt_id: PromptId, person: CurrentPerson,
                session: SessionDep) -> MutualStatusPublic:
    """The caller's own answer always; the partner's only once both have answered."""
    return _status(session, person, prompt_id)


@router.post(
    "/{prompt_id}/answer",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=text_or_audio_body(MutualAnswerCreate, MutualAudioForm),
    responses=NOT_AUDIO | {409: error_doc("Already answered, or not paired."),
               413: error_doc("Over the upload size limit."),
               415: error_doc("Neither JSON nor multipart.")},
)
async def answer(prompt_id: PromptId, request: Request, person: CurrentPerson,
                 session: SessionDep, runtime: RuntimeDep) -> MutualAnswerCreated:
    """Answer a mutual prompt by text (JSON) or voice (multipart with a ``file``), once."""
    body, spoken = await read_text_or_audio(request, MutualAnswerCreate, MutualAudioForm,
                                            runtime.settings.upload_max_bytes)

    def write() -> MutualAnswerCreated:
        prompt = find_prompt(session, person, prompt_id)
        job_id: int | None = None
        if spoken is None:
            assert isinstance(body, MutualAnswerCreate)
            entry = answer_mutual(session, person, prompt.id, text=body.text,
                                  prompt_text=prompt.text)
        else:
            runtime.upload_limiter.hit(f"upload:{person.id}", "Too many uploads; try again later.")
            entry = answer_mutual(session, person, prompt.id, audio=(spoken.samples, spoken.rate),
                                  store=runtime.store, prompt_text=prompt.text)
            assert entry.id is not None
            job_id = job_for(session, entry_id=entry.id)
        note_answered(session, person, prompt.id)
        session.commit()
        if job_id is not None:
            runtime.worker.wake()
        return MutualAnswerCreated(entry=present_entries(session, person, [entry])[0],
                                   job_id=job_id, status=_status(session, person, prompt.id))

    return await run_in_threadpool(write)
