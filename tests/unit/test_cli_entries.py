"""`confide entries list|show|search|play` on a real database (SQLite; PostgreSQL too when
CONFIDE_TEST_POSTGRES_URL is set): what a person reads piped and in --json, every filter,
and that nothing is read without the passphrase or shown that the person may not see.
Changes are in test_cli_entries_change.py, the quick search in tests/process/test_cli_entries_search.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from tests.unit.entries_seed import (
    BACKENDS,
    cleanup,
    invoker,
    listed,
    make_env,
    ok,
    seed,
    seeded_once,
    tone,
)

pytestmark = pytest.mark.unit

ITEM_KEYS = {"id", "created_at", "journal", "author", "mine", "kind", "prompt_id", "prompt",
             "transcript", "word_count", "mood", "tags", "status", "audio", "audio_duration_s",
             "unread", "edited_at"}


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory):
    with seeded_once(tmp_path_factory, request.param) as journal:
        yield journal


@pytest.fixture
def journal(seeded, monkeypatch):
    """The module's journal, for a test that only reads it."""
    yield seeded.use(monkeypatch)
    seeded.release()


@pytest.fixture(params=BACKENDS)
def fresh_journal(request, tmp_path, monkeypatch):
    """A journal of its own, for a test that changes it (opens an entry, fails to unlock)."""
    settings = make_env(tmp_path, monkeypatch, request.param)
    yield settings, seed(settings)
    cleanup(settings)


@pytest.fixture
def cli():
    return invoker("entries")


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
    from confide.cli_dates import parse_when

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


def test_nothing_is_read_without_the_passphrase(fresh_journal, cli):
    for args in (["list"], ["show", "1"], ["search", "trust"], ["tag", "1", "x"]):
        result = cli(*args, passphrase="")
        assert result.exit_code == 1, args
        assert "sealed" in result.stderr and "trust" not in result.stdout
        wrong = cli(*args, passphrase="not it")
        assert wrong.exit_code == 1 and "do not match" in wrong.stderr


def test_show_has_timed_lines_and_responses_and_clears_unread(fresh_journal, cli):
    _settings, ids = fresh_journal
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


def test_play_plays_the_recording_or_reads_the_words_aloud(fresh_journal, cli, monkeypatch):
    _settings, ids = fresh_journal
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
