"""Choosing tonight's prompt, case by case: revisits, theme preferences, programs, the
fallbacks when nothing fits, and the sentences a choice is spoken with."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from confide.prompts import (
    HistoryItem,
    NoPromptAvailableError,
    Prompt,
    as_prompt,
    first_sentence,
    follow_up,
    next_prompt,
    program_state,
)
from tests.unit.selector_facts import BASE, IDS, LIBRARY, PROMPTS, blocked_theme, choose

pytestmark = pytest.mark.unit


# ----------------------------------------------------------------- worked cases


def _some_history(n: int, end: datetime = BASE - timedelta(days=40)) -> list[HistoryItem]:
    """``n`` answers long ago to unremarkable prompts, so the person is no longer new."""
    by_theme = {t: [p for p in IDS if PROMPTS[p].theme == t and not PROMPTS[p].revisit_after_days]
                for t in sorted(LIBRARY.themes)}
    themes = list(by_theme)
    picks = [by_theme[themes[k % len(themes)]][k // len(themes)] for k in range(n)]
    return [HistoryItem(pid, end - timedelta(days=k), None) for k, pid in enumerate(picks)]


def test_a_revisit_quotes_the_earlier_first_sentence_to_its_author() -> None:
    earlier = HistoryItem("trust-fear-name", BASE - timedelta(days=30),
                          "I'm scared I will never trust again. And then some more.")
    choice = choose([*_some_history(8), earlier], context="private", now=BASE)
    assert choice.reason == "revisit"
    assert choice.prompt.id == "trust-fear-name"
    assert choice.revisit_of == earlier
    assert choice.spoken == (
        "Thirty days ago you said: “I'm scared I will never trust again.” How does it feel now?"
    )
    # What gets stored with the entry is the plain prompt, without the person's words.
    assert "scared" not in choice.prompt.text


def test_revisits_happen_only_in_a_private_session() -> None:
    earlier = HistoryItem("self-values", BASE - timedelta(days=61), "Honesty, mostly.")
    assert choose([earlier], context="private").reason == "revisit"
    for context in ("shared", "mutual"):
        assert choose([earlier], context=context).reason != "revisit"


def test_a_revisit_needs_something_to_quote_and_enough_days() -> None:
    too_soon = HistoryItem("trust-fear-name", BASE - timedelta(days=29), "Afraid.")
    nothing_said = HistoryItem("self-growth-month", BASE - timedelta(days=45), None)
    choice = choose([too_soon, nothing_said], context="private")
    assert choice.reason != "revisit"
    assert choice.prompt.id != "trust-fear-name"


def test_at_most_one_revisit_a_week() -> None:
    history = [
        HistoryItem("self-growth-month", BASE - timedelta(days=40), "Be patient."),
        HistoryItem("self-growth-month", BASE - timedelta(days=3), "Still patient."),
        HistoryItem("trust-fear-name", BASE - timedelta(days=35), "Being fooled."),
    ]
    assert choose(history).reason != "revisit"
    assert choose(history, now=BASE + timedelta(days=5)).reason == "revisit"


def test_older_revisits_speak_in_months() -> None:
    earlier = HistoryItem("win-look-back", BASE - timedelta(days=95), "We argue less. Yes.")
    choice = choose([earlier], context="private")
    assert choice.spoken.startswith("About three months ago you said: “We argue less.”")


def test_a_theme_preference_is_followed_when_the_rules_allow() -> None:
    choice = choose(_some_history(8), theme_preference="accountability")
    assert choice.prompt.theme == "accountability"
    assert choice.reason == "theme_preference"


def test_a_theme_preference_yields_to_the_three_in_a_row_rule() -> None:
    two = [HistoryItem("acc-count-on-me", BASE - timedelta(days=2), None),
           HistoryItem("acc-hard-feedback", BASE - timedelta(days=1), None)]
    choice = choose([*_some_history(8), *two], theme_preference="accountability")
    assert choice.prompt.theme != "accountability"


def test_a_brand_new_person_gets_a_gentle_never_asked_prompt() -> None:
    choice = choose([], context="private")
    assert choice.prompt.depth == "gentle"
    assert choice.reason == "fresh"
    assert choice.spoken == choice.prompt.spoken


def test_skipped_prompts_are_not_offered_again_in_the_session() -> None:
    first = choose([], context="mutual")
    second = choose([], context="mutual", exclude={first.prompt.id})
    assert second.prompt.id != first.prompt.id


def test_nothing_fits_raises() -> None:
    with pytest.raises(NoPromptAvailableError):
        next_prompt([], [], context="private", program=None, theme_preference=None, now=BASE)
    custom_only = [as_prompt(3, "What made you both laugh this week?", "small-victories")]
    with pytest.raises(NoPromptAvailableError):
        next_prompt([], [], context="mutual", program=None, theme_preference=None, now=BASE,
                    custom=custom_only)


def test_a_couples_own_prompt_can_be_chosen() -> None:
    custom = [as_prompt(3, "What made you both laugh this week?", "small-victories")]
    choice = next_prompt([], [], context="shared", program=None, theme_preference=None,
                         now=BASE, custom=custom)
    assert choice.prompt.id == "custom-3"
    assert choice.prompt.source == "custom"


def test_same_date_same_choice_other_date_may_differ() -> None:
    morning = choose([], now=BASE.replace(hour=7), context="mutual")
    evening = choose([], now=BASE.replace(hour=22), context="mutual")
    assert morning == evening
    picks = {choose([], now=BASE + timedelta(days=d), context="mutual").prompt.id
             for d in range(20)}
    assert len(picks) > 1


def test_naive_and_aware_times_mix_without_error() -> None:
    naive = HistoryItem("comm-unsaid", (BASE - timedelta(days=2)).replace(tzinfo=None), None)
    choice = choose([naive], now=BASE)
    assert choice.prompt.id != "comm-unsaid"


def test_the_help_prompt_speaks_the_configured_crisis_line() -> None:
    choice = choose([], exclude=set(IDS) - {"help-too-heavy"}, crisis_line="988")
    assert choice.prompt.id == "help-too-heavy"
    assert choice.spoken.endswith("contact 988.")


def test_the_program_prompt_comes_first_with_its_day_said_aloud() -> None:
    program = LIBRARY.program("listening-week")
    state = program_state(program, status="active", days_done=1)
    assert state is not None
    choice = choose(_some_history(8), program=state, context="private")
    assert choice.reason == "program"
    assert choice.prompt.id == program.days[1]
    assert choice.spoken.startswith("Day two of Listening week. ")


def test_a_program_prompt_is_asked_even_if_answered_lately() -> None:
    program = LIBRARY.program("begin-with-yourself")
    state = program_state(program, status="active", days_done=0)
    recent = HistoryItem(program.days[0], BASE - timedelta(days=3), None)
    assert choose([recent], program=state).prompt.id == program.days[0]


def test_one_program_day_per_calendar_day() -> None:
    program = LIBRARY.program("begin-with-yourself")
    state = program_state(program, status="active", days_done=1)
    done_tonight = HistoryItem(program.days[0], BASE - timedelta(hours=1), None)
    assert choose([done_tonight], program=state).reason != "program"
    tomorrow = choose([done_tonight], program=state, now=BASE + timedelta(days=1))
    assert tomorrow.prompt.id == program.days[1]


def test_a_program_day_that_does_not_fit_the_session_waits() -> None:
    program = LIBRARY.program("listening-week")
    state = program_state(program, status="active", days_done=4)  # a couple-together day
    assert state is not None
    assert PROMPTS[state.prompt_id].audience == "mutual"
    choice = choose(_some_history(8), program=state, context="private")
    assert choice.reason != "program"
    assert choice.prompt.id not in program.days[4:]
    assert choose(_some_history(8), program=state, context="mutual").reason == "program"


def test_a_paused_program_gives_way_to_free_choice() -> None:
    program = LIBRARY.program("goals-together")
    assert program_state(program, status="paused", days_done=2) is None
    assert choose([], program=None, context="mutual").reason == "fresh"


def test_when_everything_was_asked_lately_the_least_recent_comes_back() -> None:
    mutual = sorted((p for p in PROMPTS.values() if p.audience == "mutual"),
                    key=lambda p: p.id)
    history = [HistoryItem(p.id, BASE - timedelta(hours=k + 1), None)
               for k, p in enumerate(mutual)]
    choice = choose(history, context="mutual")
    assert choice.reason == "least_recent"
    blocked = blocked_theme(history)
    oldest = min((i for i in history if PROMPTS[i.prompt_id].theme != blocked),
                 key=lambda i: i.answered_at)
    assert choice.prompt.id == oldest.prompt_id


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("I feel calm. Then I worried.", "I feel calm."),
        ("Really? Yes.", "Really?"),
        ("  no punctuation at all  ", "no punctuation at all"),
        ("“Quoted words.” Then more.", "Quoted words."),
        ("first line\nsecond line", "first line second line"),
        ("", None),
        ("   ", None),
        (None, None),
        (" ".join(["word"] * 40) + ".", " ".join(["word"] * 30) + "…"),
    ],
)
def test_first_sentence(answer: str | None, expected: str | None) -> None:
    assert first_sentence(answer) == expected


def test_follow_up_by_index() -> None:
    prompt = LIBRARY.get("self-loud-worry")
    follow = follow_up(prompt, 0)
    assert isinstance(follow, Prompt)
    assert follow.id == "self-worry-origin"
    assert follow.depth == "deeper"
    assert follow_up(prompt, 1) is None
    assert follow_up(prompt, -1) is None
    assert follow_up(LIBRARY.get("self-worry-origin"), 0) is None
    assert follow_up(prompt, 0, prompts={}) is None
