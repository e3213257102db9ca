"""Writing an import into a real SQLite journal with real audio files: whole entries only,
every skip reported, importing twice adds nothing, an interrupted import carries on."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import event
from sqlmodel import Session, select

from confide.models import entries
from confide.models.accounts import register, register_person
from confide.models.errors import Conflict
from confide.models.import_dayone import parse_dayone
from confide.models.import_jrnl import parse_jrnl
from confide.models.import_marks import ImportMark, source_timezones
from confide.models.import_memos import parse_memo_folder
from confide.models.import_text import parse_text_folder
from confide.models.importing import import_candidates, queued_transcriptions
from confide.models.sealing import open_entry
from confide.models.tables import Entry, ItemKey, TranscriptionJob
from confide.voice.decoding import decode_audio

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")


def decode(source: Path | bytes) -> tuple[np.ndarray, int]:
    audio = decode_audio(source, target_rate=None)
    return audio.samples, audio.rate


def tone(seconds: float = 1.0, rate: int = 16_000, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def ffmpeg(target: Path, *args: str, seconds: float = 1.0, freq: int = 300) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    done = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                           f"sine=frequency={freq}:duration={seconds}", *args, str(target)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"ffmpeg cannot write {target.suffix}: {done.stderr.strip()[:200]}")
    return target


def audio_files(store) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()]


def rows(session: Session, model) -> list[Any]:
    return list(session.exec(select(model)))


def run(session, store, person, parsed, kind, **kw):
    return import_candidates(session, store, person, parsed, kind=kind, decode=decode, **kw)


JRNL = {"tags": {"@us": 2}, "entries": [
    {"title": "Café ☕ with Sam.", "body": "Trust, slowly.", "date": "2024-03-05",
     "time": "18:22", "tags": ["@us"], "starred": True},
    {"title": "", "body": "", "date": "2024-03-06", "time": "09:00", "tags": [], "starred": False},
    {"title": "Second", "body": "A calmer day.", "date": "2024-03-07", "time": "21:05",
     "tags": ["@us"], "starred": False},
]}


def test_jrnl_import_keeps_dates_tags_and_zone_and_twice_adds_nothing(session, store, cast):
    parsed = parse_jrnl(json.dumps(JRNL), BERLIN, name="jrnl.json")
    report = run(session, store, cast.alex, parsed, "jrnl")
    assert [i.kind for i in report.imported] == ["written", "written"]
    assert [s.reason for s in report.skipped] == ["empty"]
    first = entries.get_entry(session, cast.alex, report.imported[0].entry_ids[0])
    assert first.transcript == "Café ☕ with Sam.\nTrust, slowly."
    assert first.created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC)
    assert first.tags == ["us", "starred"]
    assert first.kind == "written" and first.status == "ready"
    assert source_timezones(session, [first.id]) == {first.id: "Europe/Berlin"}
    again = run(session, store, cast.alex, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl")
    assert again.imported == []
    assert sorted(s.reason for s in again.skipped) == ["already_imported", "already_imported",
                                                       "empty"]
    assert len(rows(session, Entry)) == 2 and len(rows(session, ImportMark)) == 2


def test_imports_go_to_the_private_journal_unless_shared_is_asked(session, store, cast):
    private = run(session, store, cast.alex, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl")
    assert private.imported
    assert entries.list_entries(session, cast.sam).entries == [], "the partner sees nothing"
    doc = {"entries": [{"title": "For us both", "body": "", "date": "2024-04-01",
                        "time": "10:00"}]}
    shared = run(session, store, cast.alex, parse_jrnl(json.dumps(doc), BERLIN), "jrnl",
                 journal="shared")
    (seen,) = entries.list_entries(session, cast.sam).entries
    assert seen.id == shared.imported[0].entry_ids[0]


def test_the_same_source_is_its_own_for_each_person(session, store, cast):
    run(session, store, cast.alex, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl")
    sams = run(session, store, cast.sam, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl")
    assert len(sams.imported) == 2


def test_shared_needs_a_partner_and_stops_before_writing(session, store, cast):
    loner = register(session, "Lee")
    session.commit()
    with pytest.raises(Conflict):
        run(session, store, loner, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl",
            journal="shared")
    assert rows(session, Entry) == []


def test_a_deleted_import_is_not_brought_back(session, store, cast):
    report = run(session, store, cast.alex, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl")
    gone = report.imported[0].entry_ids[0]
    entries.delete_entry(session, store, cast.alex, gone)
    session.commit()
    again = run(session, store, cast.alex, parse_jrnl(json.dumps(JRNL), BERLIN), "jrnl")
    assert again.imported == []
    marks = {m.entry_id for m in rows(session, ImportMark)}
    assert marks == {None, report.imported[1].entry_ids[0]}, "the mark stays, unlinked"


def test_a_long_text_becomes_several_entries_in_one_go(session, store, cast):
    body = "\n\n".join(f"Paragraph {i}. " + "word " * 400 for i in range(15))
    doc = {"entries": [{"title": "Long", "body": body, "date": "2024-03-05", "time": "08:00"}]}
    report = run(session, store, cast.alex, parse_jrnl(json.dumps(doc), BERLIN), "jrnl")
    (item,) = report.imported
    assert len(item.entry_ids) >= 2
    assert "imported as" in report.notices[-1]
    texts = [entries.get_entry(session, cast.alex, i).transcript for i in item.entry_ids]
    assert all(len(t) <= entries.MAX_TEXT for t in texts)
    assert " ".join(" ".join(texts).split()) == " ".join(f"Long\n{body}".split())
    assert len(rows(session, ImportMark)) == 1


def test_text_folder_import(session, store, cast, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2024-03-05.md").write_text("---\ntags: [dinner]\nmood: grateful\n---\nNo phones.\n")
    (folder / "undated.md").write_text("When?\n")
    report = run(session, store, cast.alex, parse_text_folder(folder, BERLIN), "text")
    (item,) = report.imported
    entry = entries.get_entry(session, cast.alex, item.entry_ids[0])
    assert (entry.transcript, entry.tags, entry.mood) == ("No phones.", ["dinner"], "grateful")
    assert entry.created_at == datetime(2024, 3, 4, 23, 0, tzinfo=UTC)
    assert [s.reason for s in report.skipped] == ["no_date"]
    assert run(session, store, cast.alex, parse_text_folder(folder, BERLIN), "text").imported == []


# -- recordings -----------------------------------------------------------------------------
@pytest.fixture
def memos(tmp_path):
    """Phone memos in every format, with broken files mixed in."""
    folder = tmp_path / "memos"
    (folder / "old").mkdir(parents=True)
    sf.write(folder / "2024-03-05 18.22.wav", tone(1.0, 44_100), 44_100, subtype="PCM_16")
    sf.write(folder / "old" / "20240306_071500.flac", tone(0.8), 16_000)
    sf.write(folder / "Voice 002.ogg", tone(0.6, 48_000), 48_000, format="OGG",
             subtype="VORBIS")
    ffmpeg(folder / "memo.m4a", "-metadata", "creation_time=2024-03-07T20:00:00Z")
    ffmpeg(folder / "Recording 2024-03-08 at 09.30.mp3", freq=500)
    good = folder / "2024-03-05 18.22.wav"
    (folder / "truncated.wav").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    (folder / "noise.mp3").write_bytes(np.random.default_rng(1).bytes(4000))
    (folder / "header only.m4a").write_bytes((folder / "memo.m4a").read_bytes()[:64])
    (folder / "empty.flac").write_bytes(b"")
    (folder / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    return folder


def test_memo_folder_import_reports_broken_files_and_queues_transcription(session, store, cast,
                                                                          memos):
    parsed = parse_memo_folder(memos, BERLIN)
    report = run(session, store, cast.alex, parsed, "memo")
    imported = {i.label: i for i in report.imported}
    assert set(imported) == {"2024-03-05 18.22.wav", "old/20240306_071500.flac",
                             "Voice 002.ogg", "memo.m4a", "Recording 2024-03-08 at 09.30.mp3"}
    skipped = {s.label: s.reason for s in report.skipped}
    assert skipped == {"truncated.wav": "broken_audio", "noise.mp3": "broken_audio",
                       "header only.m4a": "broken_audio", "empty.flac": "broken_audio",
                       "cover.jpg": "not_audio"}
    assert all(str(memos) not in s.message for s in report.skipped), "labels, not full paths"
    made = {label: entries.get_entry(session, cast.alex, i.entry_ids[0])
            for label, i in imported.items()}
    assert made["2024-03-05 18.22.wav"].created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC)
    assert made["memo.m4a"].created_at == datetime(2024, 3, 7, 20, 0, tzinfo=UTC)
    assert made["Recording 2024-03-08 at 09.30.mp3"].created_at == \
        datetime(2024, 3, 8, 8, 30, tzinfo=UTC)
    ogg_mtime = datetime.fromtimestamp((memos / "Voice 002.ogg").stat().st_mtime, UTC)
    assert abs(made["Voice 002.ogg"].created_at - ogg_mtime) < timedelta(seconds=1)
    for entry in made.values():
        assert entry.status == "recorded" and store.exists(entry.audio_path)
    assert made["2024-03-05 18.22.wav"].audio_duration_s == pytest.approx(1.0, abs=0.02)
    assert queued_transcriptions(session) == 5
    assert len(audio_files(store)) == 5, "no file for what was skipped"

    again = run(session, store, cast.alex, parse_memo_folder(memos, BERLIN), "memo")
    assert again.imported == []
    assert sum(s.reason == "already_imported" for s in again.skipped) == 5
    assert len(rows(session, Entry)) == 5 and len(audio_files(store)) == 5
    assert len(rows(session, TranscriptionJob)) == 5


def test_a_failure_after_the_audio_is_stored_leaves_nothing_behind(session, store, cast, memos):
    def broken_mark(flushing, _context, _instances):
        # The recording, its row, its key's wraps and its job are written by now.
        if any(isinstance(o, ImportMark) and "/audio/" in o.source_id for o in flushing.new):
            raise RuntimeError("disk on fire")

    doc = {"entries": [
        {"uuid": "U1", "creationDate": "2024-03-05T10:00:00Z", "tags": ["walk"],
         "audios": [{"identifier": "A", "md5": "m1", "format": "wav"}]},
        {"uuid": "U2", "creationDate": "2024-03-06T10:00:00Z", "text": "still imported"},
    ]}
    export = tmp_zip(memos.parent, doc, {"audios/m1.wav": (memos / "2024-03-05 18.22.wav")
                                         .read_bytes()})
    event.listen(session, "before_flush", broken_mark)
    report = run(session, store, cast.alex, parse_dayone(export, BERLIN), "dayone")
    assert [s.reason for s in report.skipped] == ["failed"]
    assert "disk on fire" in report.skipped[0].message
    assert [i.kind for i in report.imported] == ["written"], "the next entry still comes in"
    assert audio_files(store) == [], "the recording's file went with its row"
    assert len(rows(session, Entry)) == 1 and len(rows(session, ImportMark)) == 1
    assert rows(session, TranscriptionJob) == []
    alive = {e.id for e in rows(session, Entry)}
    assert {k.item_id for k in rows(session, ItemKey) if k.item_kind == "entry"} == alive, \
        "no wrap of a key for an entry that is gone"
    event.remove(session, "before_flush", broken_mark)
    retry = run(session, store, cast.alex, parse_dayone(export, BERLIN), "dayone")
    assert [i.kind for i in retry.imported] == ["audio"], "what failed comes in next time"


def test_an_interrupted_import_carries_on_where_it_stopped(session, store, cast, memos):
    calls = 0

    def interrupted(source):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return decode(source)

    parsed = parse_memo_folder(memos, BERLIN)
    first = import_candidates(session, store, cast.alex, parsed, kind="memo", decode=interrupted)
    assert first.interrupted and len(first.imported) == 2
    assert len(rows(session, Entry)) == 2 and len(audio_files(store)) == 2
    rest = run(session, store, cast.alex, parse_memo_folder(memos, BERLIN), "memo")
    assert not rest.interrupted
    assert len(rest.imported) == 3
    assert sum(s.reason == "already_imported" for s in rest.skipped) == 2
    assert len(rows(session, Entry)) == 5 and len(audio_files(store)) == 5


def tmp_zip(folder: Path, doc: dict[str, Any], files: dict[str, bytes]) -> Path:
    path = folder / f"dayone-{hashlib.sha256(json.dumps(doc).encode()).hexdigest()[:8]}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Journal.json", json.dumps(doc, ensure_ascii=False))
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def test_dayone_zip_with_recordings_photos_and_a_broken_recording(session, store, cast, tmp_path):
    good = ffmpeg(tmp_path / "good.m4a", seconds=1.5)
    md5 = hashlib.md5(good.read_bytes()).hexdigest()
    doc = {"metadata": {"version": "1.0"}, "entries": [
        {"uuid": "E1", "creationDate": "2024-03-05T17:22:00Z", "timeZone": "America/New_York",
         "starred": False, "tags": ["Evening"],
         "text": "Said it out loud\\.\n\n![](dayone-moment:/audio/A1)",
         "audios": [{"identifier": "A1", "md5": md5, "format": "m4a", "duration": 1.5},
                    {"identifier": "A2", "md5": "0" * 32, "format": "m4a", "duration": 2}],
         "photos": [{"identifier": "P1", "md5": "1" * 32, "type": "jpeg"}]},
        {"uuid": "E2", "creationDate": "2024-03-06T08:00:00Z", "text": "",
         "photos": [{"identifier": "P2", "md5": "2" * 32, "type": "jpeg"}]},
        {"uuid": "E3", "creationDate": "2024-03-06T09:00:00Z", "text": "",
         "audios": [{"identifier": "A3", "md5": "3" * 32, "format": "m4a"}]},
    ]}
    export = tmp_zip(tmp_path, doc, {
        f"audios/{md5}.m4a": good.read_bytes(),
        f"audios/{'3' * 32}.m4a": b"\x00\x00\x00\x18ftypM4A garbage",
        f"photos/{'1' * 32}.jpeg": b"\xff\xd8", f"photos/{'2' * 32}.jpeg": b"\xff\xd8"})
    report = run(session, store, cast.alex, parse_dayone(export, BERLIN), "dayone")
    written, spoken = report.imported
    text = entries.get_entry(session, cast.alex, written.entry_ids[0])
    audio = entries.get_entry(session, cast.alex, spoken.entry_ids[0])
    assert text.transcript == "Said it out loud."
    assert audio.kind == "reflection" and audio.status == "recorded"
    assert audio.audio_duration_s == pytest.approx(1.5, abs=0.05)
    assert text.created_at == audio.created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC)
    assert text.tags == audio.tags == ["evening"]
    assert source_timezones(session, [text.id, audio.id]) == {
        text.id: "America/New_York", audio.id: "America/New_York"}
    assert {s.reason for s in report.skipped} == {"missing_audio", "only_media", "broken_audio"}
    assert "2 photos skipped" in report.notices[0]
    assert len(audio_files(store)) == 1 and queued_transcriptions(session) == 1
    again = run(session, store, cast.alex, parse_dayone(export, BERLIN), "dayone")
    assert again.imported == [] and len(audio_files(store)) == 1


def test_a_locked_import_writes_everything_sealed_and_keeps_recordings_tags(session, store,
                                                                           tmp_path):
    """Writing needs no secret: someone whose keys are not in the session imports text and
    recordings alike; the words open with their keys only."""
    lee, lees_keys, _words = register_person(session, "Lee", "correct horse 9")
    session.commit()
    sf.write(tmp_path / "walk.wav", tone(1.0), 16_000)
    doc = {"entries": [{"uuid": "U1", "creationDate": "2024-03-05T10:00:00Z",
                        "text": "A long walk.", "tags": ["Walk"], "mood": "grateful",
                        "audios": [{"identifier": "A", "md5": "m1", "format": "wav"}]}]}
    export = tmp_zip(tmp_path, doc, {"audios/m1.wav": (tmp_path / "walk.wav").read_bytes()})
    report = run(session, store, lee, parse_dayone(export, BERLIN), "dayone")
    assert [i.kind for i in report.imported] == ["written", "audio"]
    assert report.skipped == []
    written, spoken = (entries.get_entry(session, lee, i.entry_ids[0]) for i in report.imported)
    assert written.transcript == "" and spoken.tags == [], "locked: nothing shown"
    assert all(e.sealed is not None for e in (written, spoken))
    assert spoken.status == "recorded" and queued_transcriptions(session, lee.id) == 1
    for entry in (written, spoken):
        open_entry(session, lees_keys, entry, None)
    assert (written.transcript, written.tags, written.mood) == ("A long walk.", ["walk"],
                                                                "grateful")
    assert (spoken.transcript, spoken.tags, spoken.mood) == ("", ["walk"], "grateful")
    again = run(session, store, lee, parse_dayone(export, BERLIN), "dayone")
    assert again.imported == [] and len(audio_files(store)) == 1
