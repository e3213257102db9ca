"""What every `confide` subcommand shares: consoles, one-line errors and their exit codes,
the acting person."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

from confide.models.errors import ConfideError, Unavailable, UsageError
from confide.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from confide.models.tables import Person

__all__ = ["EXIT_CODES", "acting", "engine_errors", "err", "exit_code_for", "fail", "out",
           "settings_or_exit"]

out = Console()
err = Console(stderr=True)


# Most specific first: the first matching class decides; the last row catches the rest.
# Ctrl+C is 130, as the shell has it; Click's own usage errors are 2, as UsageError here.
EXIT_CODES: tuple[tuple[type[ConfideError], int], ...] = (
    (SettingsError, 2),
    (UsageError, 2),
    (ConfideError, 1),
)
"""The CLI's exit code for each error of the tree (models/errors.py), in one table."""


def exit_code_for(exc: ConfideError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def fail(problem: str | ConfideError) -> NoReturn:
    """Print a one-line error and exit with its code from ``EXIT_CODES`` (one line even when
    piped: scripts and screen readers read it whole); a bare sentence is a ConfideError."""
    from rich.markup import escape

    error = problem if isinstance(problem, ConfideError) else ConfideError(problem)
    err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
    raise typer.Exit(exit_code_for(error))


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        fail(exc)


ENGINE_ERRORS = (("confide.voice.devices", "DeviceError"),
                 ("confide.voice.transcriber", "ModelUnavailableError"),
                 ("confide.voice.neural", "NeuralVoiceUnavailable"),
                 ("confide.voice.virtual_sound", "SoundServerError"))
"""The engines' own errors that mean "this device or model cannot work here"."""


@contextmanager
def engine_errors() -> Iterator[None]:
    """The edge where commands start an engine: its own errors (engines import nothing of
    ours) become the tree's ``Unavailable``, with the engine's sentence. Only the engines
    already loaded can have raised, so this loads none of them."""
    try:
        yield
    except Exception as exc:
        loaded = tuple(getattr(sys.modules[module], name) for module, name in ENGINE_ERRORS
                       if module in sys.modules)
        if isinstance(exc, loaded):
            raise Unavailable(str(exc)) from exc
        raise


@contextmanager
def acting(as_: str | None) -> Iterator[tuple[Session, Person]]:
    """A database session and the person acting; settings and domain errors end the
    command with a one-line message instead of a traceback."""
    from confide.wiring import cli_session, resolve_person

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            yield session, resolve_person(session, settings, as_)
    except ConfideError as exc:
        fail(exc)
