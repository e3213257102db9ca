"""What every page handler shares: the signed-in person from the cookie, CSRF tokens, and
rendering a template with the layout's common values.

The web page signs in with the same kind of token the JSON API issues (kept only in the
HttpOnly ``confide_session`` cookie, never in script-readable storage), so one sign-in
serves both the pages and the JavaScript that calls ``/api``. Form posts carry a CSRF
token: an HMAC of the session token under a secret kept in the database (``sharedsecret``,
made once by whichever process asks first), so a token cannot be forged without the cookie
and never reveals it, a form left open across a restart still posts, and a form served by
one API process posts to any other process (or machine) of the deployment.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from confide.api.deps import SESSION_COOKIE, SessionDep, signed_in_person
from confide.api.web import format as fmt
from confide.models.errors import NotAuthenticated
from confide.models.tables import Person
from confide.settings import Settings

__all__ = [
    "SIGNIN_COOKIE",
    "CsrfField",
    "PersonDep",
    "SignedIn",
    "WebContext",
    "WebDep",
    "check_csrf",
    "csrf_refused",
    "get_web",
    "redirect",
    "safe_next",
    "web_person",
]

SIGNIN_COOKIE = "confide_signin"
"""Binds the sign-in form's CSRF token before there is a session (login CSRF)."""

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"

NAV: tuple[tuple[str, str], ...] = (
    ("/journal", "Shared journal"),
    ("/mutual", "Mutual prompts"),
    ("/goals", "Goals"),
    ("/progress", "Progress"),
    ("/search", "Search"),
    ("/private", "My private journal"),
    ("/settings", "Settings"),
    ("/help", "Help"),
)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a typo in a template is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = fmt.clock
    env.filters["duration_words"] = fmt.duration_words
    env.filters["when"] = fmt.when
    env.filters["day"] = fmt.day
    env.filters["excerpt"] = fmt.excerpt
    env.filters["iso"] = fmt.iso
    return env


SECRET_FILE = "web-secret.key"  # noqa: S105 (a file name)
_SECRET_BYTES = 32


def persistent_secret(folder: Path) -> bytes:
    """The CSRF key in ``folder``, made once (mode 0600) by whichever process gets there
    first; the others read it. It is written whole to a private file and then linked into
    place, so no process (or crash) can ever leave a half-written key behind."""
    path = folder / SECRET_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=folder, prefix=".web-secret-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(_SECRET_BYTES))
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process linked first
                os.link(scratch, path)
        finally:
            os.unlink(scratch)
    key = path.read_bytes()
    if len(key) != _SECRET_BYTES:
        raise RuntimeError(f"the web page's key {path} is damaged: delete it and start again")
    return key


CSRF_SECRET_NAME = "web-csrf"  # noqa: S105 (a row name)


def shared_secret(db_url: str, name: str, *, seed_from: Path | None = None) -> bytes:
    """The deployment's secret called ``name``, made once: the first process to ask inserts
    it, a process that loses that race reads the winner's. ``seed_from`` (the key file of a
    deployment from before the database kept it) is used as the first value, so forms open
    during the upgrade still post."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from confide.models.db import create_db_engine, migrate
    from confide.models.tables import SharedSecret

    engine = create_db_engine(db_url, pool_size=1)
    try:
        migrate(engine)
        for _ in range(3):
            with Session(engine) as session:
                row = session.get(SharedSecret, name)
                if row is not None:
                    value = bytes(row.value)
                    if len(value) != _SECRET_BYTES:
                        raise RuntimeError(f"the shared secret {name!r} is damaged")
                    return value
                seed = seed_from.read_bytes() if seed_from and seed_from.is_file() else b""
                value = seed if len(seed) == _SECRET_BYTES else secrets.token_bytes(_SECRET_BYTES)
                session.add(SharedSecret(name=name, value=value))
                try:
                    session.commit()
                except sa.exc.IntegrityError:  # another process made it first: read theirs
                    session.rollback()
                    continue
                return value
        raise RuntimeError(f"the shared secret {name!r} could not be made")
    finally:
        engine.dispose()


@dataclass
class WebContext:
    """One per router: the settings, the CSRF secret and the template environment.

    The secret is read from the database on first use (after the app has migrated it),
    unless one is given.
    """

    settings: Settings
    secret: bytes = b""
    env: jinja2.Environment = field(default_factory=_environment)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _secret(self) -> bytes:
        if not self.secret:
            with self._lock:
                if not self.secret:
                    self.secret = shared_secret(
                        self.settings.db_url, CSRF_SECRET_NAME,
                        seed_from=self.settings.data_dir / SECRET_FILE)
        return self.secret

    def csrf_for(self, binding: str) -> str:
        """The CSRF token for a session (or a sign-in nonce): unforgeable without it."""
        return hmac.new(self._secret(), b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()

    def render(self, request: Request, template: str, context: Mapping[str, Any], *,
               person: Person | None = None, csrf: str = "", status: int = 200,
               title: str = "") -> HTMLResponse:
        """A page in the layout; ``csrf`` goes into every form and the csrf-token meta tag."""
        values: dict[str, Any] = {
            "request": request,
            "person": person,
            "csrf": csrf,
            "nav": NAV if person is not None else (),
            "current": request.url.path,
            "title": title,
            "notice": fmt.notice(request.query_params.get("done")),
        }
        values.update(context)
        html = self.env.get_template(template).render(values)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def get_web(request: Request) -> WebContext:
    """The context the router bound to this request (see ``api.web.routes.web_router``)."""
    web: WebContext = request.state.confide_web
    return web


WebDep = Annotated[WebContext, Depends(get_web)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/journal"
    return target


def redirect(url: str) -> RedirectResponse:
    """POST-redirect-GET: 303 so a reload never repeats the post."""
    return RedirectResponse(url, status_code=303)


def _to_signin(request: Request, *, clear: bool) -> HTTPException:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = {"Location": f"/signin?next={quote(here, safe='')}"}
    if clear:
        headers["Set-Cookie"] = f"{SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=lax"
    return HTTPException(status_code=303, detail="Sign in to continue.", headers=headers)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The person behind the cookie, with the CSRF token their forms carry."""

    person: Person
    token: str
    csrf: str


def web_person(request: Request, session: SessionDep, web: WebDep) -> SignedIn:
    """The signed-in person, or a redirect to the sign-in page that comes back here."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise _to_signin(request, clear=False)
    try:
        person = signed_in_person(request.app.state.runtime, session, token)
    except NotAuthenticated:
        raise _to_signin(request, clear=True) from None
    return SignedIn(person, token, web.csrf_for(token))


PersonDep = Annotated[SignedIn, Depends(web_person)]


def check_csrf(expected: str, given: str) -> bool:
    """Constant-time comparison of the form's token with the one the session implies."""
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())


CsrfField = Annotated[str, Form()]
"""The hidden ``csrf_token`` field of every form (empty when missing, then refused)."""


def csrf_refused(web: WebContext, request: Request, who: SignedIn) -> HTMLResponse:
    """The answer to a form post whose CSRF token does not match: nothing was changed."""
    return web.render(request, "error.html", {
        "heading": "That form has expired",
        "message": "Nothing was changed. Go back, reload the page and send it again.",
    }, person=who.person, csrf=who.csrf, status=403, title="That form has expired")
