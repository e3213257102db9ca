"""The rest of the journal by voice as events into the pure dialog (voice.dialog_manage):
what is asked first, what is carried out on yes, and what is said after. No database, no
audio; each test runs in milliseconds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from confide.voice.dialog import At, State, step
from confide.voice.dialog_acts import CHANGES, Act, Op
from confide.voice.dialog_events import (
    AWAITING,
    Began,
    Done,
    End,
    Event,
    FoundItem,
    Heard,
    Listen,
    Looked,
    LookUp,
    Timeout,
)
from confide.voice.dialog_manage import HOME_INTENTS, LIST_INTENTS, spelled
from confide.voice.dialog_states import YES_NO_TRIES
from confide.voice.phrases import P
from tests.unit.test_dialog_home import FOUND, GOAL, HOME, LOCKED, Talk

pytestmark = pytest.mark.unit

MINE_SHARED = replace(FOUND[0], shared=True)
LIST = (MINE_SHARED, *FOUND[1:])
WITH_GOALS = replace(HOME, goals=(GOAL, replace(GOAL, goal_id=8, title="Walk together")))


def converse(lines: list[str | None], began: Began = HOME,
             done: Done = Done(True)) -> Talk:
    """Run the dialog to its end; each Act is answered with ``done``."""
    script = list(lines)
    talk = Talk(State())
    event: Event | None = began
    while event is not None:
        talk.state, effects = step(talk.state, event)
        talk.effects += effects
        waiting = [e for e in effects if isinstance(e, AWAITING)]
        assert len(waiting) <= 1 and (not waiting or effects[-1] is waiting[0]), effects
        last = effects[-1]
        event = None
        if isinstance(last, Listen):
            line = script.pop(0) if script else None
            event = Heard(line) if line else Timeout()
        elif isinstance(last, LookUp):
            event = Looked(LIST[:1] if last.latest else LIST)
        elif isinstance(last, Act):
            event = done
        else:
            assert isinstance(last, End), f"stuck at {talk.state.at} after {effects}"
    assert not script, f"lines never heard: {script}"
    return talk


@pytest.mark.parametrize(("line", "act"), [
    ("tag it dinner", Act(Op.TAG, 31, "dinner")),
    ("remove the tag walk", Act(Op.UNTAG, 31, "walk")),
    ("set the mood to calm", Act(Op.MOOD, 31, "calm")),
    ("make it private again", Act(Op.UNSHARE, 31)),
])
def test_a_change_to_the_entry_at_hand_is_asked_first_then_done_on_yes(line, act):
    talk = converse(["read my last entry", line, "yes", "I'm done"])
    assert talk.of(Act) == [act]
    question = next(i for i, k in enumerate(talk.said)
                    if isinstance(k, P) and k.name.startswith("CONFIRM"))
    assert talk.said.index(P.AFTER_MINE) < question  # the entry was read before


@pytest.mark.parametrize("answers", [["no"], [None] * YES_NO_TRIES])
def test_no_or_silence_to_a_change_changes_nothing_and_goes_back_to_the_list(answers):
    talk = converse(["read my last entry", "tag it dinner", *answers, "next", "I'm done"])
    assert talk.of(Act) == []
    assert P.NOTHING_CHANGED in talk.said


def test_after_a_change_the_list_is_still_at_hand():
    talk = converse(["find what I said about trust", "play the first one", "tag it dinner",
                     "yes", "next", "I'm done"])
    assert talk.said.count(P.ENTRY_INTRO) == 2  # "next" read the second entry after the tag
    assert P.TAGGED in talk.said


def test_the_partners_entry_is_not_changed_but_its_answers_can_be_heard():
    talk = converse(["find what I said about trust", "play the second one", "tag it dinner",
                     "read the answers", "I'm done"])
    assert talk.say(P.NOT_YOURS).params == {"partner": "Sam"}
    assert talk.of(Act) == [Act(Op.ANSWERS, 32)]  # reading needs no yes


def test_an_entry_already_private_is_not_asked_about():
    talk = converse(["find what I said about trust", "play the third one",
                     "make it private again", "I'm done"])
    assert P.ALREADY_PRIVATE in talk.said and talk.of(Act) == []


def test_new_words_are_read_back_before_they_replace_the_old():
    talk = converse(["read my last entry", "change the words", "We walked by the river.",
                     "yes", "I'm done"])
    assert talk.say(P.CONFIRM_EDIT).params == {"when": "Tuesday", "text": "We walked by the river."}
    assert talk.of(Act) == [Act(Op.EDIT, 31, "We walked by the river.")]


def test_nothing_said_for_new_words_keeps_the_old():
    talk = converse(["read my last entry", "change the words", None, "I'm done"])
    assert talk.of(Act) == [] and P.NOTHING_CHANGED in talk.said


def test_crisis_words_said_as_new_words_get_the_crisis_line_not_an_edit():
    talk = converse(["read my last entry", "change the words", "I want to kill myself",
                     "resume", "I'm done"])
    assert talk.of(Act) == []
    assert P.SAFETY in talk.said


@pytest.mark.parametrize(("line", "act", "question"), [
    ("start the listening week", Act(Op.PROGRAM_START, value="listening-week"),
     P.CONFIRM_PROGRAM_START),
    ("pause my program", Act(Op.PROGRAM_PAUSE), P.CONFIRM_PROGRAM_PAUSE),
    ("leave the program", Act(Op.PROGRAM_LEAVE), P.CONFIRM_PROGRAM_LEAVE),
    ("carry on with my program", Act(Op.PROGRAM_RESUME), P.CONFIRM_PROGRAM_RESUME),
    ("add a prompt what made you smile today", Act(Op.PROMPT_ADD,
                                                   value="What made you smile today"),
     P.CONFIRM_PROMPT_ADD),
    ("pause my reminders", Act(Op.REMINDERS_PAUSE), P.CONFIRM_REMINDERS_PAUSE),
    ("turn my reminders back on", Act(Op.REMINDERS_RESUME), P.CONFIRM_REMINDERS_RESUME),
    ("remove my reminders", Act(Op.REMINDERS_REMOVE), P.CONFIRM_REMINDERS_REMOVE),
    ("delete the Monday reminder", Act(Op.REMINDERS_REMOVE, days=(0,)),
     P.CONFIRM_REMINDERS_REMOVE_ON),
    ("make an invite code", Act(Op.INVITE), P.CONFIRM_INVITE),
    ("join with the code ABCD 2345", Act(Op.JOIN, value="ABCD-2345"), P.CONFIRM_JOIN),
])
def test_a_change_at_the_home_is_read_back_first(line, act, question):
    talk = converse([line, "yes", "I'm done"])
    assert question in talk.said and talk.of(Act) == [act]
    refused = converse([line, "no", "I'm done"])
    assert refused.of(Act) == [] and P.NOTHING_CHANGED in refused.said


def test_the_program_named_in_the_question_is_its_title():
    talk = converse(["start the repair program", "yes", "I'm done"])
    assert talk.say(P.CONFIRM_PROGRAM_START).params == {"title": "Repair after a hard day"}


def test_a_goal_named_is_the_one_done_and_it_is_no_longer_offered():
    talk = converse(["mark the goal walk together as done", "yes", "I'm done"], WITH_GOALS)
    assert talk.of(Act) == [Act(Op.GOAL_DONE, 8, "Walk together")]
    assert [g.goal_id for g in talk.state.session.goals] == [7]


def test_no_goal_to_finish_says_so():
    talk = converse(["I finished my goal", "I'm done"])
    assert P.NO_GOAL in talk.said and talk.of(Act) == []


@pytest.mark.parametrize(("line", "op"), [("what programs are there", Op.PROGRAMS),
                                          ("hear our answers", Op.MUTUAL_ANSWERS),
                                          ("read me my chart", Op.CHART)])
def test_hearing_needs_no_yes(line, op):
    talk = converse([line, "I'm done"])
    assert talk.of(Act) == [Act(op)]
    assert P.HOME_AGAIN in talk.said


def test_locking_means_nothing_sealed_is_read_after():
    talk = converse(["lock my journal", "read my last entry", "I'm done"])
    assert talk.of(Act) == [Act(Op.LOCK)] and P.LOCKED in talk.said
    assert talk.of(LookUp) == [] and P.JOURNAL_LOCKED in talk.said


@pytest.mark.parametrize("line", ["hear our answers", "read me my chart", "I finished my goal",
                                  "make an invite code"])
def test_a_locked_journal_is_not_read_or_keyed(line):
    talk = converse([line, "I'm done"], replace(LOCKED, goals=(GOAL,)))
    assert talk.of(Act) == [] and P.JOURNAL_LOCKED in talk.said


def test_what_could_not_be_done_is_said_with_its_reason():
    talk = converse(["pause my program", "yes", "I'm done"],
                    done=Done(False, "You are not following a program."))
    assert talk.say(P.COULD_NOT).params == {"reason": "You are not following a program."}


def test_the_invite_code_is_spelled_one_character_at_a_time():
    assert spelled("ABCD-2345") == "A, B, C, D; 2, 3, 4, 5"


def test_every_change_is_asked_about_and_every_intent_has_an_operation():
    assert set(HOME_INTENTS.values()) | set(LIST_INTENTS.values()) == set(Op)
    assert Op.ANSWERS not in CHANGES and Op.LOCK not in CHANGES and Op.EDIT in CHANGES


def test_a_list_intent_at_the_home_is_not_understood_there():
    talk = converse(["tag it dinner", "I'm done"])
    assert talk.of(Act) == [] and P.NOT_UNDERSTOOD in talk.said


def test_unread_and_tagged_look_backs_ask_the_journal_so():
    talk = converse(["what haven't I heard from Sam", "go home",
                     "read my entries tagged trust", "go home", "I'm done"])
    looks = talk.of(LookUp)
    assert looks[0] == LookUp(who="partner", unread=True)
    assert looks[1] == LookUp(who="me", tag="trust")
    assert isinstance(FoundItem(1, "today").shared, bool)
    assert talk.state.at is At.ENDED


def test_a_question_for_both_is_a_mutual_prompt_answered_into_the_shared_journal():
    from confide.voice.dialog_events import ChoosePrompt, PromptChosen, Record, ReplyRecorded, Saved

    state, effects = step(State(), HOME)
    state, effects = step(state, Heard("a question for both of us"))
    assert effects == [ChoosePrompt((), mutual=True)]
    state, effects = step(state, PromptChosen("mutual-1", "What do we enjoy?",
                                              "What do we enjoy?", mutual=True))
    record = effects[-1]
    assert isinstance(record, Record) and (record.journal, record.kind) == ("shared", "mutual")
    assert Talk(state, effects).said[0] is P.MUTUAL_INTRO
    state, effects = step(state, ReplyRecorded("Our Sunday walks."))
    state, effects = step(state, Saved(5, 3, "Our Sunday walks."))
    talk = Talk(state, effects)
    assert talk.say(P.MUTUAL_SAVED).params == {"partner": "Sam"}
    assert P.AFTER_SAVE not in talk.said  # a mutual answer is not shared or kept: it is both's


def test_a_question_for_both_needs_a_partner():
    talk = converse(["a question for both of us", "I'm done"], replace(HOME, partner=None))
    assert P.MUTUAL_NEEDS_PARTNER in talk.said
