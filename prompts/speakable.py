"""Whether a text holds anything a speech engine can read aloud, and what to read instead.

An entry can be only punctuation, emoji or symbols ("…", "❤️", ":)"). espeak-ng reads such
text as silence or as nothing at all, so the listener would get an empty or silent player.
The rule is a pure function of the text: it is speakable when it holds a letter or a digit.
"""

from __future__ import annotations

import unicodedata

from confide.prompts.library import Messages, load_messages

__all__ = ["speakable", "text_to_read_aloud"]


def speakable(text: str) -> bool:
    """True when ``text`` holds at least one letter or digit (any script)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def text_to_read_aloud(text: str, messages: Messages | None = None) -> str | None:
    """What to read aloud for ``text``: the text itself when it is speakable, a sentence
    saying it has no words when it is only punctuation, emoji or symbols, and ``None`` when
    there is nothing at all (an entry not transcribed yet)."""
    body = text.strip()
    if not body:
        return None
    if speakable(body):
        return body
    return (messages or load_messages()).say("speech_no_words")
