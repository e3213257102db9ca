"""The app factory: ``create_app(settings)`` builds one FastAPI app and everything it owns.

Nothing is created at import time. The speech engines are injected as factories and
imported lazily inside the defaults, so ``api`` imports without CTranslate2 or pyttsx3 and
tests can hand in fakes. The lifespan migrates the database and starts the transcription
worker (which requeues jobs a crash left running), and stops both on shutdown.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from confide import __version__
from confide.api.deps import Runtime
from confide.api.errors import ERROR_RESPONSES, install_error_handlers
from confide.api.handoff import HandoffWorker
from confide.api.head import HeadAsGetMiddleware
from confide.api.links import add_links
from confide.api.media import SpeechRenderer, SynthesizerPort
from confide.api.metrics import RequestMetricsMiddleware, TimedTranscriber, forget_process, instruments
from confide.api.routes import ROUTERS, health
from confide.api.security import BodyLimitMiddleware, RateLimiter, SecurityHeadersMiddleware
from confide.api.unlocked import UnlockedSessions
from confide.api.worker import TranscriptionWorker
from confide.models.db import create_db_engine, migrate
from confide.models.errors import Unavailable
from confide.models.storage import open_audio_store
from confide.settings import Settings
from confide.voice.transcriber import Transcriber

__all__ = ["create_app"]

log = logging.getLogger(__name__)

JSON_BODY_LIMIT = 1024 * 1024
MULTIPART_OVERHEAD = 1024 * 1024


def _no_transcriber() -> Transcriber:
    """The default when no engine is handed in: the composition root (``confide.wiring``)
    chooses the real one, so the API never picks or builds an engine itself."""
    raise Unavailable("This server was started without a speech-to-text engine.")


def _no_synthesizer() -> SynthesizerPort:
    raise Unavailable("This server was started without a speech engine.")


def _transcribes_here(settings: Settings, engine: Any) -> bool:
    """In-process transcription, unless separate workers are configured ('auto': a worker
    key is registered in the database; see docs/DEPLOY.md)."""
    if settings.transcribe != "auto":
        return settings.transcribe == "in-process"
    import sqlalchemy as sa

    try:
        with engine.connect() as conn:
            return not conn.execute(sa.text(
                "SELECT 1 FROM workerkey WHERE retired_at IS NULL LIMIT 1")).first()
    except sa.exc.DBAPIError:  # not migrated yet: no worker can have registered
        return True


def create_app(
    settings: Settings,
    *,
    transcriber_factory: Callable[[], Transcriber] | None = None,
    synthesizer_factory: Callable[[], SynthesizerPort] | None = None,
    start_worker: bool = True,
    freeze_startup_objects: bool = False,
) -> FastAPI:
    """The Confide HTTP API and its web page (``api.web``) for ``settings``.

    The engines come from the composition root (``confide.wiring.transcriber`` and
    ``synthesizer``), each created on first use; without a ``transcriber_factory``
    transcription jobs wait with the model reported unavailable, and without a
    ``synthesizer_factory`` reading aloud is a 503.
    ``start_worker=False`` leaves queued transcriptions alone (for tests that drive
    ``runtime.worker.run_once`` themselves).
    ``freeze_startup_objects`` (for a serving process) moves everything made while starting
    out of the garbage collector's reach: a full collection then scans what requests made
    instead of the whole process, a short pause instead of a long one in the middle of
    someone's request (docs/BENCHMARKS.md, API).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.db_url, pool_size=10)
    store = open_audio_store(settings.audio_store, settings.audio_dir, engine)
    unlocked = UnlockedSessions()
    load = transcriber_factory or _no_transcriber
    worker = (TranscriptionWorker(engine, store, lambda: TimedTranscriber(load()),
                                  unlocked=unlocked.people)
              if _transcribes_here(settings, engine)
              else HandoffWorker(engine, store, unlocked=unlocked.people))
    hour = timedelta(hours=1).total_seconds()
    runtime = Runtime(
        settings=settings,
        engine=engine,
        store=store,
        worker=worker,
        unlocked=unlocked,
        speech=SpeechRenderer(store, synthesizer_factory or _no_synthesizer),
        # Counted in the database, so every process of a deployment shares the limits.
        register_limiter=RateLimiter(limit=20, window_s=hour, engine=engine),
        upload_limiter=RateLimiter(limit=120, window_s=hour, engine=engine),
        inline_db=engine.dialect.name == "sqlite",
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(migrate, engine)
        if start_worker:
            await run_in_threadpool(runtime.worker.start)
            if runtime.worker.transcribes:
                instruments().in_process_transcribers.set(1)
        if freeze_startup_objects:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await run_in_threadpool(runtime.worker.stop)
            forget_process(os.getpid())  # its live gauges go with it (multiprocess mode)
            unlocked.clear()
            engine.dispose()

    app = FastAPI(
        title="Confide",
        version=__version__,
        summary="A private, voice-first trust journal for couples.",
        description="Read, hear and answer what your partner shared. Sign in with "
        "POST /api/auth/token and send the token as `Authorization: Bearer ...`.",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: nothing may come from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    _with_links(app)
    _offline_docs(app)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/api", responses=ERROR_RESPONSES)
    app.include_router(health.router)
    from confide.api.web import web_router  # the web page (api/web), on the same app and sessions

    app.include_router(web_router(settings))

    def body_limit(content_type: str) -> int:
        if content_type.lower().startswith("multipart/"):
            return settings.upload_max_bytes + MULTIPART_OVERHEAD
        return JSON_BODY_LIMIT

    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    app.add_middleware(RequestMetricsMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Range"],
            expose_headers=["Content-Range", "Accept-Ranges", "ETag", "Retry-After"],
        )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.cookie_secure)
    app.add_middleware(HeadAsGetMiddleware)  # outermost: everything inside sees a GET
    return app


def _with_links(app: FastAPI) -> None:
    """The generated OpenAPI document, plus the links between operations (api.links)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs with its scripts and styles from the swagger-ui-bundle package."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="Confide API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png")
