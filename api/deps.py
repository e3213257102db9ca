"""FastAPI dependencies as ``Annotated`` aliases: the database session, the person signed
in, the settings and the audio store, all taken from the app's ``Runtime`` (no globals).

Tests override them through ``app.dependency_overrides`` like any FastAPI dependency.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Literal, ParamSpec, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, Path, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from confide.api.media import SpeechRenderer
from confide.api.security import RateLimiter
from confide.api.unlocked import UnlockedSessions
from confide.api.worker import TranscriptionWorker
from confide.models.accounts import keys_for_token, person_for_token
from confide.models.errors import Forbidden, NotAuthenticated
from confide.models.keys import Keys
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.tables import Person, utcnow
from confide.settings import Settings

__all__ = [
    "MAX_ROW_ID",
    "SESSION_COOKIE",
    "AuthToken",
    "CurrentPerson",
    "CurrentToken",
    "RowId",
    "Runtime",
    "RuntimeDep",
    "SessionDep",
    "SettingsDep",
    "StoreDep",
    "clear_session_cookie",
    "get_runtime",
    "get_session",
    "remember_sign_in",
    "set_session_cookie",
    "signed_in_person",
]

log = logging.getLogger(__name__)

SESSION_COOKIE = "confide_session"
MAX_ROW_ID = 2**63 - 1

P = ParamSpec("P")
T = TypeVar("T")

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id.")]
"""A path id: positive and within the database's integer range (larger is a 422, not a 500)."""


@dataclass
class Runtime:
    """Everything one app instance owns, built by ``create_app`` and kept on ``app.state``."""

    settings: Settings
    engine: Engine
    store: AudioStore
    worker: TranscriptionWorker
    speech: SpeechRenderer
    register_limiter: RateLimiter
    upload_limiter: RateLimiter
    unlocked: UnlockedSessions = field(default_factory=UnlockedSessions)
    """The keys sign-ins opened, by token, in memory only (``api.unlocked``)."""
    inline_db: bool = False
    """Run database work on the event loop (SQLite) instead of the thread pool; see ``db``."""

    async def db(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a piece of database work for a request.

        On SQLite it runs right here on the event loop: the file is local, a WAL reader never
        waits for a lock, and a page of entries costs less CPU than the thread-pool hops it
        replaces, whose threads fight over the GIL under many clients (docs/BENCHMARKS.md,
        API). A server database (PostgreSQL) is a network round trip away, so
        there the work goes to the thread pool.
        """
        if self.inline_db:
            return fn(*args, **kwargs)
        return await run_in_threadpool(fn, *args, **kwargs)


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


async def get_store(runtime: RuntimeDep) -> AudioStore:
    return runtime.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[AudioStore, Depends(get_store)]


def _finish(session: Session, ok: bool) -> None:
    try:
        if ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_session(runtime: RuntimeDep) -> AsyncIterator[Session]:
    """One session per request: committed when the endpoint returns, rolled back on error.

    Scoped to the endpoint function (not the whole request), so the commit happens before
    the response is sent and a failed commit is still an error response. Opening a session
    touches no database; the commit goes through ``Runtime.db`` like the queries.
    """
    session = Session(runtime.engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        await runtime.db(_finish, session, False)
        raise
    await runtime.db(_finish, session, True)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/auth/token.")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                       description="The web page's HttpOnly session cookie.")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class AuthToken:
    token: str
    via: Literal["bearer", "cookie"]


def _same_origin(request: Request) -> bool:
    """For cookie sign-ins: a browser's Origin (when sent) must be this server's own."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


async def get_token(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> AuthToken:
    if bearer is not None and bearer.credentials:
        return AuthToken(bearer.credentials, "bearer")
    if cookie:
        # SameSite=Lax already keeps the cookie off most cross-site writes; this closes the rest.
        if request.method in _UNSAFE and not _same_origin(request):
            raise Forbidden("This request came from another site.")
        return AuthToken(cookie, "cookie")
    raise NotAuthenticated("Sign in first: send a bearer token or the session cookie.")


CurrentToken = Annotated[AuthToken, Depends(get_token)]


def signed_in_person(runtime: Runtime, session: Session, token: str) -> Person:
    """The person behind a live token, with the keys their sign-in unlocked put in this
    session: kept in this process's memory, else opened with the token itself (a request
    that reaches another process, or this one after a restart)."""
    person = person_for_token(session, token)
    keys = runtime.unlocked.get(token)
    if keys is None or keys.person_id != person.id:
        keys = keys_for_token(session, token, person)
        if keys is None:
            raise NotAuthenticated("Sign in again to unlock your journal.")
        # Every request still checks the token (expiry, sign-out) before this cache is read.
        runtime.unlocked.put(token, keys,
                             utcnow() + timedelta(hours=runtime.settings.token_ttl_hours))
    use_keys(session, keys)
    return person


def remember_sign_in(runtime: Runtime, session: Session, person: Person, keys: Keys,
                     token: str, expires_at: datetime) -> None:
    """Keep the keys a sign-in opened for this token, and do the work that waited for them
    (files written while locked are indexed, a journal from before sealing is sealed)."""
    from confide.models.unlocking import settle

    runtime.unlocked.put(token, keys, expires_at)
    use_keys(session, keys)
    settle(session, runtime.store, keys, person)
    runtime.worker.wake()  # recordings of theirs that waited for the key can be transcribed


async def get_current_person(runtime: RuntimeDep, session: SessionDep,
                             token: CurrentToken) -> Person:
    return await runtime.db(signed_in_person, runtime, session, token.token)


CurrentPerson = Annotated[Person, Depends(get_current_person)]


def set_session_cookie(response: Response, token: str, expires_at: datetime,
                       settings: Settings) -> None:
    """The web page's session: the same kind of token as a bearer one, HttpOnly, SameSite=Lax."""
    response.set_cookie(
        SESSION_COOKIE, token, expires=expires_at, path="/", httponly=True, samesite="lax",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=settings.cookie_secure)
