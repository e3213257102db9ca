"""Mutual goals: set together, seen by both partners only, checked in on with 1–5 ratings."""

from __future__ import annotations

import numpy as np
import pytest

from confide.models.accounts import register
from confide.models.errors import Conflict, InvalidInput, NotFound
from confide.models.goals import (
    add_checkin,
    create_goal,
    get_goal,
    list_checkins,
    list_goals,
    update_goal,
)

pytestmark = pytest.mark.unit


def test_a_goal_is_shared_by_both_partners(session, cast):
    goal = create_goal(session, cast.alex, "  No phones   at dinner ", "We talk more.")
    assert goal.title == "No phones at dinner"
    assert goal.status == "active"
    assert [g.id for g in list_goals(session, cast.sam)] == [goal.id]
    assert goal.id is not None
    renamed = update_goal(session, cast.sam, goal.id, title="No phones at meals")
    assert get_goal(session, cast.alex, goal.id).title == renamed.title


def test_an_outsider_cannot_see_or_touch_a_couples_goal(session, cast):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    assert list_goals(session, cast.olive) == []
    for action in (
        lambda: get_goal(session, cast.olive, goal.id),
        lambda: update_goal(session, cast.olive, goal.id, status="done"),
        lambda: add_checkin(session, cast.olive, goal.id, 5),
        lambda: list_checkins(session, cast.olive, goal.id),
    ):
        with pytest.raises(NotFound, match="not found"):
            action()
    assert get_goal(session, cast.alex, goal.id).status == "active"
    with pytest.raises(NotFound):
        get_goal(session, cast.alex, 987_654)


def test_someone_unpaired_has_no_goals_and_cannot_set_one(session):
    solo = register(session, "Robin")
    assert list_goals(session, solo) == []
    with pytest.raises(Conflict, match="Pair"):
        create_goal(session, solo, "Alone")


@pytest.mark.parametrize(("title", "why"), [("", ""), ("   ", ""), ("x" * 201, ""),
                                            ("ok", "y" * 1001)])
def test_bad_goal_text_is_refused(session, cast, title, why):
    with pytest.raises(InvalidInput):
        create_goal(session, cast.alex, title, why)
    assert list_goals(session, cast.alex) == []


def test_status_must_be_known_and_nothing_changes_on_error(session, cast):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    with pytest.raises(InvalidInput, match="status"):
        update_goal(session, cast.alex, goal.id, title="Changed", status="abandoned")
    assert goal.title == "Weekly walk"
    for status in ("paused", "done", "active"):
        assert update_goal(session, cast.alex, goal.id, status=status).status == status


@pytest.mark.parametrize("rating", [0, 6, -1, True, 2.5])
def test_rating_outside_one_to_five_is_refused(session, cast, rating):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    with pytest.raises(InvalidInput, match="1 to 5"):
        add_checkin(session, cast.alex, goal.id, rating)
    assert list_checkins(session, cast.alex, goal.id) == []


def test_checkins_from_both_partners_in_order(session, cast):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    add_checkin(session, cast.alex, goal.id, 3, "  Hard week.  ")
    add_checkin(session, cast.sam, goal.id, 5)
    found = list_checkins(session, cast.alex, goal.id)
    assert [(c.person_id, c.rating, c.reflection) for c in found] == [
        (cast.alex.id, 3, "Hard week."), (cast.sam.id, 5, "")]


def test_a_spoken_checkin_keeps_its_recording(session, cast, store):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    tone = (0.1 * np.sin(np.linspace(0, 200, 16_000))).astype(np.float32)
    checkin = add_checkin(session, cast.alex, goal.id, 4, "We walked twice.",
                          audio=(tone, 16_000), store=store)
    assert checkin.audio_path is not None
    assert store.exists(checkin.audio_path)
    with pytest.raises(InvalidInput):
        add_checkin(session, cast.alex, goal.id, 4, audio=(tone, 16_000))  # nowhere to keep it


def test_a_refused_checkin_leaves_no_recording_behind(session, cast, store):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    tone = np.ones(1600, dtype=np.float32) * 0.1
    with pytest.raises(InvalidInput):
        add_checkin(session, cast.alex, goal.id, 9, audio=(tone, 16_000), store=store)
    assert not list(store.root.rglob("*.sealed"))


def test_a_done_goal_takes_no_more_checkins(session, cast):
    goal = create_goal(session, cast.alex, "Weekly walk")
    assert goal.id is not None
    update_goal(session, cast.alex, goal.id, status="done")
    with pytest.raises(Conflict, match="reopen"):
        add_checkin(session, cast.sam, goal.id, 4)
