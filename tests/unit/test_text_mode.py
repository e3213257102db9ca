"""`confide speak --text` end to end: typed lines in on stdin, printed lines out, a real
SQLite journal (sealed, unlocked with the passphrase on the first line). One test per row of
docs/VOICE.md that is reachable by voice; the phrasings are the ones the table names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from typer.testing import CliRunner

from confide.cli import app
from confide.voice.phrases import P, render
from tests.unit.entries_seed import PASSPHRASES, cleanup, make_env, seed

pytestmark = pytest.mark.unit


@pytest.fixture
def journal(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, dict[str, int]]]:
    settings = make_env(tmp_path, monkeypatch, "sqlite")
    yield settings, seed(settings)
    cleanup(settings)


def speak(*lines: str, locked: bool = False, news: str = "no") -> str:
    """A text session of Alex's: the passphrase, the answer to Sam's news, then ``lines``;
    the end of the input ends the session."""
    args = ["speak", "--text", "--as", "Alex", *(["--locked"] if locked else [])]
    typed = [*([] if locked else [PASSPHRASES["Alex"]]), *([news] if news else []), *lines]
    result = CliRunner().invoke(app, args, input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert render(P.GOODBYE) in result.output
    return result.output


@contextmanager
def alex(settings: Any) -> Iterator[tuple[Any, Any]]:
    """Alex's journal, opened with the passphrase, to check what the session changed."""
    from confide.models.accounts import sign_in
    from confide.models.sealing import use_keys
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        person, keys = sign_in(s, "Alex", PASSPHRASES["Alex"])
        use_keys(s, keys)
        yield s, person


def entries_of(settings: Any) -> list[Any]:
    from confide.models.entries import list_entries

    with alex(settings) as (s, person):
        return list(list_entries(s, person).entries)


def said(key: P, **params: object) -> str:
    return render(key, dict(params))


# -- reflecting ----------------------------------------------------------------------------
def test_tonights_prompt_answered_typed_is_filed_as_a_written_entry(journal):
    settings, _ids = journal
    out = speak("just start", "I felt closer to you when we cooked together.", "keep it private")
    assert said(P.HOME, partner="Sam") in out and said(P.PROMPT_INTRO) in out
    newest = entries_of(settings)[0]
    assert newest.transcript == "I felt closer to you when we cooked together."
    assert newest.kind == "written" and newest.prompt_id
    assert said(P.KEPT_PRIVATE) in out


def test_silence_at_the_home_is_tonights_prompt(journal):
    settings, _ids = journal
    out = speak("", "We laughed a lot today.", "next")
    assert said(P.PROMPT_INTRO) in out
    assert entries_of(settings)[0].transcript == "We laughed a lot today."


def test_a_prompt_about_a_theme(journal):
    from confide.prompts import load_library

    settings, _ids = journal
    speak("give me a prompt about trust", "I trusted you with the car keys.", "next")
    prompt_id = entries_of(settings)[0].prompt_id
    assert load_library().prompts[prompt_id].theme == "trust-reflection"


def test_read_it_back_and_share_it_after_a_reply(journal):
    settings, _ids = journal
    out = speak("just start", "Dinner without phones was lovely.", "read it back", "share it")
    assert out.count("Dinner without phones was lovely.") >= 1
    assert said(P.SHARED, partner="Sam") in out
    newest = entries_of(settings)[0]
    assert newest.transcript == "Dinner without phones was lovely."
    with alex(settings) as (s, person):
        from confide.models.entries import get_entry

        assert get_entry(s, person, newest.id).journal_id != person.id  # the shared journal


def test_a_free_entry_has_no_prompt(journal):
    settings, _ids = journal
    out = speak("I want to say something", "Just a note: I am grateful today.", "next")
    assert said(P.FREE_LISTENING) in out
    newest = entries_of(settings)[0]
    assert newest.transcript == "Just a note: I am grateful today." and newest.prompt_id is None


# -- the partner ----------------------------------------------------------------------------
def test_the_partners_news_is_heard_and_answered(journal):
    from confide.models.responses import list_responses

    settings, ids = journal
    out = speak("yes", "I loved that walk too.", news="yes")
    assert "Thank you for the garden walk." in out
    with alex(settings) as (s, person):
        texts = [r.text for r in list_responses(s, person, ids["sam_shared"])]
    assert "I loved that walk too." in texts


def test_hear_sams_reflections_from_the_home(journal):
    _settings, _ids = journal
    out = speak("hear Sam's reflections", "no")
    assert "Thank you for the garden walk." in out


# -- looking back ---------------------------------------------------------------------------
def test_read_my_last_entry(journal):
    out = speak("read my last entry")
    assert said(P.ENTRY_INTRO, author=said(P.ENTRY_YOURS), when="March 8") in out
    assert "We walked and it felt calm." in out


def test_what_did_sam_share_reads_it_and_answer_it(journal):
    from confide.models.responses import list_responses

    settings, ids = journal
    out = speak("what did Sam share", "answer it", "It was my favourite walk.")
    assert "Thank you for the garden walk." in out
    with alex(settings) as (s, person):
        texts = [r.text for r in list_responses(s, person, ids["sam_shared"])]
    assert "It was my favourite walk." in texts


def test_entries_of_a_month_are_read_as_a_list_then_played_by_number(journal):
    out = speak("what did I say in March 2024", "play the second one", "previous")
    assert said(P.FOUND_MANY, count="Two entries",
                items="March 8, yours, six words; March 5, yours, eight words") in out
    assert "Über-honest talk" in out and out.index("Über-honest talk") < out.rindex("We walked")


def test_find_what_i_said_about_a_word(journal):
    out = speak("find what I said about trust")
    assert "Über-honest talk" in out


def test_nothing_found_is_said(journal):
    out = speak("find what I said about volcanoes")
    assert said(P.FOUND_NONE) in out


def test_share_an_older_entry_from_a_list(journal):
    from confide.models.entries import EntryFilter, list_entries

    settings, ids = journal
    out = speak("read my entries", "play the second one", "share it")
    assert said(P.SHARED, partner="Sam") in out
    with alex(settings) as (s, person):
        shared = [e.id for e in list_entries(s, person, EntryFilter(journal="shared")).entries]
    assert ids["alex_private"] in shared


@pytest.mark.parametrize(("answer", "kept"), [("yes", False), ("no", True)])
def test_delete_an_older_entry_is_confirmed_first(journal, answer, kept):
    settings, ids = journal
    out = speak("read my entries", "play the second one", "delete it", answer)
    assert said(P.CONFIRM_DELETE_ENTRY, when="March 5") in out
    assert (ids["alex_private"] in [e.id for e in entries_of(settings)]) is kept


def test_the_partners_entries_cannot_be_deleted(journal):
    settings, ids = journal
    out = speak("what did Sam share", "delete it")
    assert said(P.NOT_YOURS, partner="Sam") in out
    assert ids["sam_shared"] in [e.id for e in entries_of(settings)]


def test_a_locked_journal_is_not_read(journal):
    out = speak("read my last entry", locked=True, news="")
    assert said(P.JOURNAL_LOCKED) in out
    assert "We walked" not in out


# -- goals, reminders, progress --------------------------------------------------------------
def test_add_a_goal_after_yes_then_list_and_check_in(journal):
    from confide.models import goals

    settings, _ids = journal
    out = speak("add a goal no phones at dinner", "yes", "what are my goals",
                "check in on my goal", "four", "no")
    assert said(P.GOAL_ADDED, title="no phones at dinner") in out
    assert said(P.GOALS, count="One goal", titles="No phones at dinner") in out
    with alex(settings) as (s, person):
        (goal,) = goals.list_goals(s, person)
        assert goal.title == "No phones at dinner"
        assert [c.rating for c in goals.list_checkins(s, person, goal.id)] == [4]


def test_a_goal_is_not_added_on_no(journal):
    from confide.models import goals

    settings, _ids = journal
    speak("add a goal no phones at dinner", "no")
    with alex(settings) as (s, person):
        assert goals.list_goals(s, person) == []


def test_add_a_reminder_after_yes_then_hear_them(journal):
    from confide.models import reminders

    settings, _ids = journal
    out = speak("remind me every Monday and Thursday at eight pm", "yes",
                "what are my reminders")
    assert said(P.REMINDER_ADDED, days="every Monday and Thursday",
                time="eight o'clock in the evening") in out
    with alex(settings) as (s, person):
        (reminder,) = reminders.list_reminders(s, person)
        assert (reminder.days, reminder.local_time) == ([0, 3], "20:00")
    assert said(P.REMINDERS, count="One reminder", items=said(
        P.REMINDER_ITEM, days="every Monday and Thursday",
        time="eight o'clock in the evening")) in out


def test_how_am_i_doing_says_the_progress(journal):
    from confide.models.progress import progress_for, summary_sentence
    from confide.models.tables import utcnow

    settings, _ids = journal
    out = speak("how am I doing")
    with alex(settings) as (s, person):
        summary = summary_sentence(progress_for(s, person, utcnow()))
    assert out.count(summary) == 2  # asked for, and again at good night
    assert said(P.HOME_AGAIN) in out


# -- the voice --------------------------------------------------------------------------------
@pytest.mark.parametrize(("lines", "voice", "rate"), [
    (["use the fast voice"], "fast", None),
    (["use the natural voice"], "natural", None),
    (["speak at 200 words a minute"], None, 200),
    (["slower"], None, 140),
])
def test_the_voice_and_its_pace_are_kept(journal, lines, voice, rate):
    settings, _ids = journal
    speak(*lines)
    with alex(settings) as (_s, person):
        assert person.tts_voice == voice and person.tts_rate == rate


def test_volume_and_time_to_think_are_kept(journal):
    settings, _ids = journal
    out = speak("quieter", "give me more time")
    assert said(P.QUIETER) in out and said(P.MORE_TIME) in out
    with alex(settings) as (_s, person):
        assert person.tts_volume == 0.8 and person.pause_allowance_s == 6.0


def test_play_their_own_voice_reads_the_words_in_text_mode(journal):
    out = speak("what did Sam share", "play Sam's own voice")
    assert out.count("Thank you for the garden walk.") == 2


def test_help_lists_what_can_be_said_at_the_home(journal):
    out = speak("help")
    assert said(P.HELP_HOME, partner="Sam") in out


def test_pause_and_resume(journal):
    out = speak("pause", "resume")
    assert said(P.PAUSED) in out and said(P.RESUMED) in out
