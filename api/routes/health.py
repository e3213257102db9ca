"""Liveness (``/healthz``), readiness (``/readyz``) and the Prometheus scrape (``/metrics``).

``/healthz`` answers 200 while the process can answer at all (a supervisor restarts it when
it stops), and says what it knows (database, model, worker) for people reading it.
``/readyz`` is for the load balancer: 503 while this process cannot serve (the database or
the audio store unreachable, the schema behind this code's revision (one a later release
migrated is fine: migrations only add), the speech model failed to load where this process
transcribes).
"""

from __future__ import annotations

import logging
from typing import Literal

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from confide.api.deps import Runtime, RuntimeDep
from confide.api.schemas import HealthPublic

__all__ = ["ReadyPublic", "router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class ReadyPublic(BaseModel):
    status: Literal["ready", "not ready"]
    database: str
    schema_revision: str
    store: str
    model: str
    transcription: Literal["in-process", "separate worker"]


def _database(runtime: Runtime) -> str:
    try:
        with runtime.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as exc:
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return "unreachable"


def _model(runtime: Runtime) -> str:
    worker = runtime.worker
    return worker.model_state if worker.model_error is None else f"error: {worker.model_error}"


@router.get("/healthz", responses={200: {"model": HealthPublic}})
def healthz(runtime: RuntimeDep) -> JSONResponse:
    """Liveness: 200 while this process answers; ``status`` says whether all is well."""
    database = _database(runtime)
    worker = runtime.worker
    alive = "alive" if worker.alive else "stopped"
    ok = database == "ok" and worker.model_state != "error" and worker.alive
    body = HealthPublic(status="ok" if ok else "degraded", database=database,
                        model=_model(runtime), worker=alive)
    return JSONResponse(body.model_dump())


def _readiness(runtime: Runtime) -> ReadyPublic:
    from confide.models.db import HEAD_REVISION, current_revision, newer_than_this_release

    database = _database(runtime)
    revision = "unknown"
    if database == "ok":
        try:
            revision = current_revision(runtime.engine) or "none"
        except Exception as exc:
            log.warning("readiness: schema revision unreadable: %s", type(exc).__name__)
    try:
        store_ok = runtime.store.exists("readiness/probe") in (True, False)
        store = "ok" if store_ok else "unreachable"
    except Exception as exc:
        log.warning("readiness: audio store unreachable: %s", type(exc).__name__)
        store = "unreachable"
    separate = not runtime.worker.transcribes
    model = "not used here" if separate else _model(runtime)
    # A later release's migration (run while this release serves) keeps it ready: the
    # migrations only add, and a proxy routing on /readyz must not drop every old process.
    schema_ok = revision == HEAD_REVISION or (revision not in ("unknown", "none")
                                              and newer_than_this_release(revision))
    ready = (database == "ok" and schema_ok and store == "ok"
             and not model.startswith("error"))
    return ReadyPublic(status="ready" if ready else "not ready", database=database,
                       schema_revision=revision, store=f"{runtime.store.kind}: {store}",
                       model=model,
                       transcription="separate worker" if separate else "in-process")


@router.get("/readyz", responses={200: {"model": ReadyPublic}, 503: {
    "model": ReadyPublic, "description": "This process cannot serve yet (or any more)."}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Readiness: the database, the schema revision, the audio store and the model."""
    body = await run_in_threadpool(_readiness, runtime)
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ready" else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus text format (``api.metrics``): no entry, person or search word is in it."""
    from confide.api.metrics import CONTENT_TYPE, render

    return Response(await run_in_threadpool(render, runtime.engine), media_type=CONTENT_TYPE)
