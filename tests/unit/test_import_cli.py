"""`confide import ...` end to end on a fresh data dir: the report a person reads, the JSON a
script reads, one-line errors, with and without the passphrase (journals are sealed; without
it everything is still imported and the recordings wait). test_import_model.py transcribes
with the real model."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from confide.cli import app

pytestmark = pytest.mark.unit

PASSPHRASES = {"Alex": "correct horse 1", "Sam": "correct horse 2", "Lee": "correct horse 3"}

JRNL = {"tags": {"@us": 1}, "entries": [
    {"title": "Über-honest talk 💬.", "body": "We listened.", "date": "2024-03-05",
     "time": "18:22", "tags": ["@us"], "starred": False},
    {"title": "", "body": "", "date": "2024-03-06", "time": "09:00"},
]}


@pytest.fixture
def cli(tmp_path, monkeypatch):
    return make_cli(tmp_path, monkeypatch)


def make_cli(tmp_path, monkeypatch):
    """A fresh data dir with Alex and Sam paired and Lee alone; runs `confide import ...`,
    with ``passphrase`` as the line on standard input (none: going on locked)."""
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    from confide.models.accounts import register
    from confide.models.couples import create_invite, join_couple
    from confide.settings import load_settings
    from confide.wiring import cli_session

    with cli_session(load_settings()) as session:
        alex = register(session, "Alex", PASSPHRASES["Alex"], timezone="Europe/Berlin")
        sam = register(session, "Sam", PASSPHRASES["Sam"])
        join_couple(session, sam, create_invite(session, alex, timedelta(hours=1)).code)
        register(session, "Lee", PASSPHRASES["Lee"])
    runner = CliRunner()

    def invoke(*args: str, passphrase: str | None = None):
        return runner.invoke(app, ["import", *args],
                             input=None if passphrase is None else f"{passphrase}\n")

    return invoke


def listed(person: str, **flt: Any) -> list[Any]:
    """The person's entries as they read them, unlocked."""
    from confide.models.accounts import sign_in
    from confide.models.entries import EntryFilter, list_entries
    from confide.models.sealing import use_keys
    from confide.settings import load_settings
    from confide.wiring import cli_session

    with cli_session(load_settings()) as session:
        who, unlocked = sign_in(session, person, PASSPHRASES[person])
        use_keys(session, unlocked)
        return list(list_entries(session, who, EntryFilter(**flt)).entries)


@pytest.mark.parametrize("command", ["", "dayone", "jrnl", "text", "memos"])
def test_every_import_command_has_help(cli, command):
    result = cli(*([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_jrnl_import_reports_in_plain_lines_and_twice_adds_nothing(cli, tmp_path):
    export = tmp_path / "jrnl.json"
    export.write_text(json.dumps(JRNL, ensure_ascii=False), encoding="utf-8")
    first = cli("jrnl", str(export), "--as", "Alex", passphrase=PASSPHRASES["Alex"])
    assert first.exit_code == 0, first.output
    assert "Imported 1 entry into your private journal" in first.stdout
    assert "jrnl.json entry 2 (2024-03-06 09:00): empty: no text and no recording" in first.stdout
    (entry,) = listed("Alex")
    assert entry.transcript == "Über-honest talk 💬.\nWe listened."
    assert entry.tags == ["us"]
    assert [e.id for e in listed("Alex", tag="us")] == [entry.id], "indexed for search"
    assert listed("Sam") == []
    second = cli("jrnl", str(export), "--as", "Alex", "--json")
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report["imported"] == []
    assert sorted(s["reason"] for s in report["skipped"]) == ["already_imported", "empty"]
    assert set(report) == {"imported", "skipped", "notices", "interrupted", "transcription"}
    assert len(listed("Alex")) == 1


def test_jrnl_from_standard_input_to_the_shared_journal(cli):
    result = CliRunner().invoke(app, ["import", "jrnl", "-", "--as", "Alex", "--journal",
                                      "shared", "--json"], input=json.dumps(JRNL))
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)["imported"]
    assert item["kind"] == "written" and len(item["entry_ids"]) == 1
    assert [e.id for e in listed("Sam")] == item["entry_ids"], "the partner sees it"


@pytest.mark.parametrize(("args", "code", "words"), [
    (["jrnl", "missing.json", "--as", "Alex"], 1, "No such file"),
    (["jrnl", "{bad}", "--as", "Alex"], 1, "not JSON"),
    (["text", "nowhere", "--as", "Alex"], 1, "no such folder"),
    (["jrnl", "{good}", "--as", "Alex", "--tz", "Mars/Base"], 2, "Unknown time zone"),
    (["jrnl", "{good}", "--as", "Lee", "--journal", "shared"], 1, "Pair"),
    (["jrnl", "{good}", "--as", "Nobody"], 1, "Nobody"),
])
def test_a_source_that_cannot_be_read_stops_with_one_line(cli, tmp_path, args, code, words):
    (tmp_path / "bad.json").write_text("{ not json")
    (tmp_path / "good.json").write_text(json.dumps(JRNL))
    filled = [a.replace("{bad}", str(tmp_path / "bad.json"))
               .replace("{good}", str(tmp_path / "good.json")) for a in args]
    result = cli(*filled)
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words.lower() in lines[0].lower()
    assert listed("Alex") == []


def test_text_folder_import_with_a_time_zone_option(cli, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2024-03-05 07.30.md").write_text("Early walk.\n")
    result = cli("text", str(folder), "--as", "Alex", "--tz", "America/New_York", "--json")
    assert result.exit_code == 0, result.output
    (entry,) = listed("Alex")
    assert entry.created_at.isoformat() == "2024-03-05T12:30:00+00:00"


def tone(seconds: float, rate: int = 16_000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_memos_without_transcribing_leave_them_queued_and_say_so(cli, tmp_path):
    folder = tmp_path / "memos"
    folder.mkdir()
    sf.write(folder / "2024-03-05 18.22.wav", tone(1.0), 16_000)
    (folder / "broken.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A nothing else")
    result = cli("memos", str(folder), "--as", "Alex", "--no-transcribe",
                 passphrase=PASSPHRASES["Alex"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 entry" in result.stdout
    assert "broken.m4a: the recording cannot be used" in result.stdout
    assert "Waiting for a transcript: 1." in result.stderr
    (entry,) = listed("Alex")
    assert entry.status == "recorded"


def test_dayone_zip_photos_are_a_note(cli, tmp_path):
    export = tmp_path / "dayone.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("Journal.json", json.dumps({"metadata": {"version": "1.0"}, "entries": [
            {"uuid": "E1", "creationDate": "2024-03-05T17:22:00Z", "timeZone": "Europe/Berlin",
             "text": "Hello\\!", "tags": ["x"],
             "photos": [{"identifier": "P", "md5": "ab", "type": "jpeg"}]}]}))
        archive.writestr("photos/ab.jpeg", b"\xff\xd8")
    result = cli("dayone", str(export), "--as", "Alex", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["notices"] == ["1 photo skipped: Confide keeps text and recordings only."]
    assert listed("Alex")[0].transcript == "Hello!"


def test_a_wrong_passphrase_stops_before_anything_is_written(cli, tmp_path):
    export = tmp_path / "jrnl.json"
    export.write_text(json.dumps(JRNL))
    result = cli("jrnl", str(export), "--as", "Alex", passphrase="not the passphrase")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert listed("Alex") == []


def test_without_the_passphrase_the_import_is_written_sealed(cli, tmp_path):
    from sqlmodel import select

    from confide.models.tables import Entry
    from confide.settings import load_settings
    from confide.wiring import cli_session

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2024-03-05.md").write_text("---\ntags: [dinner]\n---\nNo phones tonight.\n")
    result = cli("text", str(folder), "--as", "Alex")
    assert result.exit_code == 0, result.output
    assert "Imported 1 entry" in result.stdout
    with cli_session(load_settings()) as session:
        (row,) = session.exec(select(Entry))
        assert row.sealed is not None and row.transcript == "" and row.tags == []
    (entry,) = listed("Alex")
    assert (entry.transcript, entry.tags) == ("No phones tonight.", ["dinner"])
    again = cli("text", str(folder), "--as", "Alex", passphrase=PASSPHRASES["Alex"])
    assert "Nothing new to import" in again.stdout


class FakeTranscriber:
    def transcribe(self, samples, *, on_progress=None):
        from confide.models.transcript import Segment, Transcript

        return Transcript(text="We walked to the river.", language="en", duration=1.0,
                          segments=(Segment(0.0, 1.0, "We walked to the river.", 0.9),))


def test_locked_recordings_keep_their_tags_and_wait_for_the_unlock(cli, tmp_path, monkeypatch):
    from confide import wiring

    monkeypatch.setattr(wiring, "transcriber", lambda _settings: FakeTranscriber())
    sf.write(tmp_path / "walk.wav", tone(1.0), 16_000)
    export = tmp_path / "dayone.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("Journal.json", json.dumps({"entries": [
            {"uuid": "E1", "creationDate": "2024-03-05T17:22:00Z", "text": "A long walk.",
             "tags": ["Walk"], "mood": "grateful",
             "audios": [{"identifier": "A1", "md5": "m1", "format": "wav"}]}]}))
        archive.write(tmp_path / "walk.wav", "audios/m1.wav")

    locked = cli("dayone", str(export), "--as", "Alex")
    assert locked.exit_code == 0, locked.output
    assert "Imported 2 entries" in locked.stdout
    assert "Waiting for a transcript: 1, sealed" in locked.stderr
    assert "next unlocks" in locked.stderr
    spoken = next(e for e in listed("Alex") if e.kind == "reflection")
    assert (spoken.status, spoken.transcript) == ("recorded", "")
    assert (spoken.tags, spoken.mood) == (["walk"], "grateful"), "set without the passphrase"

    unlocked = cli("dayone", str(export), "--as", "Alex", "--json",
                   passphrase=PASSPHRASES["Alex"])
    assert unlocked.exit_code == 0, unlocked.output
    report = json.loads(unlocked.stdout)
    assert report["imported"] == []
    assert report["transcription"]["transcribed"] == 1
    assert report["transcription"]["waiting"] == 0
    spoken = next(e for e in listed("Alex") if e.kind == "reflection")
    assert (spoken.status, spoken.transcript) == ("ready", "We walked to the river.")
    assert (spoken.tags, spoken.mood) == (["walk"], "grateful"), "the transcript kept them"
    assert [e.id for e in listed("Alex", tag="walk")] == sorted(
        (e.id for e in listed("Alex")), reverse=True), "both found by their tag"
