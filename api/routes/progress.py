"""Progress: streaks, weekly figures, goal ratings and milestones, from what the caller may see."""

from __future__ import annotations

from fastapi import APIRouter

from confide.api.deps import CurrentPerson, SessionDep
from confide.api.schemas import ProgressPublic
from confide.models.progress import progress_as_dict, progress_for
from confide.models.tables import utcnow

__all__ = ["router"]

router = APIRouter(tags=["progress"])


@router.get("/progress")
def my_progress(person: CurrentPerson, session: SessionDep) -> ProgressPublic:
    """The caller's own progress (their partner's private entries never count here)."""
    return ProgressPublic.model_validate(progress_as_dict(progress_for(session, person, utcnow())))
