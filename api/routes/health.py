"""Liveness and readiness in one: the database answers, the model loads, the worker runs."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import RuntimeDep
from api.schemas import HealthPublic

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz", responses={200: {"model": HealthPublic}, 503: {"model": HealthPublic,
                                         "description": "Something the server needs is down."}})
def healthz(runtime: RuntimeDep) -> JSONResponse:
    """200 when all is well (the model may still be loading); 503 naming what is not."""
    try:
        with runtime.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        database = "ok"
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        database = "unreachable"
    worker = runtime.worker
    model = worker.model_state if worker.model_error is None else f"error: {worker.model_error}"
    alive = "alive" if worker.alive else "stopped"
    ok = database == "ok" and worker.model_state != "error" and worker.alive
    body = HealthPublic(status="ok" if ok else "degraded", database=database, model=model,
                        worker=alive)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
