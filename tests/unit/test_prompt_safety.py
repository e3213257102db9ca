"""Hearing that someone is unsafe, and what Confide says then (see prompts/safety.py for why
each borderline sentence is judged the way it is)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.prompts import crisis_message, help_message, is_crisis, load_library
from confide.prompts.safety import normalise

pytestmark = pytest.mark.unit

CRISIS = [
    "I don't feel safe",
    "i dont feel safe at home",
    "I don’t feel safe with him anymore",
    "Honestly I just do not feel safe.",
    "I still don't feel safe around her",
    "I'm not safe here",
    "I feel unsafe",
    "I'm in danger",
    "im in danger",
    "I think we are in danger right now",
    "My kids are in danger.",
    "I'm scared he'll hurt me",
    "I am afraid my partner will hurt me",
    "I fear for my safety",
    "He hit me last night.",
    "my husband hits me when he drinks",
    "She threatened to kill me",
    "I want to hurt myself",
    "I'm going to hurt myself tonight",
    "Sometimes I think about hurting myself",
    "I keep thinking about killing myself",
    "I want to kill myself",
    "I could kill myself for forgetting",  # ambiguous idiom: we still offer help
    "I want to die",
    "I wish I was dead",
    "Everyone would be better off without me",
    "I don't want to live anymore",
    "I don't want to be here anymore",
    "I've been feeling suicidal",
    "I'm thinking about ending my life",
    "I have been self-harming again",
    "I'm in crisis",
    "We're having a crisis and I need help now",
    "This is an emergency",
    "Call the police",
]

NOT_CRISIS = [
    "I feel safe with you",
    "I feel safer with you than I have in years",
    "The crisis at work is over",
    "We got through the crisis with the car",
    "I never feel unsafe with you",
    "I don't feel unsafe, just tired",
    "I'm not in danger, I'm just sad",
    "I'm in danger of losing my temper about the dishes",
    "I didn't feel safe as a child, and I'm learning what safe feels like now",
    "You hurt me when you lied",
    "It hurts me when you go quiet",
    "I hurt myself on the stairs, it's nothing",
    "I killed it at work today",
    "I don't want to die without telling you I love you",
    "Last year we had to call the police about the neighbours",
    "Danger is a strong word for what happened",
    "I want to hurt less",
    "I need help with the dishes sometimes",
    "",
    "   ",
]


def test_the_table_has_what_the_brief_asks_for() -> None:
    assert {"I don't feel safe", "I want to hurt myself", "I'm in danger"} <= set(CRISIS)
    assert {"I feel safe with you", "The crisis at work is over"} <= set(NOT_CRISIS)


@pytest.mark.parametrize("utterance", CRISIS)
def test_crisis_phrases_are_heard(utterance: str) -> None:
    assert is_crisis(utterance), normalise(utterance)


@pytest.mark.parametrize("utterance", NOT_CRISIS)
def test_ordinary_sentences_are_not_crises(utterance: str) -> None:
    assert not is_crisis(utterance), normalise(utterance)


def test_a_crisis_phrase_inside_a_long_reflection_is_heard() -> None:
    reflection = (
        "We talked about the holidays and it went fine. But later on he shoved me, "
        "and now I'm sitting in the car. I don't feel safe going back in."
    )
    assert is_crisis(reflection)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("I’m NOT okay!!", "i am not okay"),
        ("don't, can't, won't", "do not cannot will not"),
        ("I'll be fine", "i will be fine"),
        ("I feel ill", "i feel ill"),
    ],
)
def test_normalise(raw: str, normalised: str) -> None:
    assert normalise(raw) == normalised


def test_no_library_prompt_reads_as_a_crisis() -> None:
    # The loop may hear its own prompt echoed back; it must not alarm anyone.
    for prompt in load_library().prompts.values():
        assert not is_crisis(prompt.spoken), prompt.id


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_an_answer_without_error(text: str) -> None:
    assert is_crisis(text) in (True, False)


def test_the_crisis_message_gives_the_configured_line_and_never_diagnoses() -> None:
    message = crisis_message("988, by call or text")
    assert "contact 988, by call or text now" in message
    assert "couples therapist" in message
    assert message.endswith("?")  # it ends by offering to stop
    lowered = message.lower()
    for word in ("diagnos", "disorder", "depress", "you are suffering", "you have"):
        assert word not in lowered


def test_the_crisis_message_has_a_default_line() -> None:
    assert "your local emergency number" in crisis_message()


def test_the_help_message_points_to_a_couples_therapist_and_the_crisis_line() -> None:
    message = help_message("Samaritans on 116 123")
    assert "couples therapist" in message
    assert "Samaritans on 116 123" in message
    assert "not a therapist" in message
