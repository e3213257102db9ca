"""The one place where failures become HTTP responses: ``{"detail": "<a sentence>"}``.

Domain errors (``models.errors``, whose docstring draws the tree) map to status codes by
class in one table (``_STATUS``); request validation errors
become one readable sentence without echoing the input (it may hold a passphrase); anything
unexpected is logged with its traceback and answered with a plain 500, never the trace.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from confide.api.schemas import ErrorPublic
from confide.models.errors import (
    ConfideError,
    Conflict,
    Expired,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
    TooLarge,
    Unavailable,
)

__all__ = [
    "ERROR_RESPONSES",
    "NOT_AUDIO",
    "Responses",
    "UnsupportedMediaType",
    "allowed_methods",
    "error_doc",
    "install_error_handlers",
    "status_for",
    "validation_message",
]

log = logging.getLogger(__name__)


class UnsupportedMediaType(InvalidInput):
    """The body is neither JSON nor multipart where one of them is needed (415)."""


# Most specific first: the first matching class decides; the last row catches the rest.
_STATUS: tuple[tuple[type[ConfideError], int], ...] = (
    (NotFound, 404),
    (TooLarge, 413),
    (UnsupportedMediaType, 415),
    (InvalidInput, 422),
    (Expired, 410),
    (Conflict, 409),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (Unavailable, 503),
    (ConfideError, 500),
)


def status_for(exc: ConfideError) -> int:
    """The HTTP status of a domain error: a bare ``ConfideError`` (or ``LibraryError``,
    ``PlainTextLeak``) is a fault of this installation, not of the request, so 500."""
    return next(code for cls, code in _STATUS if isinstance(exc, cls))


Responses = dict[int | str, dict[str, Any]]
"""The type of FastAPI's ``responses=`` documentation argument."""


def error_doc(description: str) -> dict[str, Any]:
    """An error response for the OpenAPI document: the ``{"detail": ...}`` body."""
    return {"model": ErrorPublic, "description": description}


ERROR_RESPONSES: Responses = {
    400: error_doc("The body could not be parsed (e.g. a broken multipart form)."),
    401: error_doc("Not signed in, or the token expired or was revoked."),
    403: error_doc("Not yours to change, or a cookie-signed write from another site."),
    404: error_doc("No such thing, or not yours to know about."),
    422: error_doc("The request is malformed or a value is not allowed."),
    429: error_doc("Too many attempts; see Retry-After."),
}
"""Documented on every /api route, so the OpenAPI schema lists the error body."""

NOT_AUDIO: Responses = {422: error_doc(
    "The request is malformed, a value is not allowed, or the file does not decode as "
    "audio (checked by decoding it, whatever its name or type says).")}
"""The 422 of an upload: whether a file is audio is not something a schema can say."""


def validation_message(errors: Sequence[Any]) -> str:
    """Pydantic errors as one sentence: where and what, never the rejected value."""
    parts = []
    for err in list(errors)[:5]:
        if err.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
            continue
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = len(errors) - 5
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _json(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ConfideError)
    status = status_for(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return _json(status, str(exc) or "The request could not be completed.", headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(422, validation_message(exc.errors()))


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path: a 405 names them all (RFC 9110), not
    only those of the one route Starlette tried (/api/entries/{id} has GET, PATCH, DELETE
    on three routes). HEAD comes with every GET (api.head)."""
    methods = {method for method in _METHODS
               if any(route.matches({**request.scope, "method": method})[0] is Match.FULL
                      for route in request.app.router.routes)}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
    return _json(exc.status_code, str(exc.detail), headers)


async def _unexpected(request: Request, _exc: Exception) -> JSONResponse:
    log.exception("unhandled error in %s %s", request.method, request.url.path)
    return _json(500, "Something went wrong on the server.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ConfideError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
