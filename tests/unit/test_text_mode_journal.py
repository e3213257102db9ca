"""The rest of the journal by voice, end to end in `confide speak --text` on a real sealed
SQLite journal: one test per row of docs/VOICE.md that voice.dialog_manage added (tags, the
mood, private again, answers, new words, programs, own prompts, goals, reminders, mutual
answers, the chart, lock, pairing). Each checks what changed in the journal, and that
nothing changes on "no"."""

from __future__ import annotations

from typing import Any

import pytest

from confide.voice.phrases import P
from tests.unit.test_text_mode import alex, journal, said, speak

pytestmark = pytest.mark.unit
__all__ = ["journal"]  # the fixture, shared with test_text_mode

LAST = "read my last entry"
"""Alex's newest: spoken on March 8, shared with Sam, tagged walk, answered by both."""


def _entry(settings: Any, entry_id: int) -> Any:
    from confide.models.entries import get_entry

    with alex(settings) as (s, person):
        entry = get_entry(s, person, entry_id)
        return entry.transcript, list(entry.tags or []), entry.mood, entry.journal_id


# -- the entry at hand --------------------------------------------------------------------
def test_tag_it_then_untag_it_after_yes(journal):
    settings, ids = journal
    out = speak(LAST, "tag it dinner", "yes")
    assert said(P.CONFIRM_TAG, when="March 8", tag="dinner") in out
    assert said(P.TAGGED, tag="dinner") in out
    assert _entry(settings, ids["alex_spoken"])[1] == ["walk", "dinner"]
    speak(LAST, "remove the tag walk", "yes", news="")
    assert _entry(settings, ids["alex_spoken"])[1] == ["dinner"]


def test_a_tag_is_not_added_on_no(journal):
    settings, ids = journal
    out = speak(LAST, "tag it dinner", "no")
    assert said(P.NOTHING_CHANGED) in out
    assert _entry(settings, ids["alex_spoken"])[1] == ["walk"]


def test_set_the_mood(journal):
    settings, ids = journal
    out = speak(LAST, "set the mood to hopeful", "yes")
    assert said(P.MOOD_SET, mood="hopeful") in out
    assert _entry(settings, ids["alex_spoken"])[2] == "hopeful"


def test_make_a_shared_entry_private_again(journal):
    from confide.models.entries import list_entries
    from tests.unit.entries_seed import PASSPHRASES

    settings, ids = journal
    out = speak(LAST, "make it private again", "yes")
    assert said(P.CONFIRM_UNSHARE, when="March 8", partner="Sam") in out
    assert said(P.UNSHARED) in out
    from confide.models.accounts import sign_in
    from confide.models.sealing import use_keys
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        sam, keys = sign_in(s, "Sam", PASSPHRASES["Sam"])
        use_keys(s, keys)
        assert ids["alex_spoken"] not in [e.id for e in list_entries(s, sam).entries]
    again = speak(LAST, "keep it private", news="")
    assert said(P.ALREADY_PRIVATE) in again


def test_read_the_answers_to_an_entry(journal):
    out = speak(LAST, "read the answers")
    assert "I loved it too." in out and "Let's walk again Sunday." in out
    assert said(P.ANSWER_FROM, author="Sam", when="March 8").split()[0] in out


def test_change_the_words_keeps_the_recording(journal):
    settings, ids = journal
    before = _entry(settings, ids["alex_spoken"])
    out = speak(LAST, "change the words", "We walked by the river and it felt calm.", "yes")
    assert said(P.EDITED) in out
    after = _entry(settings, ids["alex_spoken"])
    assert after[0] == "We walked by the river and it felt calm."
    assert after[1:] == before[1:]
    from confide.models.entries import get_entry

    with alex(settings) as (s, person):
        entry = get_entry(s, person, ids["alex_spoken"])
        assert entry.audio_path and entry.edited_at is not None


def test_the_partners_entry_cannot_be_tagged(journal):
    out = speak("what did Sam share", "tag it garden")
    assert said(P.NOT_YOURS, partner="Sam") in out


# -- the home -----------------------------------------------------------------------------
def test_hear_the_programs_start_one_and_pause_it(journal):
    from confide.models.prompt_state import current_program

    settings, _ids = journal
    out = speak("what programs are there", "start the listening week", "yes")
    assert "Listening week" in out and said(P.CONFIRM_PROGRAM_START, title="Listening week") in out
    with alex(settings) as (s, person):
        program = current_program(s, person)
        assert program is not None and (program.program_id, program.status) == (
            "listening-week", "active")
    out = speak("pause my program", "yes", "which program am I in", news="")
    assert "Paused Listening week" in out
    with alex(settings) as (s, person):
        assert current_program(s, person).status == "paused"
    speak("carry on with my program", "yes", news="")
    with alex(settings) as (s, person):
        assert current_program(s, person).status == "active"
    speak("leave the program", "yes", news="")
    with alex(settings) as (s, person):
        assert current_program(s, person) is None


def test_add_our_own_prompt(journal):
    from confide.models.prompt_state import list_custom_prompts

    settings, _ids = journal
    out = speak("add a prompt what made you smile today", "yes")
    assert said(P.PROMPT_ADDED) in out
    with alex(settings) as (s, person):
        assert [p.text for p in list_custom_prompts(s, person)] == ["What made you smile today?"]


def test_mark_a_goal_done(journal):
    from confide.models import goals

    settings, _ids = journal
    out = speak("add a goal walk together", "yes", "I finished my goal", "yes")
    assert said(P.CONFIRM_GOAL_DONE, title="Walk together") in out
    assert said(P.GOAL_DONE, title="Walk together") in out
    with alex(settings) as (s, person):
        assert [g.status for g in goals.list_goals(s, person)] == ["done"]


def test_pause_a_goal_named(journal):
    from confide.models import goals

    settings, _ids = journal
    speak("add a goal walk together", "yes", "add a goal no phones at dinner", "yes",
          "put the goal no phones on hold", "yes")
    with alex(settings) as (s, person):
        assert {g.title: g.status for g in goals.list_goals(s, person)} == {
            "Walk together": "active", "No phones at dinner": "paused"}


def test_pause_resume_and_remove_reminders(journal):
    from confide.models import reminders

    settings, _ids = journal
    speak("remind me every Monday and Thursday at eight pm", "yes",
          "set a reminder for Friday at 6 pm", "yes", "pause my reminders", "yes")
    with alex(settings) as (s, person):
        assert [r.enabled for r in reminders.list_reminders(s, person)] == [False, False]
    speak("turn my reminders back on", "yes", "delete the Monday reminder", "yes", news="")
    with alex(settings) as (s, person):
        found = reminders.list_reminders(s, person)
        assert [r.enabled for r in found] == [True, True]
        assert sorted(tuple(r.days) for r in found) == [(3,), (4,)]
    speak("remove my reminders", "no", news="")
    with alex(settings) as (s, person):
        assert len(reminders.list_reminders(s, person)) == 2
    speak("remove my reminders", "yes", news="")
    with alex(settings) as (s, person):
        assert reminders.list_reminders(s, person) == []


def test_hear_our_mutual_answers_once_both_answered(journal):
    from confide.models.accounts import sign_in
    from confide.models.mutual import answer_mutual
    from confide.models.sealing import use_keys
    from confide.wiring import cli_session
    from tests.unit.entries_seed import PASSPHRASES

    settings, _ids = journal
    assert said(P.MUTUAL_NONE) in speak("hear our answers")
    for name, words in (("Alex", "Our Sunday walks."), ("Sam", "Cooking together.")):
        with cli_session(settings) as s:
            person, keys = sign_in(s, name, PASSPHRASES[name])
            use_keys(s, keys)
            answer_mutual(s, person, "goals-1", text=words, prompt_text="What do we enjoy?")
    out = speak("hear our answers")  # Sam's answer is news: "no" to hearing it first
    assert said(P.MUTUAL_QUESTION, prompt="What do we enjoy?") in out
    assert "Cooking together." in out and "Our Sunday walks." in out


def test_read_me_my_chart(journal):
    out = speak("read me my chart")
    assert "Entries in each of the last four weeks" in out


def test_lock_my_journal_then_nothing_is_read(journal):
    out = speak("lock my journal", LAST)
    assert said(P.LOCKED) in out
    assert said(P.JOURNAL_LOCKED) in out
    assert "We walked and it felt calm." not in out


def test_pair_with_an_invite_code_said_aloud(journal):
    from confide.models.accounts import sign_in
    from confide.models.couples import partner_of
    from confide.wiring import cli_session
    from tests.unit.entries_seed import PASSPHRASES

    settings, _ids = journal
    lines = ["make an invite code", "yes"]
    typed = ["speak", "--text", "--as", "Lee"]
    from typer.testing import CliRunner

    from confide.cli import app

    result = CliRunner().invoke(app, typed, input="\n".join([PASSPHRASES["Lee"], *lines]) + "\n")
    assert result.exit_code == 0, result.output
    spoken = result.output.split("Your invite code is ", 1)[1].split(".", 1)[0]
    code = spoken.replace(", ", "").replace("; ", "-")
    assert len(code) == 9 and code[4] == "-"
    with cli_session(settings) as s:
        carol_like, _keys = sign_in(s, "Lee", PASSPHRASES["Lee"])
        assert partner_of(s, carol_like) is None
    from confide.models.accounts import register_person

    with cli_session(settings) as s:
        register_person(s, "Kim", "correct horse 4")
    joined = CliRunner().invoke(app, ["speak", "--text", "--as", "Kim"], input="\n".join(
        ["correct horse 4", f"join with the code {code.replace('-', ' ')}", "yes"]) + "\n")
    assert joined.exit_code == 0, joined.output
    assert said(P.JOINED, partner="Lee") in joined.output
    with cli_session(settings) as s:
        kim, _keys = sign_in(s, "Kim", "correct horse 4")
        partner = partner_of(s, kim)
        assert partner is not None and partner.name == "Lee"


def test_answer_a_question_for_both_then_hear_both_answers(journal):
    from confide.models.accounts import sign_in
    from confide.models.mutual import answer_mutual, mutual_status
    from confide.models.sealing import use_keys
    from confide.wiring import cli_session
    from tests.unit.entries_seed import PASSPHRASES

    settings, _ids = journal
    out = speak("a question for both of us", "Our Sunday walks.")
    assert said(P.MUTUAL_SAVED, partner="Sam") in out
    with alex(settings) as (s, person):
        from sqlmodel import select

        from confide.models.tables import Entry

        mine = s.exec(select(Entry).where(Entry.author_id == person.id,
                                          Entry.kind == "mutual")).one()
        prompt_id = str(mine.prompt_id)
        assert mutual_status(s, person, prompt_id).mine is not None
    with cli_session(settings) as s:
        sam, keys = sign_in(s, "Sam", PASSPHRASES["Sam"])
        use_keys(s, keys)
        answer_mutual(s, sam, prompt_id, text="Cooking together.", prompt_text=mine.prompt_text)
    heard = speak("hear our answers")
    assert "Cooking together." in heard and "Our Sunday walks." in heard


def test_look_back_by_tag_journal_and_unread(journal):
    tagged = speak("read my entries tagged trust")
    assert "Über-honest talk" in tagged and "We walked" not in tagged
    private = speak("read my private entries", news="")
    assert "Über-honest talk" in private and "We walked" not in private
    shared = speak("read our shared journal", news="")
    assert "Two entries: March 9, by Sam, six words; March 8, yours, six words." in shared
    unheard = speak("what haven't I heard from Sam", "play the first one", news="")
    assert "Thank you for the garden walk." in unheard
    again = speak("what haven't I heard from Sam", news="")
    assert said(P.FOUND_NONE) in again  # heard once, it is no longer unread


def test_an_own_prompt_the_journal_refuses_says_why_and_adds_nothing(journal):
    from typer.testing import CliRunner

    from confide.cli import app
    from tests.unit.entries_seed import PASSPHRASES

    result = CliRunner().invoke(app, ["speak", "--text", "--as", "Lee"], input="\n".join(
        [PASSPHRASES["Lee"], "add a prompt what made you smile today", "yes"]) + "\n")
    assert result.exit_code == 0, result.output
    # Lee has no partner: a couple's own prompt needs a couple, and the journal says so.
    assert "That did not work: Custom prompts belong to a couple" in result.output
