"""`confide entries ...` and `confide record` on a real database (SQLite; PostgreSQL too
when CONFIDE_TEST_POSTGRES_URL is set): what a person reads piped and in --json, every
filter, every change through the journal's operations, and that nothing is read without
the passphrase or shown that the person may not see."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.unit.entries_seed import (
    BACKENDS,
    PASSPHRASES,
    cleanup,
    invoker,
    make_env,
    seed,
    tone,
)

pytestmark = pytest.mark.unit

ITEM_KEYS = {"id", "created_at", "journal", "author", "mine", "kind", "prompt_id", "prompt",
             "transcript", "word_count", "mood", "tags", "status", "audio", "audio_duration_s",
             "unread", "edited_at"}


@pytest.fixture(params=BACKENDS)
def journal(request, tmp_path, monkeypatch):
    settings = make_env(tmp_path, monkeypatch, request.param)
    yield settings, seed(settings)
    cleanup(settings)


@pytest.fixture
def cli():
    return invoker("entries")


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def listed(cli, *args, who="Alex"):
    return json.loads(ok(cli("list", "--json", *args, who=who)).stdout)


def test_list_json_shows_exactly_what_each_person_may_see(journal, cli):
    _settings, ids = journal
    alex = listed(cli)
    assert [e["id"] for e in alex] == [ids["sam_shared"], ids["alex_spoken"], ids["alex_private"]]
    assert all(set(e) == ITEM_KEYS for e in alex)
    first = next(e for e in alex if e["id"] == ids["alex_private"])
    assert first == first | {
        "created_at": "2024-03-05T18:22:07.123456+00:00", "journal": "private",
        "author": "Alex", "mine": True, "kind": "written", "prompt_id": "trust-1",
        "transcript": "Über-honest talk 💬 about trust.\n\nWe *listened*, [really].",
        "mood": "calm", "tags": ["trust", "starred"], "audio": False, "unread": False,
        "edited_at": None}
    spoken = next(e for e in alex if e["id"] == ids["alex_spoken"])
    assert spoken["audio"] is True and spoken["audio_duration_s"] == 1.5
    assert next(e for e in alex if e["id"] == ids["sam_shared"])["unread"] is True
    assert [e["id"] for e in listed(cli, who="Sam")] == [ids["sam_private"], ids["sam_shared"],
                                                         ids["alex_spoken"]]
    assert listed(cli, who="Lee") == []


@pytest.mark.parametrize(("args", "names"), [
    (["--journal", "private"], ["alex_private"]),
    (["--journal", "shared"], ["sam_shared", "alex_spoken"]),
    (["--author", "partner"], ["sam_shared"]),
    (["--author", "me"], ["alex_spoken", "alex_private"]),
    (["--tag", "trust"], ["alex_private"]),
    (["--tag", "walk"], ["alex_spoken"]),
    (["--contains", "uber-HONEST"], ["alex_private"]),
    (["--contains", "garden"], ["sam_shared"]),
    (["--prompt", "trust-1"], ["alex_private"]),
    (["--unread"], ["sam_shared"]),
    (["-n", "1"], ["sam_shared"]),
    (["--from", "2024-03-08"], ["sam_shared", "alex_spoken"]),
    (["--to", "2024-03-08"], ["alex_spoken", "alex_private"]),
    (["--from", "march 6 2024", "--to", "8 March 2024"], ["alex_spoken"]),
    (["--from", "march 2024", "--to", "march 2024"], ["sam_shared", "alex_spoken",
                                                       "alex_private"]),
    (["--from", "2025-01-01"], []),
])
def test_list_filters(journal, cli, args, names):
    _settings, ids = journal
    assert [e["id"] for e in listed(cli, *args)] == [ids[n] for n in names]


def test_dates_in_words_are_whole_days_in_the_persons_zone():
    from confide.cli_entries import parse_when

    now = datetime(2024, 3, 13, 12, 0, tzinfo=UTC)  # a Wednesday
    assert parse_when("last monday", "Europe/Berlin", now=now) == datetime(2024, 3, 10, 23, 0,
                                                                           tzinfo=UTC)
    assert parse_when("yesterday", "UTC", end=True, now=now) == datetime(2024, 3, 13, tzinfo=UTC)
    assert parse_when("2024-03-05 18:22", "UTC") == datetime(2024, 3, 5, 18, 22, tzinfo=UTC)
    assert parse_when("march 2024", "UTC", end=True) == datetime(2024, 4, 1, tzinfo=UTC)


def test_a_date_that_cannot_be_read_is_one_line(journal, cli):
    result = cli("list", "--from", "the day after never")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: Cannot read the date")


def test_piped_listing_is_plain_lines_for_screen_readers(journal, cli):
    _settings, ids = journal
    lines = ok(cli("list")).stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"Entry {ids['sam_shared']}, 2024-03-09 21:22, by Sam, "
                               "shared journal, 6 words, unread: Thank you")
    assert lines[2] == (f"Entry {ids['alex_private']}, 2024-03-05 19:22, by Alex, private "
                        "journal, 8 words, mood calm, tags trust starred: Über-honest talk 💬 "
                        "about trust. We *listened*, [really].")
    assert "│" not in "".join(lines) and "\x1b" not in "".join(lines)
    assert ok(cli("list", "--tag", "nothing-here")).stdout.strip() == "No entries."


def test_nothing_is_read_without_the_passphrase(journal, cli):
    for args in (["list"], ["show", "1"], ["search", "trust"], ["tag", "1", "x"]):
        result = cli(*args, passphrase="")
        assert result.exit_code == 1, args
        assert "sealed" in result.stderr and "trust" not in result.stdout
        wrong = cli(*args, passphrase="not it")
        assert wrong.exit_code == 1 and "do not match" in wrong.stderr


def test_show_has_timed_lines_and_responses_and_clears_unread(journal, cli):
    _settings, ids = journal
    text = ok(cli("show", str(ids["alex_spoken"]))).stdout
    assert "by Alex, shared journal" in text and "Recording: 1.5 s" in text
    assert "[0:00.0–0:00.8] We walked\n[0:00.8–0:01.5] and it felt calm." in text
    assert "Responses (2):\n  Sam, 2024-03-09" not in text
    assert "  Sam, " in text and ": I loved it too." in text
    assert ": Let's walk again Sunday." in text
    shown = json.loads(ok(cli("show", str(ids["sam_shared"]), "--json")).stdout)
    assert ITEM_KEYS | {"language", "segments", "responses"} == set(shown)
    assert shown["unread"] is True and shown["responses"] == []
    assert listed(cli, "--unread") == []
    detail = json.loads(ok(cli("show", str(ids["alex_spoken"]), "--json")).stdout)
    assert detail["segments"] == [{"start": 0.0, "end": 0.8, "text": "We walked"},
                                  {"start": 0.8, "end": 1.5, "text": "and it felt calm."}]
    assert [(r["author"], r["mine"], r["text"]) for r in detail["responses"]] == [
        ("Sam", False, "I loved it too."), ("Alex", True, "Let's walk again Sunday.")]


def test_what_is_not_yours_to_see_is_not_found(journal, cli):
    _settings, ids = journal
    for args in (["show"], ["play"], ["tag", "x"], ["delete", "--yes"]):
        result = cli(args[0], str(ids["sam_private"]), *args[1:])
        assert result.exit_code == 1
        assert "was not found" in result.stderr and "secret garden" not in result.output
    result = cli("show", str(ids["alex_private"]), who="Sam")
    assert result.exit_code == 1 and "Über" not in result.output


def test_search_finds_words_tags_and_responses(journal, cli):
    _settings, ids = journal
    hits = json.loads(ok(cli("search", "walked", "calm", "--json")).stdout)
    assert [h["id"] for h in hits] == [ids["alex_spoken"]]
    assert set(hits[0]) == ITEM_KEYS | {"snippet"} and "walked" in hits[0]["snippet"]
    assert [h["id"] for h in json.loads(ok(cli("search", "sunday", "--json")).stdout)] == [
        ids["alex_spoken"]]
    assert [h["id"] for h in json.loads(ok(cli("search", "garden", "--json")).stdout)] == [
        ids["sam_shared"]], "Sam's private garden is not Alex's to find"
    assert json.loads(ok(cli("search", "nowhere", "--json")).stdout) == []
    assert "Nothing found" in ok(cli("search", "nowhere")).stdout


def test_tag_untag_mood_share_unshare(journal, cli):
    _settings, ids = journal
    one = str(ids["alex_private"])
    assert "tags: trust, starred, us, repair." in ok(cli("tag", one, "us", "Repair")).stdout
    assert [e["id"] for e in listed(cli, "--tag", "repair")] == [ids["alex_private"]]
    assert "tags: trust, us." in ok(cli("untag", one, "repair", "starred")).stdout
    assert ok(cli("mood", one, "hopeful")).stdout.strip().endswith("mood: hopeful.")
    assert listed(cli, "--journal", "private")[0]["mood"] == "hopeful"
    assert cli("mood", one, "elated").exit_code == 1
    assert "mood: none." in ok(cli("mood", one, "none")).stdout
    assert "shared journal" in ok(cli("share", one)).stdout
    assert ids["alex_private"] in [e["id"] for e in listed(cli, who="Sam")]
    assert [h["id"] for h in json.loads(ok(cli("search", "honest", "--json", who="Sam")).stdout)
            ] == [ids["alex_private"]]
    assert "private again" in ok(cli("unshare", one)).stdout
    assert ids["alex_private"] not in [e["id"] for e in listed(cli, who="Sam")]
    assert json.loads(ok(cli("search", "honest", "--json", who="Sam")).stdout) == []
    refused = cli("tag", str(ids["sam_shared"]), "mine")
    assert refused.exit_code == 1 and "Only the author" in refused.stderr


def _editor(tmp_path: Path, body: str) -> str:
    """An $EDITOR that notes where and how it was asked to edit, then writes ``body``."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import os, stat, sys\n"
        "path = sys.argv[-1]\n"
        f"open({str(tmp_path / 'seen')!r}, 'w').write(path + '\\n' + oct(os.stat(os.path.dirname("
        "path)).st_mode & 0o777) + '\\n' + open(path).read())\n"
        "open(path + '.swp', 'w').write('editor scratch')\n"
        f"open(path, 'w').write({body!r})\n")
    return f"{sys.executable} {script}"


def test_edit_opens_the_editor_in_a_private_folder_and_marks_the_entry(journal, cli, tmp_path,
                                                                        monkeypatch):
    settings, ids = journal
    from confide.wiring import audio_store, cli_session
    from models.tables import Entry

    with cli_session(settings) as s:
        entry = s.get(Entry, ids["alex_spoken"])
        assert entry is not None and entry.audio_path
        audio = audio_store(settings).path(entry.audio_path).read_bytes()
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "# a comment\nWe walked, and it felt calm "
                                                   "and close.\n"))
    monkeypatch.delenv("VISUAL", raising=False)
    assert "edited; the recording is unchanged" in ok(cli("edit", str(ids["alex_spoken"]))).stdout
    path, mode, *before = (tmp_path / "seen").read_text().splitlines()
    assert mode == "0o700" and "We walked and it felt calm." in before
    assert not Path(path).exists() and not Path(path).parent.exists(), "no plain words left"
    shown = json.loads(ok(cli("show", str(ids["alex_spoken"]), "--json")).stdout)
    assert shown["transcript"] == "We walked, and it felt calm and close."
    assert shown["edited_at"] is not None
    assert [s["text"] for s in shown["segments"]] == ["We walked", "and it felt calm."]
    assert "Edited " in ok(cli("show", str(ids["alex_spoken"]))).stdout
    assert [e["id"] for e in json.loads(ok(cli("search", "close", "--json")).stdout)] == [
        ids["alex_spoken"]]
    with cli_session(settings) as s:
        entry = s.get(Entry, ids["alex_spoken"])
        assert entry is not None and entry.audio_path
        assert audio_store(settings).path(entry.audio_path).read_bytes() == audio
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "We walked, and it felt calm and close.\n"))
    assert "unchanged" in ok(cli("edit", str(ids["alex_spoken"]))).stdout
    refused = cli("edit", str(ids["sam_shared"]))
    assert refused.exit_code == 1 and "Only the author" in refused.stderr


def test_delete_asks_and_takes_the_recording_with_it(journal, cli):
    settings, ids = journal
    from confide.wiring import audio_store, cli_session
    from models.tables import Entry, Response

    spoken = str(ids["alex_spoken"])
    with cli_session(settings) as s:
        entry = s.get(Entry, ids["alex_spoken"])
        assert entry is not None and entry.audio_path
        audio = audio_store(settings).path(entry.audio_path)
    kept = ok(cli("delete", spoken, extra="n\n"))
    assert "for good?" in kept.stdout and "Kept entry" in kept.stdout and audio.exists()
    refused = cli("delete", str(ids["sam_shared"]), "--yes")
    assert refused.exit_code == 1 and "Only the author" in refused.stderr
    assert "deleted" in ok(cli("delete", spoken, extra="y\n")).stdout
    assert not audio.exists()
    with cli_session(settings) as s:
        assert s.get(Entry, ids["alex_spoken"]) is None
        assert s.get(Response, ids["sam_reply"]) is None
    assert "deleted" in ok(cli("delete", str(ids["alex_private"]), "--yes")).stdout
    assert [e["id"] for e in listed(cli)] == [ids["sam_shared"]]


class _Speaker:
    def __init__(self):
        self.played: list[tuple[np.ndarray, int]] = []

    def play(self, samples, rate, *, wait=True):
        self.played.append((samples, rate))

    def stop(self):
        pass


class _Synth:
    def __init__(self):
        self.said: list[str] = []

    def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
        self.said.append(text)
        return np.zeros(800, dtype=np.float32), 22050


def test_play_plays_the_recording_or_reads_the_words_aloud(journal, cli, monkeypatch):
    _settings, ids = journal
    from confide import cli_entries

    speaker, synth = _Speaker(), _Synth()
    monkeypatch.setattr(cli_entries, "_speaker", lambda _settings: speaker)
    monkeypatch.setattr(cli_entries, "_synthesizer", lambda _settings: synth)
    ok(cli("play", str(ids["alex_spoken"])))
    (samples, rate), = speaker.played
    assert rate == 16000 and samples.shape == (24000,)
    assert np.max(np.abs(samples - tone(1.5))) < 1e-3, "the recording as it was said"
    ok(cli("play", str(ids["sam_shared"])))
    assert synth.said == ["Thank you for the garden walk."] and len(speaker.played) == 2
    assert listed(cli, "--unread") == [], "playing it opened it"


def test_every_entries_command_has_help(cli):
    for command in ("", "list", "show", "play", "search", "tag", "untag", "mood", "share",
                    "unshare", "edit", "delete"):
        result = cli(*([command] if command else []), "--help", who=None)
        assert result.exit_code == 0 and "Usage" in result.output, command
    record = invoker("record")("--help", who=None)
    assert record.exit_code == 0 and "Ctrl+C keeps what you said" in record.output


# -- confide record --------------------------------------------------------------------------
class _Mic:
    """Loud blocks (speech) for ``speech_s``, then silence; or Ctrl+C after them."""

    def __init__(self, speech_s: float, *, interrupt: bool = False):
        self.speech_s, self.interrupt = speech_s, interrupt

    def blocks(self, block_s=0.032):
        n = int(16000 * block_s)
        rng = np.random.default_rng(3)
        for _ in range(int(self.speech_s / block_s)):
            yield (0.3 * rng.standard_normal(n)).astype(np.float32)
        if self.interrupt:
            raise KeyboardInterrupt
        while True:
            yield np.zeros(n, dtype=np.float32)


def _listener(mic, stt):
    from voice.listener import Listener
    from voice.vad import EnergyVoiceActivity, VadTracker

    return Listener(mic, stt, lambda: VadTracker(EnergyVoiceActivity()))


def _entries_of(settings, name):
    from confide.wiring import cli_session
    from models.accounts import sign_in
    from models.entries import list_entries
    from models.sealing import use_keys

    with cli_session(settings) as s:
        who, unlocked = sign_in(s, name, PASSPHRASES[name])
        use_keys(s, unlocked)
        return list(list_entries(s, who).entries)


@pytest.mark.parametrize("interrupt", [False, True])
def test_record_files_one_reply_sealed_without_unlocking_and_ctrl_c_keeps_it(journal,
                                                                            interrupt):
    settings, _ids = journal
    from confide.cli_record import record_reply
    from confide.wiring import cli_session
    from models.accounts import get_person_by_name
    from voice.transcriber import FakeTranscriber

    stt = FakeTranscriber(["I want to say thank you. That's it, I'm done."])
    said: list[str] = []
    with cli_session(settings) as s:
        lee = get_person_by_name(s, "Lee")
        assert lee.id is not None
        lee_id = lee.id
    entry_id = record_reply(settings, lee_id, "private",
                            _listener(_Mic(1.0, interrupt=interrupt), stt), stt,
                            say=said.append)
    assert entry_id is not None
    (entry,) = _entries_of(settings, "Lee")
    assert entry.id == entry_id and entry.status == "ready" and entry.audio_path
    assert entry.transcript == "I want to say thank you."
    assert entry.audio_duration_s == pytest.approx(1.0, abs=0.1) if interrupt else \
        entry.audio_duration_s > 1.0
    assert list(settings.pending_dir.glob("*")) == [], "the pending reply was filed"
    assert ("Stopped; what you said is kept" in " ".join(said)) is interrupt
    assert said[-1].startswith(f"Saved entry {entry_id} (6 words)")


def test_record_with_nothing_said_saves_nothing(journal):
    settings, _ids = journal
    from confide.cli_record import record_reply
    from voice.transcriber import FakeTranscriber

    stt = FakeTranscriber([""])
    said: list[str] = []
    assert record_reply(settings, 3, "private", _listener(_Mic(0.5), stt), stt,
                        say=said.append) is None
    assert said[-1] == "Nothing was said, so nothing was saved."
    assert _entries_of(settings, "Lee") == []
    assert list(settings.pending_dir.glob("*")) == []


def test_record_to_the_shared_journal_needs_a_partner(journal):
    settings, _ids = journal
    from confide.cli_record import record_reply
    from models.errors import Conflict
    from voice.transcriber import FakeTranscriber

    stt = FakeTranscriber(["words"])
    with pytest.raises(Conflict):
        record_reply(settings, 3, "shared", _listener(_Mic(0.5), stt), stt, say=print)
