"""Pairing two people into a couple by a one-time invite code that expires."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from confide.models import keys
from confide.models.errors import Conflict, Expired, InvalidInput, NotFound
from confide.models.tables import Couple, Journal, Person, utcnow

__all__ = ["Invite", "create_invite", "join_couple", "partner_of"]

_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no look-alikes (0/O, 1/I/L, U/V)


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    expires_at: datetime


def create_invite(session: Session, person: Person, ttl: timedelta,
                  now: datetime | None = None) -> Invite:
    """Start a couple (or renew the invite of one still waiting for a partner)."""
    now = now or utcnow()
    if person.couple_id is not None:
        members = session.exec(
            select(func.count()).select_from(Person).where(Person.couple_id == person.couple_id)
        ).one()
        if members >= 2:
            raise Conflict("You are already paired with a partner.")
        couple = session.get(Couple, person.couple_id)
        assert couple is not None
    else:
        assert person.id is not None
        couple = Couple(created_by=person.id, created_at=now)
        session.add(couple)
        session.flush()
        session.add(Journal(kind="shared", couple_id=couple.id))
        person.couple_id = couple.id
        session.add(person)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    code = f"{raw[:4]}-{raw[4:]}"
    couple.invite_code_hash = _hash(code)
    couple.invite_expires_at = now + ttl
    session.add(couple)
    session.flush()
    return Invite(code, couple.invite_expires_at)


def join_couple(session: Session, person: Person, code: str,
                now: datetime | None = None) -> Couple:
    """Join the couple whose invite this is; the code then stops working."""
    now = now or utcnow()
    if not _normalise(code):
        raise InvalidInput("An invite code is needed.")
    if person.couple_id is not None:
        raise Conflict("You are already part of a couple.")
    couple = session.exec(select(Couple).where(Couple.invite_code_hash == _hash(code))).first()
    if couple is None:
        raise NotFound("That invite code is not valid.")
    if couple.invite_expires_at is None or couple.invite_expires_at <= now:
        raise Expired("That invite code has expired; ask for a new one.")
    members = session.exec(
        select(func.count()).select_from(Person).where(Person.couple_id == couple.id)
    ).one()
    if members >= 2:
        raise Conflict("That couple already has two people.")
    person.couple_id = couple.id
    couple.invite_code_hash = None
    couple.invite_expires_at = None
    session.add(person)
    session.add(couple)
    session.flush()
    assert couple.id is not None
    member_ids = [i for i in session.exec(select(Person.id).where(Person.couple_id == couple.id))
                  if i is not None]
    keys.ensure_couple_key(session, couple.id, member_ids)
    return couple


def partner_of(session: Session, person: Person) -> Person | None:
    if person.couple_id is None:
        return None
    return session.exec(
        select(Person).where(Person.couple_id == person.couple_id, Person.id != person.id)
    ).first()
