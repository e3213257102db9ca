"""The `confide` command's entry point: `confide entries search` started lean, everything
else by the full command line (confide/cli.py).

Starting the full command line costs most of a second before it does anything (Typer, Rich,
every command's module, pydantic-settings, SQLAlchemy and the tables, NumPy), and a search
is a few milliseconds of that. So this module reads the search's own arguments and, in a
shell where ``eval "$(confide unlock --as NAME)"`` started the unlock agent, asks the agent
to answer (confide/cli_entries_search.py, the same code the full command runs) and prints
the rows with the same printer (confide/cli_entries_view.py), importing neither the database
layer nor the CLI framework; without an agent it runs the command's own ``run_search``
without Typer. Whatever it does not recognise (help, another option) goes to the full
command, unchanged.

Either way the modules load with the cyclic garbage collector paused (``_loading``):
building SQLAlchemy's, pydantic's and the tables' classes allocates hundreds of thousands
of long-lived objects, and the collector walked them again and again, a quarter of the
import time. Once loaded they are frozen out of its sight (``gc.freeze``) and it runs as
usual for the command itself.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["configure_logging", "main", "quick_search"]

MAX_HITS = 200
"""What `confide entries search -n` allows (the full command's own bound)."""


def _search_args(args: Sequence[str]) -> dict[str, Any] | None:
    """``WORDS... [-n N] [--as NAME] [--json]`` as the full command reads them, or None for
    anything else (it is the full command's to answer, errors and --help included)."""
    words: list[str] = []
    found: dict[str, Any] = {"n": 50, "as": None, "json": False}
    given: set[str] = set()
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            words += rest
            break
        if arg.startswith("--as="):
            arg, value = "--as", arg.removeprefix("--as=")
            rest.insert(0, value)
        if arg in ("-n", "--as"):
            if arg in given or not rest:
                return None
            given.add(arg)
            value = rest.pop(0)
            if arg == "--as":
                found["as"] = value
                continue
            if not value.isdigit() or not 1 <= int(value) <= MAX_HITS:
                return None
            found["n"] = int(value)
        elif arg == "--json":
            found["json"] = True
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            words.append(arg)
    if not words:
        return None
    return found | {"words": " ".join(words)}


SEARCH_MODULES = ("confide.cli_entries_search", "confide.settings", "confide.cli_unlock",
                  "confide.wiring", "confide.models.accounts", "confide.models.unlocking",
                  "confide.models.search", "confide.models.entry_list", "confide.models.visibility")
"""What ``run_search`` imports as it goes, loaded up front by the quick search (a module
missing here only loads later, at the collector's usual pace)."""


@contextmanager
def _loading() -> Iterator[None]:
    """Import with the cyclic collector paused, then freeze what was loaded (it lives as
    long as the process) so later collections skip it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def configure_logging(verbose: int = 0) -> None:
    """Only the CLI configures logging: warnings by default, -v info, -vv debug."""
    import logging

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def _by_agent(parsed: dict[str, Any]) -> bool:
    """Print the search's answer from this shell's unlock agent; False (nothing printed)
    when the agent cannot answer it."""
    from confide.agent import search_by_agent, setting_env

    answer = search_by_agent({"words": parsed["words"], "n": parsed["n"], "as": parsed["as"],
                              "env": setting_env(os.environ), "cwd": os.getcwd()})
    rows = answer.get("rows") if answer is not None else None
    if not isinstance(rows, list):
        return False
    from confide.cli_entries_view import print_search, stdout_is_terminal

    print_search([(item, when, text) for item, when, text in rows], parsed["words"],
                 as_json=parsed["json"], terminal=stdout_is_terminal())
    return True


def quick_search(args: Sequence[str]) -> int | None:
    """`confide entries search ARGS` without the CLI framework: answered by this shell's
    unlock agent when it can, else unlocked and searched here by the command's own
    ``run_search``. Its exit code; None when the arguments are the full CLI's to read."""
    parsed = _search_args(args)
    if parsed is None:
        return None
    if os.environ.get("CONFIDE_AGENT") and _by_agent(parsed):
        return 0
    with _loading():
        for name in SEARCH_MODULES:
            importlib.import_module(name)
    from confide.cli_entries_search import run_search

    configure_logging()
    try:
        return run_search(parsed["words"], parsed["n"], parsed["as"], as_json=parsed["json"])
    except Exception as exc:
        click = sys.modules.get("click")  # loaded only if the passphrase was asked at a prompt
        if click is not None and isinstance(exc, click.exceptions.Abort):
            sys.stderr.write("\nAborted!\n")  # Ctrl+C at the prompt, as the full CLI says it
            return 1
        raise


def main() -> None:
    """`confide ...`."""
    args = sys.argv[1:]
    if args[:2] == ["entries", "search"]:
        code = quick_search(args[2:])
        if code is not None:
            sys.exit(code)
    with _loading():
        from confide.cli import main as full_command
    full_command()
