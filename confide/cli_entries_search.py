"""The answer to `confide entries search`, made one way whoever asks: the command itself once
it has unlocked (``run_search``, from the full CLI or the quick entry point
confide/cli_quick.py), or this terminal session's unlock agent (confide/agent.py).

The agent already holds the person's secret; here it also keeps the journal code loaded and
the database open, so a search typed in the terminal costs a socket round trip and a few
queries instead of starting the whole stack and running Argon2id again (docs/BENCHMARKS.md,
"Journal search"). It answers only for the journal it was unlocked for, as the asking
process would resolve it: the same ``CONFIDE_*`` settings, the same database, the same
person. Anything else, an error included, is answered with ``fallback``, and the command
unlocks and searches as it does without an agent, so every message and exit code stays its
own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confide.agent import setting_env
from confide.cli_entries_view import Row, entry_item, print_search, stdout_is_terminal
from confide.cli_quick import MAX_HITS
from confide.models.errors import ConfideError

if TYPE_CHECKING:
    from sqlmodel import Session

    from confide.models.tables import Person
    from confide.settings import Settings

__all__ = ["EntryContext", "answer_search", "context_for", "run_search", "search_rows",
           "warm_up", "zone_of"]


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(slots=True)
class EntryContext:
    """An unlocked person's journal, with what every listing needs to name things."""

    settings: Settings
    session: Session
    person: Person
    names: dict[int, str]
    private_journal_id: int

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.person.timezone)

    def local(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def journal(self, journal_id: int) -> str:
        return "private" if journal_id == self.private_journal_id else "shared"


_lock = threading.Lock()
"""One search at a time: each resolves settings in the asking process's folder (chdir)."""


def context_for(session: Session, settings: Settings, person: Person) -> EntryContext:
    """The unlocked person's journal as listings name it: who is who, which is private."""
    from confide.models.visibility import viewer_for

    viewer = viewer_for(session, person)
    names = {viewer.person_id: person.name}
    if viewer.partner_id is not None:
        names[viewer.partner_id] = viewer.partner_name or "your partner"
    return EntryContext(settings, session, person, names, viewer.private_journal_id)


def search_rows(ctx: EntryContext, words: str, n: int) -> list[Row]:
    """The hits for ``words`` as listed rows, newest first (models/search.py finds them)."""
    from confide.models.entry_list import unread_ids
    from confide.models.search import search

    hits = search(ctx.session, ctx.person, words, limit=n)
    unread = unread_ids(ctx.session, ctx.person, [h.entry.id for h in hits if h.entry.id])
    return [(entry_item(ctx, h.entry, unread=h.entry.id in unread) | {"snippet": h.snippet},
             ctx.local(h.entry.created_at), h.snippet) for h in hits]


def run_search(words: str, n: int, as_: str | None, *, as_json: bool) -> int:
    """`confide entries search` itself, for the full CLI and the quick entry point alike:
    unlock (this shell's agent, the passphrase typed, or one line on standard input), find,
    print; returns the exit code. Typer and Rich are loaded only to print an error."""
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.settings import SettingsError, load_settings
    from confide.wiring import cli_session, resolve_person

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _failed(exc)
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            unlock_in(session, settings, person, ask_passphrase(person.name))
            rows = search_rows(context_for(session, settings, person), words, n)
    except ConfideError as exc:
        return _failed(exc)
    print_search(rows, words, as_json=as_json, terminal=stdout_is_terminal())
    return 0


def _failed(error: ConfideError) -> int:
    """The CLI's one-line error and its exit code (confide/cli_support.py)."""
    import typer

    from confide.cli_support import fail

    try:
        fail(error)
    except typer.Exit as exc:
        return int(exc.exit_code)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).lower() == " ".join(b.split()).lower()


def answer_search(request: Mapping[str, Any], name: str, secret: bytes) -> dict[str, Any]:
    """Inside the agent: the rows for one quick search, or ``fallback`` with why."""
    with _lock:
        try:
            return _answer(request, name, secret)
        except Exception as exc:  # any failure: the command itself answers, with its message
            return {"fallback": type(exc).__name__}


def _answer(request: Mapping[str, Any], name: str, secret: bytes) -> dict[str, Any]:
    from confide.cli_unlock import keys_from_secret, settled
    from confide.settings import load_settings
    from confide.wiring import cli_session, resolve_person

    words, n, as_ = request.get("words"), request.get("n"), request.get("as")
    env, cwd = request.get("env"), request.get("cwd")
    if not (isinstance(words, str) and isinstance(n, int) and 1 <= n <= MAX_HITS
            and isinstance(cwd, str) and (as_ is None or isinstance(as_, str))):
        return {"fallback": "request"}
    if env != setting_env(os.environ):
        return {"fallback": "settings"}
    os.chdir(cwd)  # a relative data dir or database path means what it means there
    settings = load_settings()
    with cli_session(settings) as session:
        person = resolve_person(session, settings, as_)
        if not _same_name(person.name, name):
            return {"fallback": "person"}
        settled(session, settings, person, keys_from_secret(session, person, secret))
        rows = search_rows(context_for(session, settings, person), words, n)
    return {"rows": rows}


def warm_up(name: str, secret: bytes) -> None:
    """Load the journal code and open the database before the first search is typed."""
    answer_search({"words": "warm", "n": 1, "as": name, "env": setting_env(os.environ),
                   "cwd": os.getcwd()}, name, secret)
