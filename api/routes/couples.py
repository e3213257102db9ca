"""Pairing: one partner makes an invite code, the other joins with it."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, status

from confide.api.deps import CurrentPerson, SessionDep, SettingsDep
from confide.api.errors import Responses, error_doc
from confide.api.schemas import CoupleJoin, CouplePublic, InvitePublic, PartnerPublic
from confide.models.couples import create_invite, join_couple, partner_of
from confide.models.errors import NotFound
from confide.models.tables import Couple, Person

__all__ = ["router"]

router = APIRouter(prefix="/couples", tags=["couples"])
_CONFLICT: Responses = {409: error_doc("Already paired.")}


def _couple_public(couple: Couple, partner: Person | None) -> CouplePublic:
    assert couple.id is not None
    return CouplePublic(
        id=couple.id,
        partner=PartnerPublic(id=partner.id, name=partner.name)
        if partner is not None and partner.id is not None else None,
        waiting_for_partner=partner is None,
        created_at=couple.created_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
def invite_partner(person: CurrentPerson, session: SessionDep,
                   settings: SettingsDep) -> InvitePublic:
    """Start a couple (or renew its invite); the code works once and expires."""
    invite = create_invite(session, person, timedelta(minutes=settings.invite_ttl_minutes))
    return InvitePublic(invite_code=invite.code, expires_at=invite.expires_at)


@router.post("/join", responses=_CONFLICT | {410: error_doc("The invite code expired.")})
def join(body: CoupleJoin, person: CurrentPerson, session: SessionDep) -> CouplePublic:
    """Join a partner's couple with their invite code; the shared journal opens to both."""
    couple = join_couple(session, person, body.invite_code)
    return _couple_public(couple, partner_of(session, person))


@router.get("/me")
def my_couple(person: CurrentPerson, session: SessionDep) -> CouplePublic:
    """The caller's couple and partner; 404 when not paired yet."""
    if person.couple_id is None:
        raise NotFound("You are not paired with a partner yet.")
    couple = session.get(Couple, person.couple_id)
    if couple is None:
        raise NotFound("You are not paired with a partner yet.")
    return _couple_public(couple, partner_of(session, person))
