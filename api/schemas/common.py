"""The shapes every schema shares: the value types the journal's checks allow, the strict
base of every request body, and the bodies every route family answers (errors, health).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "CLOCK_TIME",
    "HAS_LETTER_OR_DIGIT",
    "NOT_BLANK",
    "TAG",
    "ErrorPublic",
    "HealthPublic",
    "Input",
    "IsoDateTime",
    "JournalName",
    "Mood",
    "Rating",
    "ReminderKind",
    "RowRef",
    "SpeechRate",
    "TimeZoneName",
    "Weekday",
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
SpeechRate = Annotated[int, Field(ge=80, le=450), BeforeValidator(_whole)]
RowRef = Annotated[int, Field(ge=1, le=2**63 - 1), BeforeValidator(_whole)]
Rating = Annotated[int, Field(ge=1, le=5), BeforeValidator(_whole)]


class Input(BaseModel):
    """Base of every request body: unknown fields and loose types are refused (422)."""

    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=20_000,
                              regex_engine="python-re")


class ErrorPublic(BaseModel):
    """Every error body: one sentence a person can read."""

    detail: str



class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    database: str
    model: str
    worker: str
