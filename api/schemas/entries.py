"""Entries, their recordings' jobs, responses to them, and search over them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from confide.api.schemas.common import (
    NOT_BLANK,
    TAG,
    Input,
    IsoDateTime,
    JournalName,
    Mood,
    RowRef,
)

__all__ = [
    "EntryCreate",
    "EntryDetailPublic",
    "EntryListQuery",
    "EntryPagePublic",
    "EntryPublic",
    "EntryUpdate",
    "JobPublic",
    "RecordingAccepted",
    "ResponseAudioForm",
    "ResponseCreate",
    "ResponsePublic",
    "SearchHitPublic",
    "SearchResultsPublic",
    "SegmentPublic",
]

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



# --- search ------------------------------------------------------


class SearchHitPublic(BaseModel):
    entry: EntryPublic
    snippet: str


class SearchResultsPublic(BaseModel):
    query: str
    items: list[SearchHitPublic]


