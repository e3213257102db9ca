"""Every path of a voice session as events into the pure dialog: what the person says in
turn, and what Confide says and does. No database, no audio; each runs in milliseconds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from confide.voice.dialog import At, State, step
from confide.voice.dialog_events import (
    CheckIn,
    ChoosePrompt,
    Delete,
    Discard,
    File,
    Heard,
    Listen,
    ListenMode,
    Record,
    Saved,
    Say,
    SayNotices,
    SetPauseAllowance,
    SetVoice,
    Share,
    VoiceSettings,
)
from confide.voice.dialog_states import MAX_RATE, MIN_RATE
from confide.voice.phrases import P, render
from tests.unit.dialog_talk import (
    ALONE,
    CLOSE,
    FOLLOW,
    PLAIN_PROMPT,
    PROMPT,
    WITH_GOAL,
    converse,
)

pytestmark = pytest.mark.unit


def test_a_reply_is_filed_without_its_closing_phrase_kept_private_and_closed():
    talk = converse(["I kept my promise tonight. That's it, I'm done.", "Keep it private",
                     "No thanks"])
    assert talk.said[:3] == [P.GREETING_EVENING, P.PROMPT_INTRO, PROMPT.spoken]
    assert talk.of(File) == [File("I kept my promise tonight.")]
    assert talk.say(P.SAVED_PRIVATE).params == {"words": "5 words"}
    assert talk.said[-4:] == [P.AFTER_SAVE, P.KEPT_PRIVATE, P.FOLLOW_UP_OFFER, P.GOODBYE]
    assert talk.effects[-3:] == CLOSE
    assert talk.of(SayNotices) == [SayNotices()]


def test_the_first_record_has_the_persons_pause_allowance():
    slow = replace(ALONE, voice=VoiceSettings(pause_allowance_s=5.0))
    talk = converse([None], slow)
    (record,) = talk.of(Record)
    assert record == Record(journal="private", prompt_id=PROMPT.prompt_id,
                            prompt_text=PROMPT.text, pause_allowance_s=5.0)


@pytest.mark.parametrize(("reply", "said_no_speech"), [
    (None, True),  # silence: nothing saved, and it says so
    ("I'm done.", False),  # only the closing phrase: ends kindly, saves nothing
    ("Stop", False),
])
def test_nothing_said_or_stop_at_the_prompt_saves_nothing(reply, said_no_speech):
    talk = converse([reply])
    assert talk.of(File) == [] and talk.of(Discard) == [Discard()]
    assert (P.NO_SPEECH in talk.said) is said_no_speech
    assert talk.effects[-3:] == CLOSE


def test_skip_asks_for_another_prompt_excluding_this_one():
    other = replace(PLAIN_PROMPT, prompt_id="other", spoken="Another question?")
    talk = converse(["Skip", "A reply of some length here.", "Next"], prompts=[PROMPT, other])
    assert talk.of(ChoosePrompt) == [ChoosePrompt(()), ChoosePrompt(("self-proud-small",))]
    assert "Another question?" in talk.said


@pytest.mark.parametrize(("command", "said"), [
    ("Repeat that", PROMPT.spoken),  # the prompt again (the intro is not remembered)
    ("Help", P.HELP),
    ("Give me more time", P.MORE_TIME),
])
def test_a_command_instead_of_a_reply_is_handled_and_the_prompt_asked_again(command, said):
    talk = converse([command, None])
    assert talk.of(Discard) == [Discard(), Discard()]
    assert len(talk.of(ChoosePrompt)) == 2
    assert talk.said.count(P.PROMPT_INTRO) == 2
    assert said in talk.said[3:]


def test_more_time_doubles_the_pause_allowance_and_keeps_it():
    talk = converse(["Give me more time", "Give me more time", None])
    assert talk.of(SetPauseAllowance) == [SetPauseAllowance(6.0), SetPauseAllowance(12.0)]
    assert [r.pause_allowance_s for r in talk.of(Record)] == [3.0, 6.0, 12.0]


def test_pause_at_the_prompt_waits_for_resume_then_asks_again():
    talk = converse(["Pause", None, "Something else", "Resume", "Stop"])
    listens = [e for e in talk.effects if isinstance(e, Listen)]
    assert listens == [Listen(ListenMode.RESUME, timeout_s=300.0)] * 3
    assert talk.said[talk.said.index(P.PAUSED) + 1] == P.RESUMED
    assert len(talk.of(ChoosePrompt)) == 2


def test_stop_while_paused_ends_the_session():
    talk = converse(["Pause", "I'm done"])
    assert talk.effects[-3:] == CLOSE


@pytest.mark.parametrize(("answer", "deleted"), [("Yes.", True), ("No.", False), (None, False)])
def test_delete_that_asks_first(answer, deleted):
    talk = converse(["Something I would rather not keep.", "Delete that.", answer])
    assert P.CONFIRM_DELETE in talk.said
    assert talk.of(Delete) == ([Delete(101)] if deleted else [])
    assert (P.DELETED if deleted else P.NOT_DELETED) in talk.said
    assert P.FOLLOW_UP_OFFER in talk.said  # then on to the follow-up offer


@pytest.mark.parametrize(("partner", "said", "params"), [
    ("Sam", P.SHARED, {"partner": "Sam"}),
    (None, P.NO_PARTNER, {}),
])
def test_share_it(partner, said, params):
    talk = converse(["Dinner without phones felt good.", "Share it with Sam.", "No."],
                    partner_on_share=partner)
    assert talk.of(Share) == [Share(101)]
    assert talk.say(said).params == params


@pytest.mark.parametrize(("reply", "read"), [
    ("Dinner without phones felt good.", "Dinner without phones felt good."),
])
def test_read_it_back_says_the_reply_then_offers_again(reply, read):
    talk = converse([reply, "Read it back.", "Next", None])
    i = talk.said.index(read, 3)
    assert talk.said[i - 1] == P.AFTER_SAVE and talk.said[i + 1] == P.AFTER_SAVE


def test_read_back_of_a_reply_without_words_says_so():
    state = replace(State(), at=At.AFTER_SAVE, saved=Saved(5, 0, ""))
    _state, effects = step(state, Heard("Read it back"))
    assert effects[0] == Say(P.READ_BACK_EMPTY)


def test_after_four_things_not_understood_it_goes_on():
    talk = converse(["A reply of some length here.", "banana", "banana", "banana", "banana",
                     None])
    assert talk.said.count(P.NOT_UNDERSTOOD) == 4
    assert talk.said.count(P.AFTER_SAVE) == 5
    assert P.FOLLOW_UP_OFFER in talk.said


@pytest.mark.parametrize(("voice", "command", "rate", "volume", "said"), [
    (VoiceSettings(165, 1.0), "Slower please", 140, 1.0, P.SLOWER),
    (VoiceSettings(165, 1.0), "Faster", 190, 1.0, P.FASTER),
    (VoiceSettings(165, 0.6), "Louder", 165, 0.8, P.LOUDER),
    (VoiceSettings(165, 1.0), "Quieter", 165, 0.8, P.QUIETER),
    (VoiceSettings(MIN_RATE, 1.0), "Slower", MIN_RATE, 1.0, P.LIMIT),
    (VoiceSettings(MAX_RATE, 1.0), "Faster", MAX_RATE, 1.0, P.LIMIT),
    (VoiceSettings(165, 1.0), "Louder", 165, 1.0, P.LIMIT),
    (VoiceSettings(165, 0.2), "Quieter", 165, 0.2, P.LIMIT),
])
def test_voice_changes_are_confirmed_kept_and_bounded(voice, command, rate, volume, said):
    talk = converse(["Today was fine, thank you.", command, "Keep it private", None],
                    replace(ALONE, voice=voice))
    assert talk.of(SetVoice) == [SetVoice(rate, volume)]
    assert said in talk.said
    assert talk.state.voice.rate == rate and talk.state.voice.volume == volume


def test_repeat_says_the_last_question_again():
    talk = converse(["A reply of some length here.", "Repeat", "Keep it private", None])
    assert talk.said.count(P.AFTER_SAVE) == 3  # asked, repeated, asked again


def test_feeling_unsafe_at_a_listening_point_offers_the_crisis_line_and_pauses():
    talk = converse(["A reply of some length here.", "I don't feel safe at home", "Resume",
                     "Keep it private", None])
    safety = talk.say(P.SAFETY)
    assert safety.params == {"crisis_line": "the test crisis line"}
    assert "the test crisis line" in render(safety.key, dict(safety.params))
    assert talk.said.index(P.RESUMED) > talk.said.index(P.SAFETY)
    assert P.KEPT_PRIVATE in talk.said


def test_a_reply_in_crisis_is_saved_then_the_crisis_line_offered():
    talk = converse(["I don't feel safe at home right now.", "Resume", "Stop"])
    assert talk.of(File) == [File("I don't feel safe at home right now.")]
    assert talk.said.index(P.SAFETY) < talk.said.index(P.RESUMED) < talk.said.index(
        P.SAVED_PRIVATE)


def test_the_follow_up_is_recorded_once_and_offered_once():
    talk = converse(["Proud of keeping calm at dinner.", "Next", "Yes",
                     "Because it showed I can.", "Keep it private"])
    records = talk.of(Record)
    assert [r.prompt_id for r in records] == ["self-proud-small", "deeper-why"]
    assert FOLLOW.spoken in talk.said
    assert talk.said.count(P.FOLLOW_UP_OFFER) == 1
    assert len(talk.of(File)) == 2


def test_no_follow_up_offer_when_the_prompt_has_none():
    talk = converse(["A reply of some length here.", "Next"], prompts=[PLAIN_PROMPT])
    assert P.FOLLOW_UP_OFFER not in talk.said


@pytest.mark.parametrize(("lines", "note"), [
    (["Four.", "No."], ""),
    (["Four.", "Yes.", "We managed most nights."], "We managed most nights."),
    (["Four.", None, "We managed."], "We managed."),  # silence to "anything to add" listens
])
def test_goal_check_in_rating_and_note(lines, note):
    talk = converse([None, *lines], WITH_GOAL)
    assert talk.say(P.GOAL_CHECKIN).params == {"goal": "No phones at dinner"}
    assert talk.of(CheckIn) == [CheckIn(7, 4, note)]
    assert talk.say(P.GOAL_SAVED).params == {"rating": "four"}
    assert talk.effects[-3:] == CLOSE


@pytest.mark.parametrize("lines", [["Skip"], ["No"], [None], ["banana", "banana", "banana"]])
def test_goal_check_in_skipped_or_not_understood_saves_nothing(lines):
    talk = converse([None, *lines], WITH_GOAL)
    assert talk.of(CheckIn) == []
    assert talk.said.count(P.RATING_AGAIN) == lines.count("banana")
