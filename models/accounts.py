"""People, passphrases, sign-in tokens and preferences.

A passphrase is proved by opening the person's sealed secret (Argon2id, models/keys.py);
accounts from before sealing keep an argon2 hash until their first sign-in. Tokens are
random, stored only as SHA-256 hashes, expire, and can be revoked. Failed sign-ins are
counted per name and per client address so guessing is slow.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select

from confide.models import crypto, keys
from confide.models.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    SealError,
)
from confide.models.keys import Keys
from confide.models.tables import ApiToken, Journal, LoginAttempt, Person, utcnow
from confide.models.visibility import remember_viewer, viewer_columns

__all__ = [
    "Preferences",
    "authenticate",
    "check_login_allowed",
    "get_person",
    "get_person_by_name",
    "issue_token",
    "keys_for_token",
    "person_for_token",
    "register",
    "register_person",
    "revoke_token",
    "set_passphrase",
    "sign_in",
    "update_preferences",
]

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
MIN_PASSPHRASE = 8
MAX_PER_NAME = 5
MAX_PER_ADDRESS = 20
WINDOW = timedelta(minutes=15)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("A name is needed.")
    if len(cleaned) > 80:
        raise InvalidInput("A name can be at most 80 characters.")
    return cleaned


def _named(name: str) -> sa.ColumnElement[bool]:
    """The person called ``name``, case-insensitively. SQLite's lower() folds ASCII only, so
    the exact name is matched too: "Élodie" is found, and cannot be registered twice."""
    return sa.or_(col(Person.name) == name, func.lower(Person.name) == name.lower())


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"A passphrase needs at least {MIN_PASSPHRASE} characters.")
    if len(passphrase) > 1000:
        raise InvalidInput("A passphrase can be at most 1000 characters.")


def register_person(session: Session, name: str, passphrase: str | None = None,
                    *, timezone: str = "UTC") -> tuple[Person, Keys, str]:
    """A new person with their private journal and key pair; returns them unlocked, with the
    recovery words to show once. Without a passphrase they can record (writing needs no
    secret) and unlock with the recovery words until they set one."""
    name = _clean_name(name)
    if passphrase is not None:
        _check_passphrase(passphrase)
    _check_timezone(timezone)
    if session.exec(select(Person.id).where(_named(name))).first():
        raise Conflict(f"The name {name!r} is taken.")
    person = Person(name=name, timezone=timezone)
    session.add(person)
    session.flush()
    session.add(Journal(kind="private", owner_id=person.id))
    session.flush()
    unlocked, words = keys.create_person_keys(session, person, passphrase)
    return person, unlocked, words


def register(session: Session, name: str, passphrase: str | None = None,
             *, timezone: str = "UTC") -> Person:
    """``register_person`` for callers that show no recovery words (tests, fixtures)."""
    return register_person(session, name, passphrase, timezone=timezone)[0]


def set_passphrase(session: Session, unlocked: Keys, passphrase: str) -> None:
    """A new passphrase for an unlocked person: their secret is re-wrapped, nothing else."""
    _check_passphrase(passphrase)
    keys.change_passphrase(session, unlocked, passphrase)


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such person.")
    return person


def get_person_by_name(session: Session, name: str) -> Person:
    person = session.exec(
        select(Person).where(_named(" ".join(name.split())))
    ).first()
    if person is None:
        raise NotFound(f"Nobody called {name!r} uses this journal yet.")
    return person


def _attempt_keys(name: str, address: str | None) -> list[str]:
    keys = [f"name:{' '.join(name.split()).lower()}"]
    if address:
        keys.append(f"addr:{address}")
    return keys


def check_login_allowed(session: Session, name: str, address: str | None,
                        now: datetime | None = None) -> None:
    """Raise RateLimited when too many recent failures for this name or address."""
    now = now or utcnow()
    since = now - WINDOW
    for key in _attempt_keys(name, address):
        limit = MAX_PER_NAME if key.startswith("name:") else MAX_PER_ADDRESS
        failures = session.exec(
            select(func.count()).select_from(LoginAttempt)
            .where(LoginAttempt.key == key, col(LoginAttempt.at) >= since)
        ).one()
        if failures >= limit:
            raise RateLimited("Too many sign-in attempts; wait a few minutes and try again.",
                              retry_after=WINDOW.total_seconds())


def sign_in(session: Session, name: str, passphrase: str, *, address: str | None = None,
            now: datetime | None = None) -> tuple[Person, Keys]:
    """The person whose name and passphrase these are, unlocked: the passphrase is proved by
    opening their secret (one Argon2id), so there is no separate hash to guess against.
    Failures are counted per name and address, then refused."""
    now = now or utcnow()
    check_login_allowed(session, name, address, now)
    person = session.exec(
        select(Person).where(_named(" ".join(name.split())))
    ).first()
    unlocked: Keys | None = None
    if person is not None and keys.has_keys(session, person.id or 0):
        try:
            unlocked = keys.unlock(session, person, passphrase)
        except (NotAuthenticated, RateLimited):
            unlocked = None
    elif person is not None and person.passphrase_hash:
        unlocked = _first_unlock_of_old_account(session, person, passphrase)
    else:
        # Spend the same time as a real check, so names cannot be probed by timing.
        crypto.passphrase_key(passphrase, bytes(16), keys.DEFAULT_KDF)
    if unlocked is None or person is None:
        for key in _attempt_keys(name, address):
            session.add(LoginAttempt(key=key, at=now))
        session.commit()  # the failure must be counted even though the caller raises
        raise NotAuthenticated("That name and passphrase do not match.")
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.key) == _attempt_keys(name, None)[0]))
    return person, unlocked


def _first_unlock_of_old_account(session: Session, person: Person, passphrase: str) -> Keys | None:
    """An account from before sealing: its passphrase hash proves it once, then it gets keys
    and the hash goes (the journal itself is sealed by ``sealing.settle``)."""
    try:
        _hasher.verify(person.passphrase_hash or "", passphrase)
    except (VerificationError, InvalidHashError):
        return None
    unlocked, _words = keys.create_person_keys(session, person, passphrase)
    person.passphrase_hash = None
    session.add(person)
    session.flush()
    log.info("person %s now has keys; their recovery words can be issued after unlock",
             person.id)
    return unlocked


def authenticate(session: Session, name: str, passphrase: str, *, address: str | None = None,
                 now: datetime | None = None) -> Person:
    """``sign_in`` for callers that only need to know who it is."""
    return sign_in(session, name, passphrase, address=address, now=now)[0]


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime


def _token_key(token: str) -> bytes:
    """The key a token seals its sign-in's keys with; unrelated to the stored hash."""
    return hashlib.blake2b(token.encode(), person=b"confide-token", digest_size=32).digest()


def issue_token(session: Session, person: Person, ttl: timedelta,
                now: datetime | None = None, *, unlocked: Keys | None = None) -> IssuedToken:
    """A fresh bearer token; only its hash is kept. With ``unlocked``, the keys the sign-in
    opened travel with the token: sealed by a key only the token gives (see ApiToken)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    assert person.id is not None
    box = crypto.seal_box(_token_key(token), unlocked.secret) if unlocked is not None else None
    row = ApiToken(person_id=person.id, token_hash=_hash_token(token), expires_at=now + ttl,
                   created_at=now, keys_box=box)
    session.add(row)
    session.flush()
    return IssuedToken(token, row.expires_at)


@functools.cache
def _person_for_token_query() -> Any:
    """Built once: the person behind a live token, found by the token hash's unique index,
    with what the visibility rule needs to know about them."""
    return (
        sa.select(Person, *viewer_columns())
        .join(ApiToken, col(ApiToken.person_id) == col(Person.id))
        .where(col(ApiToken.token_hash) == sa.bindparam("token_hash", type_=sa.String),
               col(ApiToken.revoked_at).is_(None),
               col(ApiToken.expires_at) > sa.bindparam("now"))
    )


def person_for_token(session: Session, token: str, now: datetime | None = None) -> Person:
    """The person a bearer or cookie token belongs to, if it is neither expired nor revoked
    (one indexed lookup: this runs on every signed-in request)."""
    row = session.execute(_person_for_token_query(),
                          {"token_hash": _hash_token(token), "now": now or utcnow()}).first()
    if row is None:
        raise NotAuthenticated("Sign in again: this session is not valid.")
    person: Person = row[0]
    remember_viewer(session, person, *row[1:])
    return person


def keys_for_token(session: Session, token: str, person: Person) -> Keys | None:
    """The keys a live token's sign-in unlocked, opened with the token itself."""
    box = session.exec(select(ApiToken.keys_box).where(
        ApiToken.token_hash == _hash_token(token), col(ApiToken.revoked_at).is_(None),
        col(ApiToken.expires_at) > utcnow())).first()
    if box is None or person.id is None:
        return None
    try:
        return Keys(person.id, crypto.open_box(_token_key(token), box))
    except SealError:
        return None


def revoke_token(session: Session, token: str) -> None:
    """Sign out: the token stops working and the keys it carried are erased with it."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash_token(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        row.keys_box = None
        session.add(row)
        session.flush()


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone {name!r}; use a name like 'Europe/Berlin'.") from exc


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a person may change about how Confide speaks and listens to them."""

    tts_voice: str | None = None
    tts_rate: int | None = None
    tts_volume: float | None = None
    pause_allowance_s: float | None = None
    max_reply_s: float | None = None
    timezone: str | None = None
    back_to_default: frozenset[str] = frozenset()
    """Fields to clear, so the device's setting applies again (None above means unchanged)."""


_CLEARABLE = frozenset({"tts_voice", "tts_rate", "tts_volume", "pause_allowance_s", "max_reply_s"})


def update_preferences(session: Session, person: Person, prefs: Preferences) -> Person:
    """Apply the given (non-None) preferences after checking each is usable."""
    if not prefs.back_to_default <= _CLEARABLE:
        raise InvalidInput("Only voice, rate, volume, pause and reply limit have defaults.")
    if prefs.tts_rate is not None and not 80 <= prefs.tts_rate <= 450:
        raise InvalidInput("Speech rate must be between 80 and 450 words a minute.")
    if prefs.tts_volume is not None and not 0.0 <= prefs.tts_volume <= 1.0:
        raise InvalidInput("Volume must be between 0 and 1.")
    if prefs.pause_allowance_s is not None and not 0.5 <= prefs.pause_allowance_s <= 60:
        raise InvalidInput("The pause allowance must be between half a second and a minute.")
    if prefs.max_reply_s is not None and prefs.max_reply_s < 5:
        raise InvalidInput("A reply limit must be at least 5 seconds.")
    if prefs.timezone is not None:
        _check_timezone(prefs.timezone)
    for field in ("tts_voice", "tts_rate", "tts_volume", "pause_allowance_s", "max_reply_s",
                  "timezone"):
        value = getattr(prefs, field)
        if value is not None:
            setattr(person, field, value)
        elif field in prefs.back_to_default:
            setattr(person, field, None)
    session.add(person)
    session.flush()
    return person
