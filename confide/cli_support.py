"""What every `confide` subcommand shares: consoles, one-line errors, the acting person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

from confide.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from models.tables import Person

__all__ = ["acting", "err", "fail", "out", "settings_or_exit"]

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-line error and exit non-zero (one line even when piped: scripts and
    screen readers read it whole)."""
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(str(exc), 2)


@contextmanager
def acting(as_: str | None) -> Iterator[tuple[Session, Person]]:
    """A database session and the person acting; settings and domain errors end the
    command with a one-line message instead of a traceback."""
    from confide.wiring import cli_session, resolve_person
    from models.errors import ConfideError

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            yield session, resolve_person(session, settings, as_)
    except ConfideError as exc:
        fail(str(exc))
