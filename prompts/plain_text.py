"""Whether a text can be read aloud as it is: no markup, links, symbols or control characters.

Every prompt, follow-up and message is checked with it at load time, and a person's own
prompt when it is written, so nothing is spelled out character by character by the voice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = ["PlainTextProblem", "plain_text_problem"]

_MARKUP_CHARS = frozenset("<>{}[]*_#`|\\^~=")
_LINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PlainTextProblem:
    """Why a text cannot be read aloud well: ``kind`` is markup, link, symbol or control."""

    kind: Literal["markup", "link", "symbol", "control"]
    char: str = ""


def plain_text_problem(text: str) -> PlainTextProblem | None:
    """The first reason ``text`` is not plain spoken text, or None when it is."""
    if _LINK.search(text):
        return PlainTextProblem("link")
    for char in text:
        if char in _MARKUP_CHARS:
            return PlainTextProblem("markup", char)
        category = unicodedata.category(char)
        if category.startswith("C") or (category == "Zs" and char != " ") or char in "\n\r\t":
            return PlainTextProblem("control")
        if category in ("So", "Sk", "Cs"):
            return PlainTextProblem("symbol", char)
    return None
