"""The facts both prompt-choice test modules share: the shipped library, a fixed evening,
and ``choose`` (``next_prompt`` over the library with the usual defaults)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from confide.prompts import Choice, Context, HistoryItem, ProgramState, load_library, next_prompt

__all__ = ["BASE", "IDS", "LIBRARY", "PROMPTS", "blocked_theme", "choose", "ordered"]

LIBRARY = load_library()
PROMPTS = LIBRARY.prompts
IDS = sorted(PROMPTS)
BASE = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)


def ordered(history: Sequence[HistoryItem]) -> list[HistoryItem]:
    return sorted(history, key=lambda i: (i.answered_at, i.prompt_id))


def blocked_theme(history: Sequence[HistoryItem]) -> str | None:
    """The theme a third prompt in a row may not have (the last two shared it), if any."""
    history = ordered(history)
    if len(history) < 2:
        return None
    last, before = (PROMPTS[i.prompt_id].theme for i in history[-2:])
    return last if last == before else None


def choose(history: Sequence[HistoryItem], *, context: Context = "private",
           program: ProgramState | None = None, theme_preference: str | None = None,
           now: datetime = BASE, **extra: Any) -> Choice:
    return next_prompt(PROMPTS, history, context=context, program=program,
                       theme_preference=theme_preference, now=now, **extra)
