"""Choosing tonight's prompt: properties over long random histories, and the worked cases."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prompts import (
    REPEAT_WINDOW_DAYS,
    Choice,
    Context,
    HistoryItem,
    NoPromptAvailableError,
    ProgramState,
    Prompt,
    allowed_in,
    as_prompt,
    completes_day,
    first_sentence,
    follow_up,
    load_library,
    natural_context,
    next_prompt,
    program_state,
)
from prompts.selector import NEW_USER_ANSWERS, REVISIT_SPACING_DAYS

pytestmark = pytest.mark.unit

LIBRARY = load_library()
PROMPTS = LIBRARY.prompts
IDS = sorted(PROMPTS)
PROGRAMS = sorted(LIBRARY.programs.values(), key=lambda p: p.id)
BASE = datetime(2025, 3, 1, 20, 0, tzinfo=UTC)
CONTEXTS: tuple[Context, ...] = ("private", "shared", "mutual")
WINDOW = timedelta(days=REPEAT_WINDOW_DAYS)

contexts = st.sampled_from(CONTEXTS)
theme_preferences = st.none() | st.sampled_from(sorted(LIBRARY.themes))
sentences = st.none() | st.text(min_size=1, max_size=60)
moments = st.integers(0, 400 * 24 * 60).map(lambda minutes: BASE + timedelta(minutes=minutes))
history_items = st.builds(HistoryItem, prompt_id=st.sampled_from(IDS), answered_at=moments,
                          first_sentence=sentences)
histories = st.lists(history_items, max_size=120)
nows = st.integers(0, 420 * 24 * 60).map(lambda minutes: BASE + timedelta(minutes=minutes))
seeds = st.none() | st.integers(0, 2**32)


@st.composite
def program_states(draw: st.DrawFn) -> ProgramState | None:
    if draw(st.booleans()):
        return None
    program = draw(st.sampled_from(PROGRAMS))
    return program_state(program, status="active",
                         days_done=draw(st.integers(0, len(program.days) - 1)))


def _ordered(history: Sequence[HistoryItem]) -> list[HistoryItem]:
    return sorted(history, key=lambda i: (i.answered_at, i.prompt_id))


def _blocked_theme(history: Sequence[HistoryItem]) -> str | None:
    ordered = _ordered(history)
    if len(ordered) < 2:
        return None
    last, before = (PROMPTS[i.prompt_id].theme for i in ordered[-2:])
    return last if last == before else None


def _recent_ids(history: Sequence[HistoryItem], now: datetime) -> set[str]:
    return {i.prompt_id for i in history if i.answered_at > now - WINDOW}


def choose(history: Sequence[HistoryItem], *, context: Context = "private",
           program: ProgramState | None = None, theme_preference: str | None = None,
           now: datetime = BASE, **extra: Any) -> Choice:
    return next_prompt(PROMPTS, history, context=context, program=program,
                       theme_preference=theme_preference, now=now, **extra)


# ----------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(history=histories, context=contexts, program=program_states(),
       preference=theme_preferences, now=nows, seed=seeds)
def test_a_chosen_prompt_always_fits_the_context(
    history: list[HistoryItem], context: Context, program: ProgramState | None,
    preference: str | None, now: datetime, seed: int | None,
) -> None:
    custom = [as_prompt(1, "What made you both laugh this week?", "small-victories")]
    choice = choose(history, context=context, program=program, theme_preference=preference,
                    now=now, rng_seed=seed, custom=custom)
    assert allowed_in(choice.prompt.audience, context)
    if context != "private":
        assert choice.prompt.audience != "private"  # never a private prompt when sharing
    if context == "mutual":
        assert choice.prompt.audience == "mutual"


@settings(max_examples=300, deadline=None)
@given(history=histories, context=contexts, preference=theme_preferences, now=nows,
       seed=seeds)
def test_no_repeat_inside_the_window_unless_a_deliberate_revisit_or_nothing_is_left(
    history: list[HistoryItem], context: Context, preference: str | None, now: datetime,
    seed: int | None,
) -> None:
    choice = choose(history, context=context, theme_preference=preference, now=now,
                    rng_seed=seed)
    recent = _recent_ids(history, now)
    if choice.reason == "revisit":
        assert context == "private"
        earlier = choice.revisit_of
        assert earlier is not None
        assert earlier.prompt_id == choice.prompt.id
        assert earlier == max((i for i in history if i.prompt_id == earlier.prompt_id),
                              key=lambda i: (i.answered_at, i.prompt_id))
        age = (now - earlier.answered_at).days
        assert age >= (choice.prompt.revisit_after_days or 10**6)
        return
    blocked = _blocked_theme(history)
    fresh_exists = any(allowed_in(p.audience, context) and p.theme != blocked
                       and p.id not in recent for p in PROMPTS.values())
    if fresh_exists:
        assert choice.prompt.id not in recent
        assert choice.reason in ("fresh", "theme_preference")
    else:
        assert choice.reason == "least_recent"


@settings(max_examples=300, deadline=None)
@given(history=histories, context=contexts, preference=theme_preferences, now=nows)
def test_never_the_same_theme_three_times_in_a_row_outside_a_program(
    history: list[HistoryItem], context: Context, preference: str | None, now: datetime
) -> None:
    choice = choose(history, context=context, theme_preference=preference, now=now)
    blocked = _blocked_theme(history)
    assert blocked is None or choice.prompt.theme != blocked


@settings(max_examples=200, deadline=None)
@given(history=st.lists(history_items, max_size=NEW_USER_ANSWERS - 1), context=contexts,
       preference=theme_preferences, now=nows)
def test_new_users_hear_gentle_prompts_first(
    history: list[HistoryItem], context: Context, preference: str | None, now: datetime
) -> None:
    choice = choose(history, context=context, theme_preference=preference, now=now)
    assert choice.prompt.depth == "gentle" or choice.reason == "revisit"


@settings(max_examples=100, deadline=None)
@given(history=histories, context=contexts, program=program_states(),
       preference=theme_preferences, now=nows, seed=seeds, shuffle_seed=st.integers())
def test_the_same_facts_give_the_same_choice_whatever_the_history_order(
    history: list[HistoryItem], context: Context, program: ProgramState | None,
    preference: str | None, now: datetime, seed: int | None, shuffle_seed: int,
) -> None:
    first = choose(history, context=context, program=program, theme_preference=preference,
                   now=now, rng_seed=seed)
    shuffled = list(history)
    random.Random(shuffle_seed).shuffle(shuffled)
    again = choose(shuffled, context=context, program=program, theme_preference=preference,
                   now=now, rng_seed=seed)
    assert again == first


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_long_run_of_daily_sessions_never_repeats_inside_the_window(data: st.DataObject) -> None:
    """Half a year of one session a day in random contexts: every prompt is new within the
    window except deliberate revisits, and themes never run three in a row."""
    history: list[HistoryItem] = []
    now = BASE
    last_revisit: datetime | None = None
    for _ in range(180):
        now += timedelta(days=data.draw(st.integers(1, 3)), minutes=data.draw(st.integers(0, 90)))
        context = data.draw(contexts)
        choice = choose(history, context=context, theme_preference=data.draw(theme_preferences),
                        now=now)
        assert choice.reason != "least_recent"
        assert allowed_in(choice.prompt.audience, context)
        if choice.reason == "revisit":
            assert last_revisit is None or now - last_revisit >= timedelta(
                days=REVISIT_SPACING_DAYS)
            last_revisit = now
        else:
            assert choice.prompt.id not in _recent_ids(history, now)
        blocked = _blocked_theme(history)
        assert blocked is None or choice.prompt.theme != blocked
        answer = data.draw(st.sampled_from([None, "I felt calmer than I expected. Then less."]))
        history.append(HistoryItem(choice.prompt.id, now, answer))


@settings(max_examples=40, deadline=None)
@given(program=st.sampled_from(PROGRAMS), noise=st.lists(history_items, max_size=40),
       data=st.data())
def test_a_program_is_followed_in_order_one_day_at_a_time(
    program: Any, noise: list[HistoryItem], data: st.DataObject
) -> None:
    # Earlier journaling (before the program) must not disturb its order.
    history = [i._replace(answered_at=i.answered_at - timedelta(days=500)) for i in noise]
    now = BASE
    days_done = 0
    served: list[str] = []
    while (state := program_state(program, status="active", days_done=days_done)) is not None:
        now += timedelta(days=data.draw(st.integers(1, 4)))
        day_prompt = PROMPTS[state.prompt_id]
        choice = choose(history, context=natural_context(day_prompt), program=state, now=now,
                        theme_preference=data.draw(theme_preferences))
        assert choice.reason == "program"
        assert choice.program_day == state.day
        assert choice.prompt.id == program.days[days_done]
        served.append(choice.prompt.id)
        history.append(HistoryItem(choice.prompt.id, now, None))
        if completes_day(state, choice.prompt.id):
            days_done += 1
        # Another session the same evening: free choice, never the next program day early.
        state = program_state(program, status="active", days_done=days_done)
        extra = choose(history, context=data.draw(contexts), program=state,
                       now=now + timedelta(minutes=30))
        assert extra.reason != "program"
        if state is not None:
            assert extra.prompt.id not in program.days[state.day - 1:]
        history.append(HistoryItem(extra.prompt.id, now + timedelta(minutes=30), None))
    assert served == list(program.days)


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
    blocked = _blocked_theme(history)
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
