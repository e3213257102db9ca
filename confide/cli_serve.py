"""`confide serve`: the HTTP API (and the web page) with uvicorn, on loopback by default.

Access logs are off: request lines carry search words and entry ids, which are private.
Errors and the worker's progress still go to the log at the level the CLI sets (-v).
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

__all__ = ["serve"]

log = logging.getLogger(__name__)


def serve(
    host: Annotated[str | None, typer.Option(
        help="Address to listen on (default from settings: 127.0.0.1, this machine only).")] = None,
    port: Annotated[int | None, typer.Option(
        help="Port to listen on (default from settings: 8765).", min=1, max=65535)] = None,
) -> None:
    """Run the HTTP API and web page; OpenAPI at /docs. Stop with Ctrl+C."""
    import uvicorn

    from api import create_app
    from confide.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    bind_host = host or settings.host
    bind_port = port or settings.port
    if bind_host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("listening on %s: other machines can reach Confide; use HTTPS in front "
                    "of it and set CONFIDE_COOKIE_SECURE=true", bind_host)
    typer.echo(f"Confide is serving on http://{bind_host}:{bind_port} (API docs at /docs).")
    from confide.wiring import synthesizer

    # "Read it aloud" speaks in each person's chosen voice: the natural one where installed.
    app = create_app(settings, freeze_startup_objects=True,
                     synthesizer_factory=lambda: synthesizer(settings))
    uvicorn.run(app, host=bind_host,
                port=bind_port, log_config=None, access_log=False, server_header=False,
                proxy_headers=False)


if __name__ == "__main__":  # `python -m confide.cli_serve`, for tests and benchmarks
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.run(serve)
