"""The dialog around the reply, as events: the partner's news, answering the partner, questions
not answered or stopped, the greeting by the hour, and events that arrive out of turn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from confide.voice.dialog import At, State, step
from confide.voice.dialog_events import (
    File,
    Heard,
    MarkNewsSeen,
    MarkRead,
    Play,
    Record,
    Saved,
    Say,
)
from confide.voice.phrases import P, render
from tests.unit.dialog_talk import (
    ALONE,
    CLOSE,
    NEWS,
    PAIRED,
    PROMPT,
    WITH_NEWS,
    converse,
)

pytestmark = pytest.mark.unit


def test_no_news_goes_straight_to_the_prompt():
    talk = converse([None], PAIRED)
    assert talk.steps[0][:1] == [Say(P.GREETING_EVENING, {"name": "Alex"})]
    assert talk.of(MarkNewsSeen) == [] and talk.of(Play) == []


def test_locked_news_is_named_but_not_played_nor_marked_seen():
    talk = converse([None], replace(WITH_NEWS, unlocked=False))
    assert talk.say(P.LOCKED_NEWS).params == {"partner": "Sam", "count": "one reflection"}
    assert talk.of(Play) == [] and talk.of(MarkNewsSeen) == []


@pytest.mark.parametrize(("answer", "played"), [("Yes please.", True), ("No.", False),
                                                (None, False)])
def test_news_is_offered_then_played_and_marked(answer, played):
    talk = converse([answer, "No.", None] if played else [answer, None], WITH_NEWS)
    assert talk.say(P.NEWS_OFFER_ONE).params == {"partner": "Sam", "since": ""}
    assert talk.of(Play) == ([Play(11)] if played else [])
    assert talk.of(MarkRead) == ([MarkRead(11)] if played else [])
    assert talk.of(MarkNewsSeen) == [MarkNewsSeen()]
    if played:
        assert talk.said[2:5] == [P.PLAYING, P.PLAYING_PROMPT, P.ANSWER_OFFER]


def test_several_news_say_how_many_and_since_when_and_play_each():
    began = replace(PAIRED, news=NEWS, news_since="Sunday")
    talk = converse(["Yes", "No", "No", None], began)
    assert talk.say(P.NEWS_OFFER_MANY).params == {"partner": "Sam", "since": " since Sunday",
                                                  "count": "two reflections"}
    assert talk.of(Play) == [Play(11), Play(12)]
    assert talk.said.count(P.PLAYING_PROMPT) == 1  # the second was not answering a prompt


def test_answering_the_partner_records_into_the_shared_journal():
    talk = converse(["Yes", "Yes", "I heard that you felt close to me.", None], WITH_NEWS)
    assert P.ACTIVE_LISTENING in talk.said
    answer = talk.of(Record)[0]
    assert isinstance(answer, Record)
    assert (answer.journal, answer.answer_to) == ("shared", 11)
    assert talk.said.index(P.RESPONSE_SAVED) < talk.said.index(P.PROMPT_INTRO)


def test_a_command_instead_of_an_answer_to_the_partner_goes_on():
    talk = converse(["Yes", "Yes", "Stop", None], WITH_NEWS)
    assert talk.of(File) == [] and P.PROMPT_INTRO in talk.said


@pytest.mark.parametrize("lines", [["Stop"], ["We're done"], ["Goodbye"]])
def test_stop_at_a_question_ends_kindly(lines):
    talk = converse(lines, WITH_NEWS)
    assert talk.effects[-3:] == CLOSE and talk.of(Record) == []


def test_a_question_not_answered_three_times_counts_as_no_answer():
    talk = converse(["banana", "banana", "banana", None], WITH_NEWS)
    assert talk.said.count(P.YES_NO) == 3
    assert talk.of(Play) == [] and talk.of(MarkNewsSeen) == [MarkNewsSeen()]


def test_help_and_pause_at_a_question_then_it_is_answered():
    talk = converse(["Help", "Pause", "Resume", "Yes", "No", None], WITH_NEWS)
    assert talk.said[:4] == [P.GREETING_EVENING, P.NEWS_OFFER_ONE, P.HELP, P.PAUSED]
    assert talk.of(Play) == [Play(11)]


def test_repeat_with_nothing_said_yet_says_help():
    _state, effects = step(replace(State(), at=At.NEWS_OFFER), Heard("Repeat"))
    assert effects[0] == Say(P.HELP)


@pytest.mark.parametrize(("hour", "greeting"), [
    (8, P.GREETING_MORNING), (4, P.GREETING_MORNING), (14, P.GREETING_AFTERNOON),
    (17, P.GREETING_EVENING), (23, P.GREETING_EVENING), (2, P.GREETING_EVENING),
])
def test_greeting_by_the_persons_hour(hour, greeting):
    talk = converse([None], replace(ALONE, local_hour=hour))
    assert talk.steps[0][0] == Say(greeting, {"name": "Alex"})


def test_at_half_past_five_the_greeting_and_the_reminder_agree():
    """One part-of-day rule: not "Good afternoon" and then "tonight's reflection"."""
    from datetime import time

    from confide.voice.station import prompt_sentence

    talk = converse([None], replace(ALONE, local_hour=17))
    assert talk.steps[0][0] == Say(P.GREETING_EVENING, {"name": "Alex"})
    assert render(P.GREETING_EVENING, {"name": "Alex"}) == "Good evening, Alex."
    assert "tonight's reflection" in prompt_sentence("reflection", time(17, 30))
    assert "this afternoon's" in prompt_sentence("reflection", time(16, 59))


def test_events_out_of_turn_change_nothing():
    state = replace(State(), at=At.AFTER_SAVE, saved=Saved(5, 3, "a b c"))
    assert step(state, PROMPT) == (state, [])
    ended = replace(State(), at=At.ENDED)
    assert step(ended, Heard("Yes")) == (ended, [])
