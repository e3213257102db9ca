"""The API's routers, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from confide.api.routes import (
    audio,
    auth,
    couples,
    entries,
    export,
    goals,
    health,
    mutual,
    progress,
    prompts,
    recordings,
    reminders,
    responses,
    search,
)

__all__ = ["ROUTERS", "health"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    couples.router,
    entries.router,
    audio.router,
    recordings.router,
    responses.router,
    mutual.router,
    goals.router,
    reminders.router,
    progress.router,
    search.router,
    export.router,
    prompts.router,
)
