"""Every path of a voice session as events into the pure dialog: what the person says in
turn, and what Confide says and does. No database, no audio; each runs in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from voice.dialog import At, State, step
from voice.dialog_events import (
    AWAITING,
    Began,
    CheckIn,
    ChoosePrompt,
    Delete,
    Discard,
    Effect,
    End,
    Event,
    File,
    FollowUp,
    GoalItem,
    Heard,
    Listen,
    ListenMode,
    MarkNewsSeen,
    MarkRead,
    NewsItem,
    Play,
    PromptChosen,
    Record,
    ReplyRecorded,
    Saved,
    Say,
    SayNotices,
    SayProgress,
    SayText,
    SetPauseAllowance,
    SetVoice,
    Share,
    Shared,
    Timeout,
    VoiceSettings,
)
from voice.phrases import P, render

pytestmark = pytest.mark.unit

FOLLOW = FollowUp("deeper-why", "Why did it matter?", "Why did it matter?")
PROMPT = PromptChosen("self-proud-small", "What are you proud of?", "What are you proud of?",
                      FOLLOW)
PLAIN_PROMPT = replace(PROMPT, follow_up=None)
ALONE = Began(name="Alex", crisis_line="the test crisis line")
PAIRED = replace(ALONE, partner="Sam")
NEWS = (NewsItem(11, "Monday", "What made you feel close?"), NewsItem(12, "Tuesday"))
WITH_NEWS = replace(PAIRED, news=NEWS[:1])
GOAL = GoalItem(7, "No phones at dinner")
WITH_GOAL = replace(ALONE, goals=(GOAL,))

Line = str | None
"""What the person says at the next listening point or recording; None is silence."""


@dataclass
class Talk:
    state: State
    effects: list[Effect] = field(default_factory=list)
    steps: list[list[Effect]] = field(default_factory=list)

    @property
    def said(self) -> list[P | str]:
        """Keys of the voice's sentences, and the free text said (prompts, read-back)."""
        return [e.key if isinstance(e, Say) else e.text for e in self.effects
                if isinstance(e, Say | SayText)]

    def of(self, kind: type) -> list[Effect]:
        return [e for e in self.effects if isinstance(e, kind)]

    def say(self, key: P) -> Say:
        return next(e for e in self.effects if isinstance(e, Say) and e.key is key)


def converse(lines: list[Line], began: Began = ALONE, *, prompts: list[PromptChosen] | None = None,
             partner_on_share: str | None = "Sam") -> Talk:
    """Run the dialog to its end, answering each effect that waits as the journal would."""
    script = list(lines)
    chosen = list(prompts or [PROMPT])
    talk = Talk(State())
    event: Event | None = began
    next_id = 100
    while event is not None:
        talk.state, effects = step(talk.state, event)
        talk.steps.append(effects)
        talk.effects += effects
        waiting = [e for e in effects if isinstance(e, AWAITING)]
        assert len(waiting) <= 1 and (not waiting or effects[-1] is waiting[0]), effects
        assert effects, f"nothing to do at {talk.state.at} after {event}"
        last = effects[-1]
        event = None
        if isinstance(last, Listen):
            line = script.pop(0) if script else None
            event = Heard(line) if line else Timeout()
        elif isinstance(last, Record):
            line = script.pop(0) if script else None
            event = ReplyRecorded(line or "", no_speech=not line)
        elif isinstance(last, File):
            next_id += 1
            event = Saved(next_id, len(last.text.split()), last.text)
        elif isinstance(last, ChoosePrompt):
            event = chosen.pop(0) if len(chosen) > 1 else chosen[0]
        elif isinstance(last, Share):
            event = Shared(partner_on_share)
        else:
            assert isinstance(last, End), f"stuck at {talk.state.at} after {effects}"
    assert talk.state.at is At.ENDED
    assert not script, f"lines never heard: {script}"
    return talk


CLOSE = [SayProgress(), Say(P.GOODBYE, remember=False), End()]


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
    (VoiceSettings(80, 1.0), "Slower", 80, 1.0, P.LIMIT),
    (VoiceSettings(400, 1.0), "Faster", 400, 1.0, P.LIMIT),
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

    from voice.station import prompt_sentence

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
