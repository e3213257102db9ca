"""Mutual goals and their check-ins (a 1–5 rating with a written or spoken reflection)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from starlette.concurrency import run_in_threadpool

from confide.api.bodies import read_text_or_audio, text_or_audio_body
from confide.api.deps import CurrentPerson, RowId, RuntimeDep, SessionDep
from confide.api.errors import NOT_AUDIO, Responses, error_doc
from confide.api.present import present_checkin, present_goal
from confide.api.schemas import (
    CheckInAudioForm,
    CheckInCreate,
    CheckInPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
)
from confide.models.goals import add_checkin, create_goal, list_checkins, list_goals, update_goal

__all__ = ["router"]

router = APIRouter(prefix="/goals", tags=["goals"])
_CONFLICT: Responses = {409: error_doc("Needs a partner, or the goal is done.")}


@router.get("")
def read_goals(person: CurrentPerson, session: SessionDep) -> list[GoalPublic]:
    """The couple's goals, oldest first (none before pairing)."""
    return [present_goal(g) for g in list_goals(session, person)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
def add_goal(body: GoalCreate, person: CurrentPerson, session: SessionDep) -> GoalPublic:
    """Set a goal together, e.g. "no phones at dinner"."""
    return present_goal(create_goal(session, person, body.title, body.why))


@router.patch("/{goal_id}")
def change_goal(goal_id: RowId, body: GoalUpdate, person: CurrentPerson,
                session: SessionDep) -> GoalPublic:
    """Rename, re-explain, pause, finish or reopen a goal (either partner)."""
    return present_goal(update_goal(session, person, goal_id, title=body.title, why=body.why,
                                    status=body.status))


@router.get("/{goal_id}/checkins")
def read_checkins(goal_id: RowId, person: CurrentPerson,
                  session: SessionDep) -> list[CheckInPublic]:
    """Both partners' check-ins on a goal, oldest first."""
    return [present_checkin(c) for c in list_checkins(session, person, goal_id)]


@router.post(
    "/{goal_id}/checkins",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=text_or_audio_body(CheckInCreate, CheckInAudioForm),
    responses=_CONFLICT | {
        413: error_doc("Over the upload size limit."),
        415: error_doc("Neither JSON nor multipart.")} | NOT_AUDIO,
)
async def check_in(goal_id: RowId, request: Request, person: CurrentPerson, session: SessionDep,
                   runtime: RuntimeDep) -> CheckInPublic:
    """Rate how the goal went (1–5) with a written reflection (JSON) or a spoken one
    (multipart with ``rating`` and a ``file``; the recording is kept)."""
    body, spoken = await read_text_or_audio(request, CheckInCreate, CheckInAudioForm,
                                            runtime.settings.upload_max_bytes)

    def write() -> CheckInPublic:
        if spoken is None:
            assert isinstance(body, CheckInCreate)
            return present_checkin(add_checkin(session, person, goal_id, body.rating,
                                               body.reflection))
        runtime.upload_limiter.hit(f"upload:{person.id}", "Too many uploads; try again later.")
        return present_checkin(add_checkin(session, person, goal_id, body.rating,
                                           audio=(spoken.samples, spoken.rate),
                                           store=runtime.store))

    return await run_in_threadpool(write)
