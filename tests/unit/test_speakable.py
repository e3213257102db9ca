"""What the speech engine is given for an entry: its words, or a sentence when it has none."""

from __future__ import annotations

import pytest

from confide.prompts import load_messages
from confide.prompts.speakable import speakable, text_to_read_aloud

pytestmark = pytest.mark.unit

NO_WORDS = load_messages().say("speech_no_words")


@pytest.mark.parametrize(("text", "expected"), [
    ("We walked by the river.", True),
    ("ok 🙂", True),
    ("1", True),
    ("日本", True),
    ("Ça va?", True),
    ("!!!", False),
    ("…", False),
    ("🙂", False),
    ("❤️🙂", False),
    ("👍🏽", False),
    (":) ;-)", False),
    ("#$%&*+", False),
    ("— – …", False),
    ("→ ♥ © ∑", False),
    ("\u200b", False),
    ("", False),
])
def test_a_text_is_speakable_when_it_holds_a_letter_or_a_digit(text: str, expected: bool) -> None:
    assert speakable(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("  I hear you.  ", "I hear you."),
    ("ok 🙂", "ok 🙂"),
    ("…", NO_WORDS),
    ("🙂🙂", NO_WORDS),
    ("?!", NO_WORDS),
    ("", None),
    ("  \n\t", None),
])
def test_what_is_read_aloud_for_a_text(text: str, expected: str | None) -> None:
    assert text_to_read_aloud(text) == expected


def test_the_sentence_for_no_words_is_itself_speakable() -> None:
    assert speakable(NO_WORDS)
