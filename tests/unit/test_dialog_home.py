"""The spoken home and looking back as events into the pure dialog (voice.dialog_home):
what the person says in turn, and what Confide says and does. No database, no audio."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from confide.voice.dialog import At, State, step
from confide.voice.dialog_events import (
    AWAITING,
    AddGoal,
    AddReminder,
    Began,
    CheckIn,
    ChoosePrompt,
    Delete,
    Done,
    Effect,
    End,
    Event,
    File,
    FoundItem,
    GoalItem,
    Heard,
    Listen,
    ListenMode,
    Looked,
    LookUp,
    NewsItem,
    Play,
    PromptChosen,
    ReadEntry,
    Record,
    ReplyRecorded,
    Saved,
    Say,
    SayGoals,
    SayNotices,
    SayProgress,
    SayReminders,
    SayText,
    SetVoice,
    SetVoiceName,
    Share,
    Shared,
    Timeout,
)
from confide.voice.phrases import P

pytestmark = pytest.mark.unit

PROMPT = PromptChosen("self-proud-small", "What are you proud of?", "What are you proud of?")
HOME = Began(name="Alex", partner="Sam", home=True, crisis_line="the test crisis line")
LOCKED = replace(HOME, unlocked=False)
GOAL = GoalItem(7, "No phones at dinner")
FOUND = (FoundItem(31, "Tuesday", None, 12, True), FoundItem(32, "Monday", "Sam", 8, True),
         FoundItem(33, "March 3", None, 20, False))

Line = str | None


@dataclass
class Talk:
    state: State
    effects: list[Effect] = field(default_factory=list)

    @property
    def said(self) -> list[P | str]:
        return [e.key if isinstance(e, Say) else e.text for e in self.effects
                if isinstance(e, Say | SayText)]

    def of(self, kind: type) -> list[Effect]:
        return [e for e in self.effects if isinstance(e, kind)]

    def say(self, key: P) -> Say:
        return next(e for e in self.effects if isinstance(e, Say) and e.key is key)


def converse(lines: list[Line], began: Began = HOME, *,
             found: tuple[FoundItem, ...] = FOUND, done: Done = Done(True)) -> Talk:
    """Run the dialog to its end, answering each effect that waits as the journal would."""
    script = list(lines)
    talk = Talk(State())
    event: Event | None = began
    next_id = 100
    while event is not None:
        talk.state, effects = step(talk.state, event)
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
            event = PROMPT
        elif isinstance(last, Share):
            event = Shared("Sam")
        elif isinstance(last, LookUp):
            event = Looked(found[:1] if last.latest else found)
        elif isinstance(last, AddGoal | AddReminder):
            event = done
        else:
            assert isinstance(last, End), f"stuck at {talk.state.at} after {effects}"
    assert talk.state.at is At.ENDED
    assert not script, f"lines never heard: {script}"
    return talk


def test_the_home_is_asked_after_the_greeting_and_silence_starts_tonights_reflection():
    talk = converse([None, "I felt proud of us tonight.", "next"])
    assert talk.said[:3] == [P.GREETING_EVENING, P.HOME, P.PROMPT_INTRO]
    assert talk.say(P.HOME).params == {"partner": "Sam"}
    assert talk.of(SayNotices) == [SayNotices()]
    assert talk.of(ChoosePrompt) == [ChoosePrompt(())]
    assert talk.of(File) == [File("I felt proud of us tonight.")]
    assert P.HOME_AGAIN in talk.said  # the guided session over, the home again


@pytest.mark.parametrize("line", ["just start", "Let's reflect.", "um, start my session"])
def test_just_start_is_tonights_guided_session(line):
    talk = converse([line, None, None])
    assert talk.of(ChoosePrompt) == [ChoosePrompt(())]


def test_help_at_the_home_lists_what_can_be_said_there():
    talk = converse(["help", "I'm done"])
    assert P.HELP_HOME in talk.said and P.HELP not in talk.said


def test_a_prompt_by_theme_asks_the_library_for_that_theme():
    talk = converse(["give me a prompt about trust", None, None])
    assert talk.of(ChoosePrompt) == [ChoosePrompt((), theme="trust-reflection")]


def test_read_my_last_entry_reads_the_newest_at_once():
    talk = converse(["read my last entry", "go home", "I'm done"])
    assert talk.of(LookUp) == [LookUp(who="me", latest=True)]
    assert talk.of(ReadEntry) == [ReadEntry(31)]
    assert talk.say(P.ENTRY_INTRO).params == {"author": "Your", "when": "Tuesday"}
    assert P.AFTER_MINE in talk.said


def test_a_look_back_is_read_as_a_short_list_then_moved_through():
    talk = converse(["what did Sam share this week", "play the second one", "next",
                     "previous", "play Sam's own voice", "I'm done"])
    assert talk.of(LookUp) == [LookUp(who="partner", when="this week")]
    listed = talk.say(P.FOUND_MANY).params
    assert listed["count"] == "Three entries"
    assert listed["items"] == ("Tuesday, yours, twelve words; Monday, by Sam, eight words; "
                               "March 3, yours, 20 words")
    assert talk.of(ReadEntry) == [ReadEntry(32), ReadEntry(33), ReadEntry(32),
                                  ReadEntry(32, recording=True)]
    assert P.AFTER_PARTNERS in talk.said


def test_next_past_the_end_and_previous_before_the_start_say_so():
    talk = converse(["look back", "previous", "the last one", "next", "I'm done"])
    assert P.LIST_START not in talk.said  # nothing at hand yet: choose one first
    assert P.LIST_CHOOSE in talk.said and P.LIST_END in talk.said
    assert talk.of(ReadEntry) == [ReadEntry(33)]


def test_find_what_i_said_about_a_word_searches():
    talk = converse(["find what I said about trust", "I'm done"])
    assert talk.of(LookUp) == [LookUp(who="me", about="trust")]


def test_nothing_found_says_so_and_goes_home():
    talk = converse(["what did I say about dinner", "I'm done"], found=())
    assert talk.said[-3:-1] == [P.FOUND_NONE, P.HOME_AGAIN]


def test_a_locked_journal_is_never_looked_into():
    talk = converse(["read my last entry", "I'm done"], LOCKED)
    assert talk.of(LookUp) == [] and talk.of(ReadEntry) == []
    assert P.JOURNAL_LOCKED in talk.said


def test_answer_it_records_an_answer_to_the_partners_entry():
    talk = converse(["look back", "play the second one", "answer it", "I heard you.",
                     "I'm done"])
    (record,) = talk.of(Record)
    assert record.answer_to == 32 and record.journal == "shared"
    assert P.RESPONSE_SAVED in talk.said


def test_share_it_shares_ones_own_entry_and_never_the_partners():
    talk = converse(["look back", "play the first one", "share it", "play the second one",
                     "share it", "delete it", "I'm done"])
    assert talk.of(Share) == [Share(31)]
    assert talk.said.count(P.NOT_YOURS) == 2
    assert talk.of(Delete) == []


@pytest.mark.parametrize(("answer", "deleted"), [("yes", True), ("no", False), (None, False)])
def test_delete_it_is_asked_first(answer, deleted):
    talk = converse(["look back", "the first one", "delete it", answer, "I'm done"])
    assert P.CONFIRM_DELETE_ENTRY in talk.said
    assert talk.of(Delete) == ([Delete(31)] if deleted else [])


def test_hear_sams_reflections_from_the_home_plays_the_news():
    news = replace(HOME, news=(NewsItem(11, "Monday"),))
    talk = converse(["no", "hear Sam's reflections", "no", "I'm done"], news)
    assert talk.of(Play) == [Play(11)]


def test_no_news_says_so():
    talk = converse(["hear Sam's reflections", "I'm done"])
    assert P.NO_NEWS in talk.said


@pytest.mark.parametrize(("line", "effect"), [
    ("how am I doing", SayProgress()), ("what are my goals", SayGoals()),
    ("what are my reminders", SayReminders()),
])
def test_progress_goals_and_reminders_are_said(line, effect):
    talk = converse([line, "I'm done"])
    assert effect in talk.effects


def test_a_goal_is_added_only_after_yes():
    talk = converse(["add a goal no phones at dinner", "yes", "I'm done"])
    assert talk.say(P.CONFIRM_GOAL).params == {"title": "no phones at dinner"}
    assert talk.of(AddGoal) == [AddGoal("no phones at dinner")]
    assert P.GOAL_ADDED in talk.said
    assert converse(["add a goal no phones at dinner", "no", "I'm done"]).of(AddGoal) == []


def test_a_reminder_is_read_back_and_added_only_after_yes():
    talk = converse(["remind me every Monday and Thursday at eight pm", "yes", "I'm done"])
    assert talk.say(P.CONFIRM_REMINDER).params == {
        "days": "every Monday and Thursday", "time": "eight o'clock in the evening"}
    assert talk.of(AddReminder) == [AddReminder((0, 3), "20:00")]


def test_a_change_that_fails_says_why():
    talk = converse(["add a goal x", "yes", "I'm done"], done=Done(False, "Too short."))
    assert talk.say(P.COULD_NOT).params == {"reason": "Too short."}


def test_a_goal_check_in_on_request_goes_back_home():
    talk = converse(["check in on my goal", "four", "no", "I'm done"],
                    replace(HOME, goals=(GOAL,)))
    assert talk.of(CheckIn) == [CheckIn(7, 4, "")]
    assert P.HOME_AGAIN in talk.said


@pytest.mark.parametrize(("line", "effect"), [
    ("use the natural voice", SetVoiceName("natural")),
    ("use the fast voice", SetVoiceName("fast")),
    ("speak at 200 words a minute", SetVoice(200, 1.0)),
    ("speak at 450 words a minute", SetVoice(450, 1.0)),  # screen-reader users' pace
    ("slower", SetVoice(140, 1.0)),
])
def test_voice_and_pace_change_at_the_home(line, effect):
    talk = converse([line, "I'm done"])
    assert effect in talk.effects


def test_a_rate_out_of_bounds_is_refused():
    talk = converse(["speak at 500 words a minute", "I'm done"])
    assert talk.of(SetVoice) == [] and P.RATE_BOUNDS in talk.said


def test_voice_requests_are_understood_at_other_listening_points_too():
    talk = converse([None, "A reply.", "use the fast voice", "next", "I'm done"])
    assert SetVoiceName("fast") in talk.effects
    assert talk.state.at is At.ENDED


def test_a_free_entry_is_recorded_with_no_prompt_then_offered():
    talk = converse(["I want to say something", "Today was good.", "keep it private",
                     "I'm done"])
    (record,) = talk.of(Record)
    assert record.prompt_id is None
    assert talk.of(File) == [File("Today was good.")]
    assert talk.said[-4:-1] == [P.AFTER_SAVE, P.KEPT_PRIVATE, P.HOME_AGAIN]


def test_journal_sentences_at_the_home_are_not_understood_and_nothing_happens():
    talk = converse(["I don't want to stop trusting you", "I'm done"])
    assert P.NOT_UNDERSTOOD in talk.said
    assert talk.of(LookUp) == [] and talk.of(ChoosePrompt) == []


def test_the_home_listens_in_its_own_mode():
    talk = converse(["I'm done"])
    assert Listen(ListenMode.HOME) in talk.effects


def test_commands_in_other_words_work_at_other_listening_points():
    talk = converse([None, "We talked.", "play it again", "you're speaking too fast", "next"])
    assert talk.said.count("We talked.") == 1  # read back
    assert SetVoice(140, 1.0) in talk.effects


def test_a_look_back_by_person_date_and_words_at_once():
    talk = converse(["what did Sam say yesterday about dinner", "I'm done"])
    assert talk.of(LookUp) == [LookUp(who="partner", when="yesterday", about="dinner")]
