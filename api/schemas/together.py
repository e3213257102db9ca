"""What a couple does together: mutual prompts, goals and check-ins, reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from confide.api.schemas.common import (
    CLOCK_TIME,
    NOT_BLANK,
    Input,
    Rating,
    ReminderKind,
    TimeZoneName,
    Weekday,
)
from confide.api.schemas.entries import EntryPublic

__all__ = [
    "CheckInAudioForm",
    "CheckInCreate",
    "CheckInPublic",
    "GoalCreate",
    "GoalPublic",
    "GoalUpdate",
    "MutualAnswerCreate",
    "MutualAnswerCreated",
    "MutualAudioForm",
    "MutualStatusPublic",
    "ReminderCreate",
    "ReminderPublic",
    "ReminderUpdate",
]

# --- mutual prompts -------------------------------------------------------------------------


class MutualAnswerCreate(Input):
    """A written answer to a mutual prompt; send multipart with a ``file`` to speak it."""

    text: str = Field(min_length=1, max_length=20_000, pattern=NOT_BLANK)


class MutualAudioForm(Input):
    """A spoken mutual answer's form has only its ``file``."""


class MutualStatusPublic(BaseModel):
    prompt_id: str
    prompt_text: str | None
    mine: EntryPublic | None
    partner: EntryPublic | None = Field(description="Only once both partners have answered.")
    partner_answered: bool
    revealed: bool


class MutualAnswerCreated(BaseModel):
    entry: EntryPublic
    job_id: int | None
    status: MutualStatusPublic


# --- goals ----------------------------------------------------------------------------------


class GoalCreate(Input):
    title: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    why: str = Field(default="", max_length=1000)


class GoalUpdate(Input):
    title: str | None = Field(default=None, min_length=1, max_length=200, pattern=NOT_BLANK)
    why: str | None = Field(default=None, max_length=1000)
    status: Literal["active", "paused", "done"] | None = None


class GoalPublic(BaseModel):
    id: int
    title: str
    why: str
    status: str
    created_by: int
    created_at: datetime


class CheckInCreate(Input):
    """A written check-in; send multipart with ``rating`` and a ``file`` to speak it."""

    rating: Rating
    reflection: str = Field(default="", max_length=20_000)


class CheckInAudioForm(Input):
    """The other fields of a spoken check-in's multipart form."""

    rating: Rating


class CheckInPublic(BaseModel):
    id: int
    goal_id: int
    person_id: int
    rating: int
    reflection: str
    has_audio: bool
    created_at: datetime


# --- reminders ------------------------------------------------------------------------------


class ReminderCreate(Input):
    days: list[Weekday] = Field(min_length=1, max_length=7,
                                description="Weekdays, 0 = Monday … 6 = Sunday.")
    local_time: str = Field(pattern=CLOCK_TIME, max_length=20, examples=["20:30"])
    timezone: TimeZoneName | None = None
    kind: ReminderKind = "reflection"


class ReminderUpdate(Input):
    days: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    local_time: str | None = Field(default=None, pattern=CLOCK_TIME, max_length=20)
    timezone: TimeZoneName | None = None
    kind: ReminderKind | None = None
    enabled: bool | None = None


class ReminderPublic(BaseModel):
    id: int
    days: list[int]
    local_time: str
    timezone: str
    enabled: bool
    kind: str
    snoozed_until: datetime | None
    created_at: datetime


