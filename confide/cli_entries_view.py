"""How entries look in the terminal: the --json shape, one plain line per entry when piped
(what screen readers and scripts read whole), a table on a terminal.

It imports no database code and no Rich unless a table is drawn, so the quick
``confide entries search`` (confide/cli_quick.py) prints with it in a few milliseconds,
exactly as the full command does.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from confide.cli_entries_search import EntryContext
    from confide.models.entries import EntryView

__all__ = ["MSG_NONE", "MSG_NO_HITS", "Row", "entry_item", "excerpt", "fold", "line",
           "print_json", "print_rows", "print_search", "stdout_is_terminal"]

# Printed wording, kept together.
MSG_NONE = "No entries."
MSG_NO_HITS = "Nothing found for {words!r}."

Row = tuple[dict[str, Any], str, str]
"""One listed entry: its --json item, its local time as printed, the words shown."""


def entry_item(ctx: EntryContext, entry: EntryView, *, unread: bool) -> dict[str, Any]:
    """One entry as --json prints it (README.md, "JSON output"): fields are only added."""
    from datetime import UTC

    edited = getattr(entry, "edited_at", None)
    return {
        "id": entry.id,
        "created_at": entry.created_at.astimezone(UTC).isoformat(),
        "journal": ctx.journal(entry.journal_id),
        "author": ctx.names.get(entry.author_id, "?"),
        "mine": entry.author_id == ctx.person.id,
        "kind": entry.kind,
        "prompt_id": entry.prompt_id,
        "prompt": entry.prompt_text,
        "transcript": entry.transcript,
        "word_count": entry.word_count,
        "mood": entry.mood,
        "tags": list(entry.tags or []),
        "status": entry.status,
        "audio": entry.audio_path is not None,
        "audio_duration_s": entry.audio_duration_s,
        "unread": unread,
        "edited_at": edited.astimezone(UTC).isoformat() if edited is not None else None,
    }


def print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def excerpt(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


def line(item: dict[str, Any], when: str, text: str) -> str:
    """One entry as one plain line: what a screen reader reads out, in a fixed order."""
    parts = [f"Entry {item['id']}", when, f"by {item['author']}", f"{item['journal']} journal",
             f"{item['word_count']} words"]
    if item["audio"]:
        parts.append(f"recording {item['audio_duration_s'] or 0:.0f} s")
    if item["unread"]:
        parts.append("unread")
    if item["mood"]:
        parts.append(f"mood {item['mood']}")
    if item["tags"]:
        parts.append("tags " + " ".join(item["tags"]))
    if item["edited_at"]:
        parts.append("edited")
    return ", ".join(parts) + f": {text or '(no words yet)'}"


def stdout_is_terminal() -> bool:
    """Rich's own answer (it honours FORCE_COLOR and TTY_COMPATIBLE), asked only when it can
    be yes: importing Rich costs a tenth of a second that piped output does not need."""
    env = os.environ
    if env.get("TTY_COMPATIBLE") or env.get("FORCE_COLOR") is not None or sys.stdout.isatty():
        from rich.console import Console

        return Console().is_terminal
    return False


def print_rows(rows: Sequence[Row], *, terminal: bool) -> None:
    if terminal:
        from rich.console import Console
        from rich.table import Table

        table = Table("#", "when", "by", "journal", "tags", "mood", "words")
        for item, when, text in rows:
            table.add_row(str(item["id"]), when, item["author"] + (" •" if item["unread"] else ""),
                          item["journal"], ", ".join(item["tags"]), item["mood"] or "",
                          text or "[dim](no words yet)[/]")
        Console().print(table)
        return
    sys.stdout.write("".join(line(item, when, text) + "\n" for item, when, text in rows))


def print_search(rows: Sequence[Row], words: str, *, as_json: bool, terminal: bool) -> None:
    """What `confide entries search` prints, by either of its two ways in."""
    if as_json:
        print_json([item for item, _when, _text in rows])
    elif not rows:
        sys.stdout.write(MSG_NO_HITS.format(words=words) + "\n")
    else:
        print_rows(rows, terminal=terminal)
