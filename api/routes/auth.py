"""Accounts: register, sign in for a token, sign out, and one's own preferences.

Tokens are random, stored hashed, expire (``token_ttl_hours``) and are revoked on logout.
Failed sign-ins are counted per name and per client address in the database; registering
is limited per address in memory. Passphrases are never logged or echoed.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from confide.api.deps import (
    CurrentPerson,
    CurrentToken,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    clear_session_cookie,
    remember_sign_in,
    set_session_cookie,
)
from confide.api.errors import error_doc
from confide.api.present import present_person
from confide.api.schemas import LoginRequest, PersonPublic, PreferencesUpdate, RegisterRequest, TokenPublic
from confide.api.security import client_address
from confide.models.accounts import Preferences, issue_token, register, revoke_token
from confide.models.accounts import sign_in as open_journal
from confide.models.accounts import update_preferences as apply_preferences

__all__ = ["router"]

router = APIRouter(tags=["accounts"])


@router.post("/auth/register", status_code=status.HTTP_201_CREATED,
             responses={409: error_doc("The name is taken.")})
def register_person(body: RegisterRequest, request: Request, session: SessionDep,
                    runtime: RuntimeDep) -> PersonPublic:
    """Create an account with a private journal; pair with a partner afterwards."""
    runtime.register_limiter.hit(f"register:{client_address(request)}",
                                 "Too many new accounts from here; try again later.")
    person = register(session, body.name, body.passphrase, timezone=body.timezone)
    return present_person(person)


@router.post("/auth/token")
def sign_in(body: LoginRequest, request: Request, response: Response, session: SessionDep,
            settings: SettingsDep, runtime: RuntimeDep) -> TokenPublic:
    """Exchange name and passphrase for a bearer token (and optionally the session cookie).
    The passphrase unlocks the journal for this token only, until sign-out or expiry."""
    person, keys = open_journal(session, body.name, body.passphrase,
                                address=client_address(request))
    issued = issue_token(session, person, timedelta(hours=settings.token_ttl_hours),
                         unlocked=keys)
    remember_sign_in(runtime, session, person, keys, issued.token, issued.expires_at)
    if body.set_cookie:
        set_session_cookie(response, issued.token, issued.expires_at, settings)
    return TokenPublic(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(token: CurrentToken, _person: CurrentPerson, response: Response,
             session: SessionDep, settings: SettingsDep, runtime: RuntimeDep) -> None:
    """Revoke the token (or cookie session) this request was made with; its keys are
    forgotten at once."""
    revoke_token(session, token.token)
    runtime.unlocked.drop(token.token)
    if token.via == "cookie":
        clear_session_cookie(response, settings)


@router.get("/me")
def read_me(person: CurrentPerson) -> PersonPublic:
    """Who is signed in, with their speech and listening preferences."""
    return present_person(person)


@router.patch("/me")
def update_me(body: PreferencesUpdate, person: CurrentPerson, session: SessionDep) -> PersonPublic:
    """Change speech voice, rate, volume, pause allowance, reply limit or time zone."""
    prefs = Preferences(**body.model_dump(exclude_unset=True))
    return present_person(apply_preferences(session, person, prefs))
