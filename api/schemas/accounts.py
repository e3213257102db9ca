"""Accounts, sign-in, preferences and couple pairing."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from confide.api.schemas.common import (
    HAS_LETTER_OR_DIGIT,
    NOT_BLANK,
    Input,
    SpeechRate,
    TimeZoneName,
)

__all__ = [
    "CoupleJoin",
    "CouplePublic",
    "InvitePublic",
    "LoginRequest",
    "PartnerPublic",
    "PersonPublic",
    "PreferencesUpdate",
    "RegisterRequest",
    "TokenPublic",
]

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


