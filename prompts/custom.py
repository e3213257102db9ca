"""A couple's own prompts: the same rules as the library (short, plain, spoken well).

Storage and visibility (one couple only) belong to ``models.prompt_state``; this module only
decides whether a text can be a prompt, and turns a stored one into a :class:`Prompt`.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Collection

from confide.prompts.library import (
    CUSTOM_ID_PREFIX,
    MAX_WORDS,
    Prompt,
    load_library,
    load_messages,
    plain_text_problem,
)

__all__ = [
    "MAX_CHARS",
    "MIN_WORDS",
    "as_prompt",
    "clean_text",
    "custom_prompt_id",
    "validate_custom_prompt",
]

logger = logging.getLogger(__name__)

MIN_WORDS = 3
MAX_CHARS = 280


def clean_text(text: str) -> str:
    """Unicode-normalised text on one line, with single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def validate_custom_prompt(
    text: str, theme: str, *, themes: Collection[str] | None = None
) -> str:
    """The cleaned prompt text, or ``ValueError`` with a sentence a person can act on.

    ``themes`` defaults to the library's themes.
    """
    said = load_messages()
    known = themes if themes is not None else load_library().themes
    if theme not in known:
        raise ValueError(
            said.say("custom_unknown_theme", theme=theme, themes=", ".join(sorted(known)))
        )
    cleaned = clean_text(text)
    if not cleaned:
        raise ValueError(said.say("custom_empty"))
    problem = plain_text_problem(cleaned)
    if problem is not None:
        raise ValueError(said.say(f"custom_not_plain_{problem.kind}", char=problem.char))
    words = len(cleaned.split())
    if words > MAX_WORDS:
        raise ValueError(said.say("custom_too_many_words", words=words, max_words=MAX_WORDS))
    if words < MIN_WORDS:
        raise ValueError(said.say("custom_too_short", min_words=MIN_WORDS))
    if len(cleaned) > MAX_CHARS:
        raise ValueError(
            said.say("custom_too_many_chars", chars=len(cleaned), max_chars=MAX_CHARS)
        )
    return cleaned


def custom_prompt_id(custom_id: int) -> str:
    """The prompt id a stored custom prompt goes by (``custom-12``), in entries and history."""
    return f"{CUSTOM_ID_PREFIX}{custom_id}"


def as_prompt(custom_id: int, text: str, theme: str) -> Prompt:
    """A stored custom prompt as a :class:`Prompt` for selection: gentle, written to share
    (so it fits private and shared sessions), without follow-ups or revisits."""
    return Prompt(
        id=custom_prompt_id(custom_id),
        text=clean_text(text),
        theme=theme,
        depth="gentle",
        audience="share",
        source="custom",
    )
