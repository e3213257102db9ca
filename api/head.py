"""HEAD on every GET route: the GET's status and headers, without its body.

FastAPI routes answer only the methods they declare, so HEAD was 405 everywhere but the
static files, while media players and caches probe recordings with HEAD first. Answering
HEAD as the GET it describes keeps the two from drifting apart: same status, same
Content-Length, ETag and Content-Type, and the schema stays one operation per GET.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGetMiddleware"]


class HeadAsGetMiddleware:
    """Runs a HEAD request as GET and sends only the response's start (its headers).

    The body the GET produces is dropped here, whatever server runs the app (uvicorn drops
    it too, the test client does not).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        body_sent = False

        async def headers_only(message: Message) -> None:
            nonlocal body_sent
            if message["type"] != "http.response.body":
                await send(message)
            elif not body_sent:
                body_sent = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
