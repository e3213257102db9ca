"""The library loader's rules on broken data, custom prompts, and how a program advances."""

from __future__ import annotations

import re
from typing import Any

import pytest

from confide.prompts import (
    LibraryError,
    Prompt,
    allowed_in,
    as_prompt,
    completes_day,
    is_complete,
    load_library,
    natural_context,
    program_intro,
    program_state,
    validate_custom_prompt,
)
from confide.prompts.library import (
    build_library,
)

pytestmark = pytest.mark.unit


# ----------------------------------------------------------------- the loader's rules


def _good_prompt(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "a-prompt", "text": "How are you today?", "theme": "t", "depth": "gentle",
        "audience": "private",
    }
    row.update(changes)
    return row


def _doc(*prompts: dict[str, Any]) -> dict[str, Any]:
    return {"themes": {"t": {"title": "T", "about": "A theme."}}, "prompts": list(prompts)}


def _mutual_and_share() -> list[dict[str, Any]]:
    return [
        _good_prompt(id="together", audience="mutual"),
        _good_prompt(id="deep-share", audience="share", depth="deeper"),
        _good_prompt(id="deep-private", depth="deeper"),
    ]


def test_a_minimal_valid_library_builds() -> None:
    library = build_library(_doc(_good_prompt(), *_mutual_and_share()),
                            {"programs": [{"id": "p", "title": "P", "about": "A.",
                                           "days": ["a-prompt"]}]})
    assert set(library.prompts) == {"a-prompt", "together", "deep-share", "deep-private"}


BROKEN: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]], str]] = [
    ("duplicate id", [_good_prompt(), _good_prompt()], [], "appears twice"),
    ("unknown theme", [_good_prompt(theme="nope")], [], "unknown theme"),
    ("too long", [_good_prompt(text="word " * 41 + "end?")], [], "more than 40"),
    ("markup", [_good_prompt(text="How are **you** today?")], [], "not plain text"),
    ("link", [_good_prompt(text="Read https://example.org first?")], [], "not plain text"),
    ("emoji", [_good_prompt(text="How are you 😀 today?")], [], "not plain text"),
    ("bad depth", [_good_prompt(depth="medium")], [], "depth"),
    ("bad audience", [_good_prompt(audience="everyone")], [], "audience"),
    ("unknown field", [_good_prompt(colour="blue")], [], "colour"),
    ("dangling follow-up", [_good_prompt(follow_ups=["missing"])], [], "does not exist"),
    ("three follow-ups",
     [_good_prompt(follow_ups=["deep-private", "deep-share", "deep-private"])], [],
     "more than 2"),
    ("gentle follow-up", [_good_prompt(follow_ups=["a-prompt"])], [], "should be a deeper"),
    ("private follow-up of a share prompt",
     [_good_prompt(audience="share", follow_ups=["deep-private"])], [], "cannot be asked"),
    ("revisit on a couple prompt",
     [_good_prompt(id="both", audience="mutual", revisit_after_days=30)], [],
     "cannot be revisited"),
    ("revisit too soon", [_good_prompt(revisit_after_days=1)], [], "revisit_after_days"),
    ("reserved id", [_good_prompt(id="custom-1")], [], "custom prompts"),
    ("dangling program day", [_good_prompt()],
     [{"id": "p", "title": "P", "about": "A.", "days": ["a-prompt", "missing"]}],
     "no prompt 'missing'"),
    ("empty program", [_good_prompt()], [{"id": "p", "title": "P", "about": "A.", "days": []}],
     "days"),
]


@pytest.mark.parametrize(("prompts", "programs", "message"),
                         [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_loader_rejects_broken_data_with_a_clear_message(
    prompts: list[dict[str, Any]], programs: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(LibraryError, match=re.escape(message)):
        build_library(_doc(*prompts, *_mutual_and_share()), {"programs": programs})


def test_loader_reports_every_problem_at_once() -> None:
    with pytest.raises(LibraryError) as caught:
        build_library(_doc(_good_prompt(theme="x"), _good_prompt(id="b", depth="odd")),
                      {"programs": []})
    assert "unknown theme" in str(caught.value)
    assert "depth" in str(caught.value)


def test_loader_requires_a_prompt_for_every_context() -> None:
    with pytest.raises(LibraryError, match="mutual session"):
        build_library(_doc(_good_prompt()), {"programs": []})


# ----------------------------------------------------------------- custom prompts


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("What made you laugh today?", "What made you laugh today?"),
        ("  What   made you\nlaugh today?  ", "What made you laugh today?"),
        ("Qu'est-ce qui t'a fait rire aujourd'hui ?", "Qu'est-ce qui t'a fait rire aujourd'hui ?"),
        ("What did we do well, together, this week?", "What did we do well, together, this week?"),
        ("Is it — honestly — better?", "Is it — honestly — better?"),
    ],
)
def test_custom_prompt_text_is_cleaned(text: str, cleaned: str) -> None:
    assert validate_custom_prompt(text, "communication") == cleaned


@pytest.mark.parametrize(
    ("text", "theme", "message"),
    [
        ("", "communication", "empty"),
        ("   \n ", "communication", "empty"),
        ("Why?", "communication", "at least 3 words"),
        ("word " * 41, "communication", "41 words"),
        ("<b>What</b> made you laugh?", "communication", "“<”"),
        ("What made you **laugh** today?", "communication", "“*”"),
        ("# What made you laugh today", "communication", "“#”"),
        ("Watch https://example.org and tell me why", "communication", "web links"),
        ("What made you laugh today 😂", "communication", "emoji"),
        ("What made you\u200b laugh today?", "communication", "hidden"),
        ("What made you laugh today?", "gossip", "no theme called “gossip”"),
        ("a" * 300 + " b c", "communication", "characters"),
    ],
)
def test_custom_prompt_text_is_refused_with_a_readable_reason(
    text: str, theme: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_custom_prompt(text, theme)


def test_custom_prompt_becomes_a_gentle_shareable_prompt_never_for_joint_sessions() -> None:
    prompt = as_prompt(12, "What made you laugh today?", "small-victories")
    assert prompt == Prompt(id="custom-12", text="What made you laugh today?",
                            theme="small-victories", depth="gentle", audience="share",
                            source="custom")
    assert allowed_in(prompt.audience, "private")
    assert allowed_in(prompt.audience, "shared")
    assert not allowed_in(prompt.audience, "mutual")


# ----------------------------------------------------------------- programs


def test_program_state_follows_status_and_days_done() -> None:
    program = load_library().program("listening-week")
    state = program_state(program, status="active", days_done=0)
    assert state is not None
    assert (state.day, state.prompt_id, state.previous_prompt_id) == (1, program.days[0], None)
    later = program_state(program, status="active", days_done=3)
    assert later is not None
    assert later.prompt_id == program.days[3]
    assert later.previous_prompt_id == program.days[2]
    assert program_state(program, status="paused", days_done=3) is None
    assert program_state(program, status="left", days_done=3) is None
    assert program_state(program, status="active", days_done=len(program.days)) is None
    assert is_complete(program, len(program.days))
    assert not is_complete(program, 0)
    with pytest.raises(ValueError, match="negative"):
        program_state(program, status="active", days_done=-1)


def test_completes_day_only_for_the_days_prompt() -> None:
    program = load_library().program("begin-with-yourself")
    state = program_state(program, status="active", days_done=1)
    assert completes_day(state, program.days[1])
    assert not completes_day(state, program.days[0])
    assert not completes_day(None, program.days[1])


def test_program_intro_is_spoken_words() -> None:
    program = load_library().program("listening-week")
    state = program_state(program, status="active", days_done=1)
    assert state is not None
    assert program_intro(state) == "Day two of Listening week."


def test_natural_context_puts_couple_prompts_in_a_joint_session() -> None:
    library = load_library()
    assert natural_context(library.get("listen-say-it-back")) == "mutual"
    assert natural_context(library.get("listen-in-your-words")) == "private"
    assert natural_context(library.get("listen-hard-to-hear")) == "private"
