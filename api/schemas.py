"""What goes in and out of the API: request bodies (``*Create`` / ``*Update``) and responses
(``*Public``).

Inputs forbid unknown fields and are strict about types, so a typo or a wrong type is a 422
instead of a silently ignored or coerced value. Outputs are always ``*Public`` models built
from the domain rows, never the rows themselves, so a new column cannot leak by accident.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "CheckInAudioForm",
    "CheckInCreate",
    "CheckInPublic",
    "CoupleJoin",
    "CouplePublic",
    "EntryCreate",
    "EntryDetailPublic",
    "EntryPagePublic",
    "EntryPublic",
    "EntryUpdate",
    "ErrorPublic",
    "GoalCreate",
    "GoalPublic",
    "GoalUpdate",
    "HealthPublic",
    "InvitePublic",
    "JobPublic",
    "LoginRequest",
    "MutualAnswerCreate",
    "MutualAnswerCreated",
    "MutualAudioForm",
    "MutualStatusPublic",
    "PartnerPublic",
    "PersonPublic",
    "PreferencesUpdate",
    "ProgressPublic",
    "PromptChoicePublic",
    "PromptPublic",
    "RecordingAccepted",
    "RegisterRequest",
    "ReminderCreate",
    "ReminderPublic",
    "ReminderUpdate",
    "ResponseAudioForm",
    "ResponseCreate",
    "ResponsePublic",
    "SearchHitPublic",
    "SearchResultsPublic",
    "TokenPublic",
]

JournalName = Literal["private", "shared"]
Mood = Literal["calm", "hopeful", "grateful", "tender", "anxious", "sad", "angry", "hurt", "tired"]
"""``models.tables.MOODS``, as the schema's enum."""
ReminderKind = Literal["reflection", "goal_checkin", "partner_shared"]
"""``models.reminders.KINDS``."""

# What the journal's own checks enforce, said in the schema so that every value the schema
# allows is accepted. Patterns are searched (JSON Schema's rule) and read by Python's ``re``
# here (``regex_engine`` below), the way the journal reads the text; \x1c-\x1f and \x85
# are spaces to Python's ``str.split`` but not to every regex engine, so they are named.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"
"""Holds something other than whitespace (the journal strips or collapses whitespace)."""
HAS_LETTER_OR_DIGIT = r"[^\W_]"
"""Holds a letter or digit: an invite code is read as its letters and digits only."""
TAG = r'^[^"\\]*[^\s\x1c-\x1f\x85"\\][^"\\]*$'
"""A tag: not blank, without double quotes or backslashes."""
CLOCK_TIME = r"^\s*([01]?\d|2[0-3]):[0-5]\d\s*$"
"""``models.schedule.parse_local_time``: H:MM or HH:MM on a 24-hour clock."""


def _time_zones(schema: dict[str, Any]) -> None:
    """The zone names ``zoneinfo`` knows here, listed when the schema is built (not on import)."""
    schema["enum"] = sorted(available_timezones())


TimeZoneName = Annotated[str, Field(max_length=64, examples=["Europe/Berlin"],
                                    json_schema_extra=_time_zones)]


def _whole(value: object) -> object:
    """4.0 is the integer 4 to JSON Schema; strict mode still refuses "4", true and 4.5."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Integers as JSON Schema means them: numbers without a fractional part.
def _iso_text(value: object) -> object:
    """A date and time as the schema says (RFC 3339 text), not a number of seconds: pydantic
    would read ``until=0.5`` as half a second after 1970."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("give a date and time as ISO 8601 text, e.g. 2026-11-29T20:00:00Z")
    return value


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]
Weekday = Annotated[int, Field(ge=0, le=6), BeforeValidator(_whole)]
SpeechRate = Annotated[int, Field(ge=80, le=400), BeforeValidator(_whole)]
RowRef = Annotated[int, Field(ge=1, le=2**63 - 1), BeforeValidator(_whole)]
Rating = Annotated[int, Field(ge=1, le=5), BeforeValidator(_whole)]


class Input(BaseModel):
    """Base of every request body: unknown fields and loose types are refused (422)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=20_000,
                              regex_engine="python-re")


class ErrorPublic(BaseModel):
    """Every error body: one sentence a person can read."""

    detail: str


# --- accounts -------------------------------------------------------------------------------


class RegisterRequest(Input):
    name: str = Field(min_length=1, max_length=80, pattern=NOT_BLANK, examples=["Alex"])
    passphrase: str = Field(min_length=8, max_length=1000)
    timezone: TimeZoneName = "UTC"


class LoginRequest(Input):
    name: str = Field(min_length=1, max_length=80)
    passphrase: str = Field(min_length=1, max_length=1000)
    set_cookie: bool = Field(
        default=False,
        description="Also set the HttpOnly session cookie (for a browser on this origin).",
    )


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the scheme, not a secret)
    expires_at: datetime


class PersonPublic(BaseModel):
    id: int
    name: str
    couple_id: int | None
    timezone: str
    tts_voice: str | None
    tts_rate: int | None
    tts_volume: float | None
    pause_allowance_s: float | None
    max_reply_s: float | None
    created_at: datetime


class PreferencesUpdate(Input):
    """How Confide speaks and listens to this person; omitted fields stay as they are."""

    tts_voice: str | None = Field(default=None, max_length=80)
    tts_rate: SpeechRate | None = None
    tts_volume: float | None = Field(default=None, ge=0.0, le=1.0)
    pause_allowance_s: float | None = Field(default=None, ge=0.5, le=60.0)
    max_reply_s: float | None = Field(default=None, ge=5.0, le=24 * 3600.0)
    timezone: TimeZoneName | None = None


# --- couples --------------------------------------------------------------------------------


class InvitePublic(BaseModel):
    invite_code: str
    expires_at: datetime


class CoupleJoin(Input):
    invite_code: str = Field(min_length=1, max_length=40, pattern=HAS_LETTER_OR_DIGIT,
                             examples=["ABCD-EFGH"])


class PartnerPublic(BaseModel):
    id: int
    name: str


class CouplePublic(BaseModel):
    id: int
    partner: PartnerPublic | None
    waiting_for_partner: bool
    created_at: datetime


# --- entries --------------------------------------------------------------------------------


class EntryCreate(Input):
    """A written entry (a spoken one is uploaded to /api/recordings)."""

    text: str = Field(min_length=1, max_length=20_000, pattern=NOT_BLANK)
    journal: JournalName = "private"
    prompt_id: str | None = Field(default=None, max_length=80)
    mood: Mood | Literal[""] | None = None
    tags: list[Annotated[str, Field(max_length=40, pattern=TAG)]] = Field(
        default_factory=list, max_length=12)


class EntryUpdate(Input):
    """Share or unshare, correct the transcript, set mood or tags; ``mood: null`` clears it."""

    visibility: JournalName | None = None
    transcript: str | None = Field(default=None, max_length=20_000, pattern=NOT_BLANK)
    mood: Mood | Literal[""] | None = None
    tags: list[Annotated[str, Field(max_length=40, pattern=TAG)]] | None = Field(
        default=None, max_length=12)


class EntryPublic(BaseModel):
    """An entry as listed; ``transcript`` is its text (spoken or written)."""

    id: int
    author_id: int
    author_name: str
    is_mine: bool
    journal: JournalName
    kind: str
    prompt_id: str | None
    prompt_text: str | None
    transcript: str
    language: str | None
    word_count: int
    mood: str | None
    tags: list[str]
    status: str
    status_reason: str | None
    has_audio: bool
    audio_duration_s: float | None
    audio_url: str | None
    speech_url: str | None
    unread: bool
    created_at: datetime
    updated_at: datetime


class SegmentPublic(BaseModel):
    start: float
    end: float
    text: str
    confidence: float


class EntryDetailPublic(EntryPublic):
    """One entry with its timed transcript segments."""

    segments: list[SegmentPublic]


class EntryListQuery(BaseModel):
    """The filters and page of ``GET /api/entries``, validated as one model."""

    journal: Literal["private", "shared"] | None = None
    author: Literal["me", "partner"] | None = None
    since: IsoDateTime | None = None
    until: IsoDateTime | None = None
    prompt_id: str | None = Field(default=None, max_length=80)
    tag: str | None = Field(default=None, max_length=40)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)


class EntryPagePublic(BaseModel):
    items: list[EntryPublic]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next (older) page; null on the last page."
    )


class RecordingAccepted(BaseModel):
    entry_id: int
    job_id: int
    status: str


class JobPublic(BaseModel):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    entry_id: int | None
    response_id: int | None
    attempts: int
    error: str | None
    created_at: datetime
    updated_at: datetime


# --- responses ------------------------------------------------------------------------------


class ResponseCreate(Input):
    """A written answer; send multipart with a ``file`` to answer by voice instead."""

    text: str = Field(min_length=1, max_length=20_000, pattern=NOT_BLANK)
    parent_id: RowRef | None = None


class ResponseAudioForm(Input):
    """The other fields of a spoken answer's multipart form."""

    parent_id: RowRef | None = None


class ResponsePublic(BaseModel):
    id: int
    entry_id: int
    author_id: int
    author_name: str
    is_mine: bool
    parent_id: int | None
    text: str
    status: str
    has_audio: bool
    audio_duration_s: float | None
    audio_url: str | None
    job_id: int | None = Field(default=None, description="Set when a voice answer is queued.")
    created_at: datetime


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


# --- progress, search, prompts, health ------------------------------------------------------


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


class SearchHitPublic(BaseModel):
    entry: EntryPublic
    snippet: str


class SearchResultsPublic(BaseModel):
    query: str
    items: list[SearchHitPublic]


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


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    database: str
    model: str
    worker: str
