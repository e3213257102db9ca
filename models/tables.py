"""The journal's tables (SQLModel). Schema changes go through Alembic (models/migrations).

Times are stored as UTC and come back timezone-aware on SQLite and PostgreSQL alike.
An entry's visibility is derived from its journal (private or shared), so moving it
between journals is the one way to share or unshare it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field, SQLModel

__all__ = [
    "ApiToken",
    "AudioBlob",
    "Couple",
    "CoupleKey",
    "CustomPrompt",
    "Entry",
    "EntryRead",
    "EntryStatus",
    "Goal",
    "GoalCheckIn",
    "ItemKey",
    "Journal",
    "JournalKind",
    "LoginAttempt",
    "Person",
    "PersonKey",
    "ProgramEnrollment",
    "RateHit",
    "Reminder",
    "Response",
    "SearchTerm",
    "SharedSecret",
    "TranscriptionJob",
    "WorkerJobKey",
    "WorkerKey",
    "WorkerSeen",
    "utcnow",
]

JournalKind = Literal["private", "shared"]
EntryStatus = Literal["recorded", "transcribing", "ready", "failed", "no_speech"]
MOODS = ("calm", "hopeful", "grateful", "tender", "anxious", "sad", "angry", "hurt", "tired")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns them aware (SQLite drops tzinfo)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _when(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    passphrase_hash: str | None = Field(default=None, max_length=200)
    couple_id: int | None = Field(default=None, foreign_key="couple.id", index=True)
    tts_voice: str | None = Field(default=None, max_length=80)
    tts_rate: int | None = None
    tts_volume: float | None = None
    pause_allowance_s: float | None = None
    max_reply_s: float | None = None
    timezone: str = Field(default="UTC", max_length=64)
    news_seen_at: datetime | None = _when(nullable=True)
    created_at: datetime = _created()


class Couple(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_by: int  # a person id; no foreign key, so person <-> couple has no cycle
    invite_code_hash: str | None = Field(default=None, max_length=64, index=True)
    invite_expires_at: datetime | None = _when(nullable=True)
    created_at: datetime = _created()


class Journal(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'private' AND owner_id IS NOT NULL AND couple_id IS NULL) OR "
            "(kind = 'shared' AND couple_id IS NOT NULL AND owner_id IS NULL)",
            name="journal_owner_matches_kind",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    owner_id: int | None = Field(default=None, foreign_key="person.id", unique=True)
    couple_id: int | None = Field(default=None, foreign_key="couple.id", unique=True)


class Entry(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_entry_journal_created", "journal_id", "created_at", "id"),
        sa.UniqueConstraint("couple_mutual_key", name="uq_entry_mutual_answer"),
    )
    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="person.id", index=True)
    journal_id: int = Field(foreign_key="journal.id")
    prompt_id: str | None = Field(default=None, max_length=80, index=True)
    prompt_text: str | None = Field(default=None, max_length=400)
    kind: str = Field(default="reflection", max_length=12)  # reflection | written | mutual
    # "<couple>:<prompt>:<author>" for a mutual answer; unique so each answers once.
    couple_mutual_key: str | None = Field(default=None, max_length=120)
    audio_path: str | None = Field(default=None, max_length=200)
    audio_duration_s: float | None = None
    audio_sample_rate: int | None = None
    transcript: str = Field(default="", sa_column=Column(sa.Text, nullable=False, default=""))
    segments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(sa.JSON,
                                                                                 nullable=False))
    language: str | None = Field(default=None, max_length=12)
    word_count: int = 0
    mood: str | None = Field(default=None, max_length=20)
    tags: list[str] = Field(default_factory=list, sa_column=Column(sa.JSON, nullable=False))
    status: str = Field(default="ready", max_length=12)
    status_reason: str | None = Field(default=None, max_length=300)
    # The words, segments, mood and tags, sealed with the entry's data key (models/sealing.py).
    # ``transcript``, ``segments``, ``mood`` and ``tags`` above are only ever filled in memory
    # from it, or hold a journal from before sealing until its owner's first unlock.
    sealed: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    indexed: bool = Field(default=False, sa_column=Column(sa.Boolean, nullable=False,
                                                          server_default=sa.false()))
    created_at: datetime = _created()
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                         nullable=False))
    # When the author last corrected the words; the recording is never changed.
    edited_at: datetime | None = _when(nullable=True)


class EntryRead(SQLModel, table=True):
    """Which shared entries a person has opened: the web page's unread marks."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", primary_key=True, ondelete="CASCADE")
    read_at: datetime = _created()


class Response(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True, ondelete="CASCADE")
    author_id: int = Field(foreign_key="person.id")
    parent_id: int | None = Field(default=None, foreign_key="response.id")
    text: str = Field(default="", sa_column=Column(sa.Text, nullable=False, default=""))
    audio_path: str | None = Field(default=None, max_length=200)
    audio_duration_s: float | None = None
    status: str = Field(default="ready", max_length=12)
    sealed: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    indexed: bool = Field(default=False, sa_column=Column(sa.Boolean, nullable=False,
                                                          server_default=sa.false()))
    created_at: datetime = _created()


class Goal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    couple_id: int = Field(foreign_key="couple.id", index=True)
    created_by: int = Field(foreign_key="person.id")
    title: str = Field(max_length=200)
    why: str = Field(default="", max_length=1000)
    status: str = Field(default="active", max_length=10)  # active | paused | done
    created_at: datetime = _created()


class GoalCheckIn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="goal.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id")
    rating: int = Field(ge=1, le=5)
    reflection: str = Field(default="", sa_column=Column(sa.Text, nullable=False, default=""))
    audio_path: str | None = Field(default=None, max_length=200)
    sealed: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    created_at: datetime = _created()


class Reminder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    days: list[int] = Field(default_factory=list, sa_column=Column(sa.JSON, nullable=False))
    local_time: str = Field(max_length=5)  # "HH:MM" in the reminder's time zone
    timezone: str = Field(default="UTC", max_length=64)
    enabled: bool = True
    kind: str = Field(default="reflection", max_length=20)
    snoozed_until: datetime | None = _when(nullable=True)
    skip_occurrence: datetime | None = _when(nullable=True)
    created_at: datetime = _created()


class TranscriptionJob(SQLModel, table=True):
    """Durable work: a recording waiting for its transcript survives a crash or restart."""

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int | None = Field(default=None, foreign_key="entry.id", index=True,
                                 ondelete="CASCADE")
    response_id: int | None = Field(default=None, foreign_key="response.id", ondelete="CASCADE")
    status: str = Field(default="queued", max_length=10, index=True)  # queued|running|done|failed
    attempts: int = 0
    error: str | None = Field(default=None, max_length=500)
    # While running: until when its worker holds it (renewed by a heartbeat). A job whose
    # worker died is taken again only once this has passed.
    lease_until: datetime | None = _when(nullable=True)
    created_at: datetime = _created()
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                         nullable=False))


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = _when(nullable=True)
    # The keys this sign-in unlocked, sealed with a key derived from the token itself (which
    # only its holder has; the row keeps only the token's hash): any server process that is
    # sent the token can open them, the database alone cannot. Cleared at sign-out.
    keys_box: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    created_at: datetime = _created()


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, for rate limiting per name and per client address."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    at: datetime = _created()


class RateHit(SQLModel, table=True):
    """One counted request (a registration, an upload) for a rate limit every process shares."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    at: datetime = _created()


class SharedSecret(SQLModel, table=True):
    """A deployment-wide secret made once by whichever process starts first (the web page's
    CSRF key), so every API process of one deployment agrees on it."""

    name: str = Field(max_length=40, primary_key=True)
    value: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    created_at: datetime = _created()


class WorkerKey(SQLModel, table=True):
    """The public half of a transcription worker's key pair (``confide worker --init``); the
    secret half lives only in a file on the worker's machine."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    public_key: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    created_at: datetime = _created()
    retired_at: datetime | None = _when(nullable=True)


class WorkerJobKey(SQLModel, table=True):
    """A queued job's data key sealed for one worker key: the worker opens exactly this
    recording and nothing else. Deleted when the job is done or failed."""

    job_id: int = Field(foreign_key="transcriptionjob.id", primary_key=True, ondelete="CASCADE")
    worker_key_id: int = Field(foreign_key="workerkey.id", primary_key=True, ondelete="CASCADE")
    wrapped: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    created_at: datetime = _created()


class WorkerSeen(SQLModel, table=True):
    """A running worker process, renewed while it runs (the worker count in /metrics)."""

    name: str = Field(max_length=120, primary_key=True)
    seen_at: datetime = _created()
    started_at: datetime = _created()
    jobs_done: int = 0


class AudioBlob(SQLModel, table=True):
    """A sealed recording in the database audio store (``CONFIDE_AUDIO_STORE=database``),
    under the same relative path the folder store would use."""

    path: str = Field(max_length=200, primary_key=True)
    data: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    created_at: datetime = _created()


class CustomPrompt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    couple_id: int = Field(foreign_key="couple.id", index=True)
    created_by: int = Field(foreign_key="person.id")
    text: str = Field(max_length=400)
    theme: str = Field(max_length=40)
    created_at: datetime = _created()


class ProgramEnrollment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    program_id: str = Field(max_length=80)
    started_on: date
    status: str = Field(default="active", max_length=10)  # active | paused | left | done
    days_done: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                         nullable=False))


class PersonKey(SQLModel, table=True):
    """A person's X25519 key pair: the public half in the clear (anyone may seal for them),
    the secret half only wrapped, by their passphrase (Argon2id) and by their recovery key."""

    __tablename__ = "person_key"
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    public_key: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    passphrase_wrap: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary))
    kdf_salt: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary))
    kdf_ops: int | None = None
    kdf_mem: int | None = None
    recovery_wrap: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    created_at: datetime = _created()


class CoupleKey(SQLModel, table=True):
    """The shared journal's key pair; its secret half is wrapped for each partner (ItemKey)."""

    __tablename__ = "couple_key"
    couple_id: int = Field(foreign_key="couple.id", primary_key=True)
    public_key: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))


class ItemKey(SQLModel, table=True):
    """One wrap of one data key for one reader. ``item_kind``: entry, response, checkin or
    couple (a couple's secret key); ``reader_kind``: person or couple; ``method``: box
    (anonymous, sealed for the public key) or secret (re-wrapped by the reader after unlock)."""

    __tablename__ = "item_key"
    __table_args__ = (
        sa.UniqueConstraint("item_kind", "item_id", "reader_kind", "reader_id",
                            name="uq_item_key_reader"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_kind: str = Field(max_length=10)
    item_id: int
    reader_kind: str = Field(max_length=10)
    reader_id: int
    method: str = Field(default="box", max_length=6)
    wrapped: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))


class SearchTerm(SQLModel, table=True):
    """The blind search index: keyed hashes of an entry's words (and its responses'), made
    with a key only the journal's readers hold. ``scope`` is the journal the hash belongs to."""

    __tablename__ = "search_term"
    __table_args__ = (sa.Index("ix_search_term_term", "term", "entry_id"),)
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True, ondelete="CASCADE")
    term: bytes = Field(sa_column=Column(sa.LargeBinary(16), nullable=False))

# The import marks' table is defined beside its operations; loading it with the others keeps
# SQLModel.metadata whole (Alembic compares the schema with it) whoever imports a table first.
from confide.models import import_marks as _import_marks  # noqa: E402,F401
