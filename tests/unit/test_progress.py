"""Progress figures on built histories: streaks with a grace day, weeks, goals, milestones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.models.accounts import Preferences, update_preferences
from confide.models.entries import create_written_entry
from confide.models.goals import add_checkin, create_goal
from confide.models.progress import (
    CheckInFact,
    EntryFact,
    GoalFact,
    Progress,
    ProgressFacts,
    compute_progress,
    new_milestones,
    progress_as_dict,
    progress_for,
    summary_sentence,
)
from confide.models.responses import add_response

pytestmark = pytest.mark.unit

TODAY = date(2025, 6, 11)  # a Wednesday
BLAME = re.compile(r"\b(miss\w*|fail\w*|broke\w*|break\w*|lost|lose|should|only|behind|"
                   r"guilt\w*|shame\w*|disappoint\w*|forgot\w*|neglect\w*|lazy)\b", re.I)


def history(*days_ago: int, words: int = 10, shared: bool = False) -> list[EntryFact]:
    return [EntryFact(TODAY - timedelta(days=d), words, shared) for d in days_ago]


def figures(*days_ago: int, **facts: object) -> Progress:
    return compute_progress(ProgressFacts(entries=history(*days_ago), **facts), TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days_ago", "current", "longest"),
    [
        pytest.param((), 0, 0, id="nothing-yet"),
        pytest.param((0,), 1, 1, id="first-day"),
        pytest.param(tuple(range(10)), 10, 10, id="ten-days-straight"),
        pytest.param((0, 1, 3, 4), 4, 4, id="one-quiet-day-is-a-rest-day"),
        pytest.param((0, 3, 4), 1, 2, id="two-quiet-days-start-a-new-streak"),
        pytest.param((1, 2, 3), 3, 3, id="today-is-not-over-yet"),
        pytest.param((2, 3, 4), 3, 3, id="yesterday-a-rest-day-streak-still-alive"),
        pytest.param((3, 4, 5), 0, 3, id="two-quiet-days-before-today"),
        pytest.param((0, 2, 4, 6, 8), 5, 5, id="every-other-day-is-a-streak"),
        pytest.param((0, 1, 2, 10, 11, 12, 13, 14), 3, 5, id="longest-in-the-past"),
        pytest.param((0, 0, 0, 1), 2, 2, id="several-entries-a-day-count-once"),
        pytest.param((-1, -2), 0, 0, id="future-entries-are-ignored"),
    ],
)
def test_streak_with_a_grace_day(days_ago, current, longest):
    p = figures(*days_ago)
    assert (p.current_streak, p.longest_streak) == (current, longest)


def test_days_journaled_in_the_last_week_and_rest_day():
    p = figures(0, 2, 3, 4, 5, 9)
    assert p.days_journaled_last_7 == 5
    assert p.journaled_today
    assert p.rest_day_yesterday
    assert summary_sentence(p) == (
        "You journaled 5 of the last 7 days — yesterday was a rest day, and that's fine.")


def test_weekly_entries_and_words_for_the_last_eight_weeks():
    entries = [
        EntryFact(TODAY, 100, False),  # this week (Mon 9 June)
        EntryFact(date(2025, 6, 9), 50, True),
        EntryFact(date(2025, 6, 8), 30, False),  # Sunday: last week
        EntryFact(date(2025, 4, 21), 7, False),  # Monday 7 weeks back: the oldest week shown
        EntryFact(date(2025, 4, 20), 1000, False),  # the Sunday before: not shown
    ]
    p = compute_progress(ProgressFacts(entries=entries), TODAY)
    assert len(p.weeks) == 8
    assert p.weeks[-1].week_start == date(2025, 6, 9)
    assert (p.weeks[-1].entries, p.weeks[-1].words) == (2, 150)
    assert (p.weeks[-2].entries, p.weeks[-2].words) == (1, 30)
    assert p.weeks[0].week_start == date(2025, 4, 21)
    assert (p.weeks[0].entries, p.weeks[0].words) == (1, 7)
    assert (p.weeks[-1].iso_year, p.weeks[-1].iso_week) == (2025, 24)
    assert (p.total_entries, p.total_words) == (5, 1187)
    assert (p.shared_count, p.private_count) == (1, 4)


def test_weeks_across_the_new_year_use_iso_weeks():
    p = compute_progress(ProgressFacts(entries=[EntryFact(date(2024, 12, 30), 5, False)]),
                         date(2025, 1, 2))
    assert (p.weeks[-1].iso_year, p.weeks[-1].iso_week, p.weeks[-1].entries) == (2025, 1, 1)


def test_goal_ratings_over_time_and_the_high_rating_milestone():
    goals = [GoalFact(1, "No phones at dinner", "active"), GoalFact(2, "Weekly walk", "paused")]
    checkins = [
        CheckInFact(1, TODAY - timedelta(days=20), 4, True),
        CheckInFact(1, TODAY - timedelta(days=27), 2, False),
        CheckInFact(1, TODAY - timedelta(days=13), 5, False),
        CheckInFact(1, TODAY - timedelta(days=6), 3, True),
        CheckInFact(1, TODAY - timedelta(days=5), 4, True),  # third 4+: the milestone day
        CheckInFact(1, TODAY, 5, True),  # a fourth does not make it again
        CheckInFact(2, TODAY - timedelta(days=1), 4, True),
    ]
    p = compute_progress(ProgressFacts(goals=goals, checkins=checkins), TODAY)
    dinner, walk = p.goals
    assert [pt.rating for pt in dinner.points] == [2, 4, 5, 3, 4, 5]
    assert dinner.latest == 5
    assert dinner.average == pytest.approx(23 / 6, abs=0.01)
    assert (walk.latest, walk.average, len(walk.points)) == (4, 4.0, 1)
    high = [m for m in p.milestones if m.key.startswith("goal_rated_high")]
    assert [(m.key, m.reached_on) for m in high] == [("goal_rated_high_1",
                                                      TODAY - timedelta(days=5))]
    assert "No phones at dinner" in high[0].title


def test_milestones_are_reached_once_with_the_date_they_were_reached():
    facts = ProgressFacts(
        entries=[*history(*range(40)), EntryFact(TODAY - timedelta(days=12), 5, True)],
        responses=[TODAY - timedelta(days=3), TODAY - timedelta(days=1)],
    )
    p = compute_progress(facts, TODAY)
    reached = {m.key: m.reached_on for m in p.milestones}
    assert reached == {
        "first_entry": TODAY - timedelta(days=39),
        "first_shared": TODAY - timedelta(days=12),
        "first_response": TODAY - timedelta(days=3),
        "streak_7": TODAY - timedelta(days=33),
        "streak_30": TODAY - timedelta(days=10),
    }
    # A later look at the same history keeps the same dates: nothing is "reached" again.
    later = compute_progress(facts, TODAY + timedelta(days=20))
    assert {m.key: m.reached_on for m in later.milestones} == reached


def test_streak_milestones_count_journaled_days_with_rest_days_between():
    p = figures(*range(0, 60, 2))  # 30 journaled days, every other day
    assert p.current_streak == 30
    assert {m.key for m in p.milestones} >= {"streak_7", "streak_30"}
    assert next(m for m in p.milestones if m.key == "streak_30").reached_on == TODAY


def test_new_milestones_are_announced_once():
    day_one = compute_progress(ProgressFacts(entries=history(0)), TODAY)
    announced: set[str] = set()
    first = new_milestones(day_one, announced)
    assert [m.key for m in first] == ["first_entry"]
    announced |= {m.key for m in first}
    assert new_milestones(day_one, announced) == []
    week_later = compute_progress(
        ProgressFacts(entries=[EntryFact(TODAY + timedelta(days=d), 10, d == 6)
                               for d in range(7)]),
        TODAY + timedelta(days=6),
    )
    fresh = new_milestones(week_later, announced)
    assert sorted(m.key for m in fresh) == ["first_shared", "streak_7"]
    announced |= {m.key for m in fresh}
    assert new_milestones(week_later, announced) == []


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        ((), "Your journal is ready whenever you are"),
        ((0,), "You journaled today — a good start"),
        ((0, 20), "Welcome back — you journaled today"),
        ((0, 1, 2), "You journaled 3 of the last 7 days, today included — a streak of 3 days"),
        ((1, 2), "You journaled 2 of the last 7 days — a streak of 2 days, and today is still "
                 "open"),
        ((1,), "You journaled yesterday — today is still open whenever you're ready."),
        ((2, 3), "yesterday was a rest day, and that's fine"),
        ((4, 5), "quiet days are part of it"),
        ((30, 31), "Welcome back — you've made 2 entries so far"),
        ((30,), "you've made 1 entry so far"),
        ((0, 1, 2, 3, 4, 5, 6, 7), "You journaled every one of the last 7 days, today included "
                                   "— a streak of 8 days"),
    ],
)
def test_summary_is_warm_and_names_quiet_days_gently(days_ago, expected):
    sentence = summary_sentence(figures(*days_ago))
    assert expected in sentence
    assert not BLAME.search(sentence), sentence


def test_summary_celebrates_a_milestone_reached_today():
    sentence = summary_sentence(figures(*range(7)))
    assert sentence == ("Today you reached a milestone, a 7-day streak — a small victory worth "
                        "celebrating!")


@settings(max_examples=300, deadline=None)
@given(days=st.sets(st.integers(0, 60), max_size=40), shared=st.sets(st.integers(0, 60)),
       responses=st.sets(st.integers(0, 60), max_size=3))
def test_summary_is_one_sentence_that_never_scolds(days, shared, responses):
    entries = [EntryFact(TODAY - timedelta(days=d), 12, d in shared) for d in days]
    p = compute_progress(ProgressFacts(entries=entries,
                                       responses=[TODAY - timedelta(days=d) for d in responses]),
                         TODAY)
    sentence = summary_sentence(p)
    assert not BLAME.search(sentence), sentence
    assert sentence[-1] in ".!"
    assert not re.search(r"[.!?] [A-Z]", sentence), f"more than one sentence: {sentence}"
    assert 0 <= p.current_streak <= p.longest_streak <= len(days)


def test_no_sentence_in_the_wording_modules_blames():
    from confide.models import progress_text
    from confide.voice import station

    texts: list[str] = []
    for module in (progress_text, station):
        for name in dir(module):
            value = getattr(module, name)
            if name.isupper() and isinstance(value, str):
                texts.append(value)
            elif name.isupper() and isinstance(value, dict):
                texts.extend(v for v in value.values() if isinstance(v, str))
    assert len(texts) > 20
    for sentence in texts:
        assert not BLAME.search(sentence), sentence


def test_progress_as_dict_is_plain_json():
    import json

    p = figures(0, 1, 3)
    data = progress_as_dict(p)
    assert json.loads(json.dumps(data))["today"] == "2025-06-11"
    assert data["summary"] == summary_sentence(p)
    assert data["weeks"][-1]["week_start"] == "2025-06-09"


def _at(entry, when: datetime) -> None:
    entry.created_at = when


def test_progress_for_counts_only_what_the_person_may_see(session, cast):
    update_preferences(session, cast.alex, Preferences(timezone="Europe/Berlin"))
    now = datetime(2025, 6, 11, 10, tzinfo=UTC)
    mine_private = create_written_entry(session, cast.alex, "one two three")
    _at(mine_private, datetime(2025, 6, 10, 22, 30, tzinfo=UTC))  # 00:30 on the 11th in Berlin
    mine_shared = create_written_entry(session, cast.alex, "four five", journal="shared")
    _at(mine_shared, datetime(2025, 6, 9, 8, tzinfo=UTC))
    sams_shared = create_written_entry(session, cast.sam, "hello there you", journal="shared")
    _at(sams_shared, datetime(2025, 6, 8, 8, tzinfo=UTC))
    sams_private = create_written_entry(session, cast.sam, "secret words here now")
    _at(sams_private, datetime(2025, 6, 1, 8, tzinfo=UTC))
    olives = create_written_entry(session, cast.olive, "elsewhere entirely")
    _at(olives, datetime(2025, 6, 1, 8, tzinfo=UTC))
    assert sams_shared.id is not None
    assert mine_shared.id is not None
    reply = add_response(session, cast.alex, sams_shared.id, text="I heard you.")
    reply.created_at = datetime(2025, 6, 10, 8, tzinfo=UTC)
    add_response(session, cast.alex, mine_shared.id, text="A note to myself.")
    ours = create_goal(session, cast.alex, "No phones at dinner")
    theirs = create_goal(session, cast.olive, "Their goal")
    assert ours.id is not None
    assert theirs.id is not None
    for day, who in ((7, cast.alex), (8, cast.sam), (9, cast.alex)):
        checkin = add_checkin(session, who, ours.id, 4)
        checkin.created_at = datetime(2025, 6, day, 18, tzinfo=UTC)
    add_checkin(session, cast.olive, theirs.id, 5).created_at = datetime(2025, 6, 9, tzinfo=UTC)
    session.flush()

    p = progress_for(session, cast.alex, now)
    assert p.today == date(2025, 6, 11)
    assert (p.total_entries, p.total_words) == (2, 5)
    assert (p.shared_count, p.private_count) == (1, 1)
    assert p.journaled_today  # the late-night entry is today in Berlin
    assert [g.title for g in p.goals] == ["No phones at dinner"]
    assert [pt.by_me for pt in p.goals[0].points] == [True, False, True]
    reached = {m.key: m.reached_on for m in p.milestones}
    assert reached["first_response"] == date(2025, 6, 10)
    assert reached["first_shared"] == date(2025, 6, 9)
    assert reached[f"goal_rated_high_{ours.id}"] == date(2025, 6, 9)

    sams = progress_for(session, cast.sam, now)
    assert (sams.total_entries, sams.shared_count, sams.private_count) == (2, 1, 1)
    assert "first_response" not in {m.key for m in sams.milestones}
