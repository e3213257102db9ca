"""`confide serve`: the HTTP API (and the web page) with uvicorn, on loopback by default.

Alone it is one process that also transcribes in-process. ``--workers N`` runs N uvicorn
worker processes, each building its app from the environment (``app_from_env``, a factory
uvicorn imports in every process); they share the database, the audio store, the CSRF key
and the rate limits, and a sign-in's keys travel with its token. The schema is migrated
once, here, before the processes start. With several processes Prometheus metrics are
collected through ``PROMETHEUS_MULTIPROC_DIR`` (made here when unset).

Access logs are off: request lines carry search words and entry ids, which are private.
Errors and the worker's progress still go to the log at the level the CLI sets (-v).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["APP_FACTORY", "app_from_env", "serve"]

APP_FACTORY = "confide.cli_serve:app_from_env"

log = logging.getLogger(__name__)


def app_from_env() -> FastAPI:
    """The app for one serving process, from the environment and config file (what uvicorn
    calls in each ``--workers`` process)."""
    from confide.api import create_app
    from confide.settings import load_settings
    from confide.wiring import synthesizer, transcriber

    settings = load_settings()
    # "Read it aloud" speaks in each person's chosen voice: the natural one where installed.
    return create_app(settings, freeze_startup_objects=True,
                      transcriber_factory=lambda: transcriber(settings),
                      synthesizer_factory=lambda: synthesizer(settings))


def serve(
    host: Annotated[str | None, typer.Option(
        help="Address to listen on (default from settings: 127.0.0.1, this machine only).")] = None,
    port: Annotated[int | None, typer.Option(
        help="Port to listen on (default from settings: 8765).", min=1, max=65535)] = None,
    workers: Annotated[int, typer.Option(
        help="API processes (uvicorn workers) sharing the port; 1 also transcribes in-process "
        "unless a separate `confide worker` is registered.", min=1, max=64)] = 1,
) -> None:
    """Run the HTTP API and web page; OpenAPI at /docs. Stop with Ctrl+C."""
    import uvicorn

    from confide.cli_support import fail
    from confide.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(exc)
    bind_host = host or settings.host
    bind_port = port or settings.port
    if bind_host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("listening on %s: other machines can reach Confide; use HTTPS in front "
                    "of it and set CONFIDE_COOKIE_SECURE=true", bind_host)
    typer.echo(f"Confide is serving on http://{bind_host}:{bind_port} (API docs at /docs).")
    common = {"host": bind_host, "port": bind_port, "log_config": None, "access_log": False,
              "server_header": False, "proxy_headers": False}
    if workers == 1:
        uvicorn.run(app_from_env(), **common)  # type: ignore[arg-type]
        return
    _prepare_processes(settings.db_url, settings.data_dir)
    uvicorn.run(APP_FACTORY, factory=True, workers=workers, **common)  # type: ignore[arg-type]


def _prepare_processes(db_url: str, data_dir: os.PathLike[str]) -> None:
    """Before N processes start: migrate once (not N times at once), and give the metrics a
    fresh multiprocess folder (uvicorn's processes inherit the environment)."""
    import shutil
    from pathlib import Path

    from confide.api.metrics import MULTIPROC_ENV
    from confide.models.db import create_db_engine, migrate

    engine = create_db_engine(db_url, pool_size=1)
    migrate(engine)
    engine.dispose()
    folder = Path(os.environ.get(MULTIPROC_ENV) or Path(data_dir) / "metrics")
    shutil.rmtree(folder, ignore_errors=True)  # samples of an earlier run's processes
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)


if __name__ == "__main__":  # `python -m confide.cli_serve`, for tests and benchmarks
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.run(serve)
