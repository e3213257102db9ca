"""Progress (weeks, goal ratings, milestones) and prompts as the API hands them out."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

__all__ = [
    "GoalRatingsPublic",
    "MilestonePublic",
    "ProgressPublic",
    "PromptChoicePublic",
    "PromptPublic",
    "RatingPointPublic",
    "WeekFigurePublic",
]


class WeekFigurePublic(BaseModel):
    week_start: date
    iso_year: int
    iso_week: int
    entries: int
    words: int


class RatingPointPublic(BaseModel):
    day: date
    rating: int
    by_me: bool


class GoalRatingsPublic(BaseModel):
    goal_id: int
    title: str
    status: str
    points: list[RatingPointPublic]
    average: float | None
    latest: int | None


class MilestonePublic(BaseModel):
    key: str
    title: str
    reached_on: date


class ProgressPublic(BaseModel):
    """Streaks, weekly figures, goal ratings over time and milestones, with a sentence to say."""

    today: date
    current_streak: int
    longest_streak: int
    journaled_today: bool
    rest_day_yesterday: bool
    days_journaled_last_7: int
    total_entries: int
    total_words: int
    shared_count: int
    private_count: int
    weeks: list[WeekFigurePublic]
    goals: list[GoalRatingsPublic]
    milestones: list[MilestonePublic]
    summary: str



class PromptPublic(BaseModel):
    id: str
    text: str
    theme: str
    depth: str
    audience: str
    follow_ups: list[str]
    source: str


class PromptChoicePublic(BaseModel):
    prompt: PromptPublic
    spoken: str = Field(description="What to read aloud (a revisit quotes the person's words).")
    reason: str
    detail: str
    program_day: int | None


