"""Choosing tonight's prompt: properties that hold over long random histories."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.prompts import (
    REPEAT_WINDOW_DAYS,
    Context,
    HistoryItem,
    ProgramState,
    allowed_in,
    as_prompt,
    completes_day,
    natural_context,
    program_state,
)
from confide.prompts.selector import NEW_USER_ANSWERS, REVISIT_SPACING_DAYS
from tests.unit.selector_facts import BASE, IDS, LIBRARY, PROMPTS, blocked_theme, choose

pytestmark = pytest.mark.unit


PROGRAMS = sorted(LIBRARY.programs.values(), key=lambda p: p.id)
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


def _recent_ids(history: Sequence[HistoryItem], now: datetime) -> set[str]:
    return {i.prompt_id for i in history if i.answered_at > now - WINDOW}


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
    blocked = blocked_theme(history)
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
    blocked = blocked_theme(history)
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


SESSIONS = st.lists(st.tuples(
    st.integers(1, 3), st.integers(0, 90), contexts, theme_preferences,
    st.sampled_from([None, "I felt calmer than I expected. Then less."])),
    min_size=180, max_size=180)
"""Half a year of sessions: days and minutes since the last, context, theme wanted, answer.
Drawn as one list (a draw per session cost more than choosing the prompts)."""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions=SESSIONS)
def test_a_long_run_of_daily_sessions_never_repeats_inside_the_window(
        sessions: list[tuple[int, int, Context, str | None, str | None]]) -> None:
    """Half a year of one session a day in random contexts: every prompt is new within the
    window except deliberate revisits, and themes never run three in a row."""
    history: list[HistoryItem] = []
    now = BASE
    last_revisit: datetime | None = None
    for days, minutes, context, preference, answer in sessions:
        now += timedelta(days=days, minutes=minutes)
        choice = choose(history, context=context, theme_preference=preference, now=now)
        assert choice.reason != "least_recent"
        assert allowed_in(choice.prompt.audience, context)
        if choice.reason == "revisit":
            assert last_revisit is None or now - last_revisit >= timedelta(
                days=REVISIT_SPACING_DAYS)
            last_revisit = now
        else:
            assert choice.prompt.id not in _recent_ids(history, now)
        blocked = blocked_theme(history)
        assert blocked is None or choice.prompt.theme != blocked
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
