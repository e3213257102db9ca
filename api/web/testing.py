"""Mount the web page on the real API app for tests and local runs, before (or without)
``create_app`` including it itself.

``uvicorn --factory api.web.testing:app_from_env`` serves the whole thing with settings
from the ``CONFIDE_*`` environment, which is how the browser tests start a real server.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.routing import NoMatchFound

from confide.api.app import create_app
from confide.api.web.routes import SIGNIN_ROUTE, web_router
from confide.settings import Settings, load_settings

__all__ = ["app_from_env", "create_web_app", "has_web_routes"]


def has_web_routes(app: FastAPI) -> bool:
    """Whether ``app`` already serves the web page (``create_app`` may include it)."""
    try:
        app.url_path_for(SIGNIN_ROUTE)
    except NoMatchFound:
        return False
    return True


def create_web_app(settings: Settings, **options: Any) -> FastAPI:
    """The API app for ``settings`` with the web router included exactly once."""
    app = create_app(settings, **options)
    if not has_web_routes(app):
        app.include_router(web_router(settings))
    return app


def app_from_env() -> FastAPI:
    """A factory for uvicorn: settings from the environment, as ``confide serve`` reads them."""
    from confide.voice.speech import Pyttsx3Synthesizer
    from confide.wiring import transcriber  # this factory is an entry point, like `confide serve`

    settings = load_settings()
    return create_web_app(settings, transcriber_factory=lambda: transcriber(settings),
                          synthesizer_factory=Pyttsx3Synthesizer)
