"""The station's side of the conversation as pure functions: what a reminder says, what the
answer was, and what follows (a session, a snooze, a kind word, a notification)."""

from __future__ import annotations

from datetime import time

import pytest

from confide.voice.dialog_events import Notify, RunSession, Say, Snooze
from confide.voice.dialog_station import announce, answer_of, lead_kind, on_answer, snoozed
from confide.voice.phrases import P

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("said", "answer"), [
    ("Yes.", "yes"), ("Yes please", "yes"), ("Sure", "yes"), ("okay", "yes"),
    ("Later", "later"), ("Remind me later", "later"), ("snooze", "later"),
    ("No.", "no"), ("No thanks", "no"),
    ("", None), ("What a day it has been", None),
])
def test_answer_of(said, answer):
    assert answer_of(said) == answer


@pytest.mark.parametrize(("answer", "effects"), [
    ("yes", [RunSession()]),
    ("later", [Snooze()]),
    ("no", [Say(P.STATION_DECLINED)]),
    (None, [Notify(P.NOTIFY_REFLECTION, P.NOTIFY_BODY)]),
])
def test_what_follows_an_answer(answer, effects):
    assert on_answer("reflection", answer) == effects


@pytest.mark.parametrize(("kind", "title"), [
    ("goal_checkin", P.NOTIFY_GOAL_CHECKIN), ("partner_shared", P.NOTIFY_PARTNER_SHARED),
    ("something new", P.NOTIFY_REFLECTION)])
def test_silence_notifies_with_the_reminders_own_title(kind, title):
    assert on_answer(kind, None) == [Notify(title, P.NOTIFY_BODY)]


@pytest.mark.parametrize(("kinds", "news", "lead"), [
    (["reflection"], 0, "reflection"),
    (["partner_shared"], 0, None),  # nothing new: stays quiet
    (["partner_shared"], 2, "partner_shared"),
    (["partner_shared", "goal_checkin", "reflection"], 1, "reflection"),
    (["partner_shared", "goal_checkin"], 0, "goal_checkin"),
])
def test_which_reminder_leads(kinds, news, lead):
    assert lead_kind(kinds, news) == lead


def test_news_comes_first_unless_the_reminder_is_about_news():
    said = announce(["reflection"], time(20, 0), partner="Sam", news_count=1)
    assert [s.key for s in said] == [P.STATION_NEWS_ONE, P.STATION_REFLECTION]
    assert said[1].params["part"] == P.STATION_PART_EVENING
    about_news = announce(["partner_shared"], time(20, 30), partner=None, news_count=3)
    assert [s.key for s in about_news] == [P.STATION_PARTNER_SHARED]
    assert about_news[0].params["news"] == "Your partner shared 3 new things with you."
    assert announce(["partner_shared"], time(20, 30), partner="Sam", news_count=0) == []


@pytest.mark.parametrize(("at", "part"), [
    (time(7, 45), P.STATION_PART_MORNING), (time(12, 0), P.STATION_PART_AFTERNOON),
    (time(16, 59), P.STATION_PART_AFTERNOON), (time(17, 30), P.STATION_PART_EVENING),
    (time(2, 0), P.STATION_PART_EVENING)])
def test_part_of_day_of_a_reminder(at, part):
    (said,) = announce(["reflection"], at, partner=None, news_count=0)
    assert said.params["part"] == part


def test_snoozed_names_the_new_time():
    assert snoozed(time(20, 15)) == Say(P.STATION_SNOOZED, {"time": "quarter past eight"})


def test_no_station_sentence_blames():
    from tests.unit.test_progress import BLAME

    station = [p for p in P if p.name.startswith(("STATION_", "NOTIFY_"))]
    assert len(station) >= 15
    for sentence in station:
        assert not BLAME.search(sentence), sentence
