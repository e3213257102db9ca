"""Defences every response gets: security headers, a cap on request bodies, and rate
limits for the endpoints people could abuse (registering, uploading).

The middlewares are plain ASGI (not ``BaseHTTPMiddleware``) so they add no per-request task
and stream bodies through untouched. Sign-in attempts are limited in the database
(``models.accounts``); the limits here count in the database too (``ratehit``) when the app
gives them its engine, so every process of a deployment, and a restart, shares the count.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confide.models.errors import RateLimited

__all__ = [
    "DOCS_PATHS",
    "BodyLimitMiddleware",
    "RateLimiter",
    "SecurityHeadersMiddleware",
    "client_address",
]

log = logging.getLogger(__name__)

DOCS_PATHS = ("/docs",)

# JSON and pages get nothing from elsewhere; media may play from blob: for the web player.
_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# /docs serves Swagger UI from this machine (swagger-ui-bundle); FastAPI's page starts it
# with one inline script, so only the docs pages allow inline scripts.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
_COMMON: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), geolocation=(), microphone=(self)"),
)


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response, and ``Cache-Control: no-store`` unless
    the app chose a cache policy itself (a journal must not sit in shared caches)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = _DOCS_CSP if path.startswith(DOCS_PATHS) else _CSP
        started = time.perf_counter()

        started_response = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started_response
            if message["type"] == "http.response.start":
                started_response = True
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.extend(h for h in _COMMON if h[0] not in names)
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", csp.encode()))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
                # Path only: query strings can hold search words, which are private.
                log.debug("%s %s -> %s in %.1f ms", scope.get("method"), path,
                          message.get("status"), (time.perf_counter() - started) * 1000)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Inside the app's middleware stack, so even a crash answers with these headers.
            if started_response:
                raise
            log.exception("unhandled error in %s %s", scope.get("method"), path)
            await _send_json(send, 500, "Something went wrong on the server.")


class _BodyTooLargeError(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses request bodies over a limit with 413, counting bytes as they arrive.

    A declared Content-Length over the limit is refused before anything is read; a chunked
    body is cut off as soon as it passes the limit, so an endless upload cannot fill the
    disk with the multipart parser's temporary file. ``limit_for`` picks the limit from the
    content type (uploads get the configured cap, JSON much less).
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        limit = self.limit_for(headers.get(b"content-type", b"").decode("latin-1"))
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_413(send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own error for the cut-off body is replaced below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLargeError:
            exceeded = True
        if exceeded and not started:
            await _send_413(send, limit)


async def _send_413(send: Send, limit: int) -> None:
    await _send_json(send, 413, f"The request is too large; the limit is {limit / 1e6:.1f} MB.",
                     close=True)


async def _send_json(send: Send, status: int, detail: str, *, close: bool = False) -> None:
    """An error answered by a middleware itself, with the same headers as any response."""
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        *_COMMON, (b"content-security-policy", _CSP.encode()), (b"cache-control", b"no-store"),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """At most ``limit`` hits per key within ``window_s`` seconds (a sliding window).

    With an ``engine`` the hits are rows of ``ratehit``, counted by every process that shares
    the database (one indexed count and one insert per limited request: these are uploads
    and registrations, not page views). Without one they are counted in this process's
    memory (tests, and tools that run one process).
    """

    def __init__(self, limit: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic, *,
                 engine: Engine | None = None) -> None:
        self.limit = limit
        self.window_s = window_s
        self.engine = engine
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._since_purge = 0

    def hit(self, key: str, message: str = "Too many requests; wait a little and try again.",
            ) -> None:
        """Count one hit for ``key``; raise ``RateLimited`` when over the limit."""
        if self.engine is not None:
            self._hit_shared(self.engine, key, message)
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = self.window_s - (now - hits[0])
                raise RateLimited(message, retry_after=max(1.0, retry))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys so memory stays bounded
                cutoff = now - self.window_s
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= cutoff]:
                    del self._hits[stale]

    def _hit_shared(self, engine: Engine, key: str, message: str) -> None:
        import sqlalchemy as sa
        from sqlmodel import Session, col, delete, select

        from confide.models.tables import RateHit, utcnow

        now = utcnow()
        since = now - timedelta(seconds=self.window_s)
        with Session(engine) as session:
            count, first = session.exec(
                select(sa.func.count(), sa.func.min(RateHit.at))
                .where(col(RateHit.key) == key, col(RateHit.at) > since)).one()
            if count >= self.limit:
                first_at = first if first is not None else now
                if first_at.tzinfo is None:
                    first_at = first_at.replace(tzinfo=now.tzinfo)
                retry = self.window_s - (now - first_at).total_seconds()
                raise RateLimited(message, retry_after=max(1.0, retry))
            session.add(RateHit(key=key, at=now))
            with self._lock:
                self._since_purge += 1
                purge = self._since_purge >= 200
                if purge:
                    self._since_purge = 0
            if purge:  # hits older than the window count for nothing: drop them now and then
                family = key.split(":", 1)[0] + ":%"  # this limiter's keys (its window)
                session.exec(delete(RateHit).where(col(RateHit.key).like(family),
                                                   col(RateHit.at) <= since))
            session.commit()


def client_address(scope_or_request: Any) -> str:
    """The peer address (what uvicorn reports; proxies are trusted only as uvicorn is told)."""
    client = getattr(scope_or_request, "client", None)
    return client.host if client is not None else "unknown"
