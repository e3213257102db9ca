"""The web page's router: which path shows which page, plus sign-in, sign-out and assets.

Pages are server-rendered and every form posts back here (POST-redirect-GET), calling the
same ``models`` operations the JSON API calls; the JavaScript only adds recording in the
browser, seeking from transcript lines and polite announcements. Assets are served from
``api/static`` by this router, so nothing is loaded from another host.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from confide.api.deps import (
    SESSION_COOKIE,
    SessionDep,
    clear_session_cookie,
    remember_sign_in,
    set_session_cookie,
)
from confide.api.security import client_address
from confide.api.web import journal, settings_pages, together
from confide.api.web.context import (
    SIGNIN_COOKIE,
    STATIC,
    CsrfField,
    PersonDep,
    WebContext,
    WebDep,
    check_csrf,
    csrf_refused,
    redirect,
    safe_next,
)
from confide.models.accounts import issue_token, person_for_token, revoke_token, sign_in
from confide.models.errors import ConfideError, NotAuthenticated, RateLimited
from confide.settings import Settings

__all__ = ["SIGNIN_ROUTE", "web_router"]

SIGNIN_ROUTE = "web_signin"
"""The sign-in page's route name: how ``api.web.testing`` tells the router is mounted."""

_ASSET = re.compile(r"^[a-z0-9-]+\.(css|js|svg)$")
_MEDIA = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
          "svg": "image/svg+xml"}


def _binder(web: WebContext) -> Callable[[Request], None]:
    def bind(request: Request) -> None:
        request.state.confide_web = web

    return bind


def home(request: Request) -> RedirectResponse:
    """``/`` goes to the shared journal, which sends anyone not signed in to sign in."""
    signed_in = bool(request.cookies.get(SESSION_COOKIE))
    return redirect("/journal" if signed_in else "/signin")


def static_asset(name: str) -> Response:
    """One file from ``api/static`` (flat, by an allow-listed name; nothing else is served)."""
    match = _ASSET.match(name)
    path = STATIC / name
    if match is None or not path.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    return FileResponse(path, media_type=_MEDIA[match.group(1)],
                        headers={"Cache-Control": "no-cache"})


def _signin_page(request: Request, web: WebContext, nonce: str, *, name: str = "",
                 error: str | None = None, status: int = 200) -> HTMLResponse:
    page = web.render(request, "signin.html", {
        "name": name, "error": error, "next": safe_next(request.query_params.get("next")),
    }, csrf=web.csrf_for(nonce), status=status, title="Sign in")
    page.set_cookie(SIGNIN_COOKIE, nonce, path="/signin", httponly=True, samesite="strict",
                    secure=web.settings.cookie_secure)
    return page


def signin_form(request: Request, web: WebDep, session: SessionDep) -> Response:
    """The sign-in form; someone already signed in goes straight on."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            person_for_token(session, token)
            return redirect(safe_next(request.query_params.get("next")))
        except NotAuthenticated:
            pass
    nonce = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(24)
    return _signin_page(request, web, nonce)


def signin(
    request: Request, web: WebDep, session: SessionDep,
    name: Annotated[str, Form()] = "", passphrase: Annotated[str, Form()] = "",
    next_page: Annotated[str, Form(alias="next")] = "", csrf_token: CsrfField = "",
) -> Response:
    """Check the passphrase, then keep the new token only in the HttpOnly cookie."""
    nonce = request.cookies.get(SIGNIN_COOKIE, "")
    if not nonce or not check_csrf(web.csrf_for(nonce), csrf_token):
        return _signin_page(request, web, nonce or secrets.token_urlsafe(24), name=name,
                            error="The sign-in form had expired. Please enter your "
                                  "passphrase again.", status=403)
    try:
        person, keys = sign_in(session, name, passphrase, address=client_address(request))
        issued = issue_token(session, person, timedelta(hours=web.settings.token_ttl_hours),
                             unlocked=keys)
        remember_sign_in(request.app.state.runtime, session, person, keys, issued.token,
                         issued.expires_at)
    except RateLimited as exc:
        page = _signin_page(request, web, nonce, name=name, error=str(exc), status=429)
        page.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return page
    except ConfideError as exc:
        status = 401 if isinstance(exc, NotAuthenticated) else 422
        return _signin_page(request, web, nonce, name=name, error=str(exc), status=status)
    response = redirect(safe_next(next_page))
    set_session_cookie(response, issued.token, issued.expires_at, web.settings)
    response.delete_cookie(SIGNIN_COOKIE, path="/signin", httponly=True, samesite="strict",
                           secure=web.settings.cookie_secure)
    return response


def signout(request: Request, web: WebDep, who: PersonDep, session: SessionDep,
            csrf_token: CsrfField = "") -> Response:
    """Revoke the token (so a copied cookie stops working too) and forget the cookie."""
    if not check_csrf(who.csrf, csrf_token):
        return csrf_refused(web, request, who)
    revoke_token(session, who.token)
    request.app.state.runtime.unlocked.drop(who.token)
    response = redirect("/signin?done=signed-out")
    clear_session_cookie(response, web.settings)
    return response


def help_page(request: Request, web: WebDep, who: PersonDep) -> HTMLResponse:
    """How the page works with a keyboard and screen reader, and its (absent) shortcuts."""
    return web.render(request, "help.html", {}, person=who.person, csrf=who.csrf,
                      title="Help")


def web_router(settings: Settings) -> APIRouter:
    """The web page's routes, for ``create_app`` to include next to ``/api``.

    The CSRF secret is read (or made) here, once per app; pages read the database and audio through
    the app's ``Runtime`` (``api.deps``), so the router needs ``create_app``'s app.
    """
    web = WebContext(settings)
    router = APIRouter(include_in_schema=False, dependencies=[Depends(_binder(web))])
    router.add_api_route("/", home, methods=["GET"])
    router.add_api_route("/static/{name}", static_asset, methods=["GET"])
    router.add_api_route("/signin", signin_form, methods=["GET"], name=SIGNIN_ROUTE,
                         response_class=HTMLResponse)
    router.add_api_route("/signin", signin, methods=["POST"])
    router.add_api_route("/signout", signout, methods=["POST"])
    router.add_api_route("/help", help_page, methods=["GET"], response_class=HTMLResponse)
    journal.add_routes(router)
    together.add_routes(router)
    settings_pages.add_routes(router)
    return router
