"""The `confide` command's entry point: `confide entries search` answered quickly in an
unlocked terminal session, everything else by the full command line (confide/cli.py).

Starting the full command line costs about a second before it does anything (Typer, Rich,
pydantic-settings, SQLAlchemy and the tables, NumPy), and a search is a few milliseconds of
that. So in a shell where ``eval "$(confide unlock --as NAME)"`` started the unlock agent,
this module reads the search's own arguments, asks the agent to answer
(confide/cli_entries_search.py, the same code the full command runs) and prints the rows
with the same printer (confide/cli_entries_view.py), importing neither the database layer
nor the CLI framework. Whatever it does not recognise (help, another option, no agent, an
agent that cannot answer) goes to the full command, unchanged.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "quick_search"]

MAX_HITS = 200


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


def quick_search(args: Sequence[str]) -> bool:
    """Print the search's answer from this shell's unlock agent; False (nothing printed)
    when the full command should answer instead."""
    from confide.agent import search_by_agent
    from confide.cli_entries_search import setting_env

    parsed = _search_args(args)
    if parsed is None:
        return False
    answer = search_by_agent({"words": parsed["words"], "n": parsed["n"], "as": parsed["as"],
                              "env": setting_env(os.environ), "cwd": os.getcwd()})
    rows = answer.get("rows") if answer is not None else None
    if not isinstance(rows, list):
        return False
    from confide.cli_entries_view import print_search, stdout_is_terminal

    print_search([(item, when, text) for item, when, text in rows], parsed["words"],
                 as_json=parsed["json"], terminal=stdout_is_terminal())
    return True


def main() -> None:
    """`confide ...`."""
    args = sys.argv[1:]
    if args[:2] == ["entries", "search"] and os.environ.get("CONFIDE_AGENT") \
            and quick_search(args[2:]):
        return
    from confide.cli import main as full_command

    full_command()
