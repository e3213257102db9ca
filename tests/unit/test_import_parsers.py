"""Reading the formats an import takes, without a database: Day One JSON, jrnl JSON,
Markdown/text files and voice-memo dates. Fixtures follow each format's documented shape
(Day One: uuid, creationDate, timeZone, text, tags, starred, audios with identifier/md5/
format/duration; jrnl: {"tags", "entries": [{"title", "body", "date", "time", "tags",
"starred"}]})."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from confide.models.errors import InvalidInput
from confide.models.import_dayone import dayone_text, parse_dayone
from confide.models.import_fields import clean_tags, date_from_name, date_in_text, split_text
from confide.models.import_jrnl import parse_jrnl
from confide.models.import_memos import memo_recorded_at, parse_memo_folder
from confide.models.import_text import parse_front_matter, parse_text_file, parse_text_folder

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")


def reasons(parsed) -> dict[str, str]:
    return {s.label: s.reason for s in parsed.skipped}


# -- jrnl ---------------------------------------------------------------------------------
JRNL = {
    "tags": {"@work": 1, "@family": 2},
    "entries": [
        {"title": "Café with Sam.", "body": "We talked about trust — and 😊 honesty.",
         "date": "2024-03-05", "time": "18:22", "tags": ["@family"], "starred": True},
        {"title": "", "body": "", "date": "2024-03-06", "time": "09:00", "tags": [],
         "starred": False},
        {"title": "Only a title", "date": "2024-03-07"},
        {"title": "No date at all", "body": "x"},
        {"title": "Bad date", "body": "x", "date": "2024-13-45", "time": "25:99"},
        {"title": "Café with Sam.", "body": "We talked about trust — and 😊 honesty.",
         "date": "2024-03-05", "time": "18:22", "tags": ["@family"], "starred": True},
        "not an object",
        {"title": "Day One backed", "body": "with a uuid", "date": "2024-03-08",
         "time": "07:30", "uuid": "ABCDEF0123456789", "tags": ["@work", "@Family"]},
    ],
}


def test_jrnl_export_reads_unicode_local_times_tags_and_starred():
    parsed = parse_jrnl(json.dumps(JRNL, ensure_ascii=False).encode(), BERLIN, name="j.json")
    first, title_only, with_uuid = parsed.candidates
    assert first.text == "Café with Sam.\nWe talked about trust — and 😊 honesty."
    assert first.created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC), "18:22 in Berlin (CET)"
    assert first.timezone == "Europe/Berlin"
    assert first.tags == ("family", "starred")
    assert title_only.text == "Only a title"
    assert title_only.created_at == datetime(2024, 3, 6, 23, 0, tzinfo=UTC), "no time: midnight"
    assert with_uuid.source_id == "ABCDEF0123456789"
    assert with_uuid.tags == ("work", "family")


def test_jrnl_export_reports_every_entry_it_cannot_take():
    parsed = parse_jrnl(json.dumps(JRNL), BERLIN, name="j.json")
    assert sorted(reasons(parsed).values()) == sorted(
        ["empty", "no_date", "bad_date", "duplicate_in_source", "unreadable"])
    assert len(parsed.candidates) + len(parsed.skipped) == len(JRNL["entries"])
    assert all(s.message for s in parsed.skipped)


def test_jrnl_summer_time_is_kept():
    doc = {"entries": [{"title": "Summer", "body": "", "date": "2024-07-01", "time": "12:00"}]}
    (entry,) = parse_jrnl(json.dumps(doc), BERLIN).candidates
    assert entry.created_at == datetime(2024, 7, 1, 10, 0, tzinfo=UTC), "CEST is UTC+2"


@pytest.mark.parametrize("data", [b"", b"not json", b"[1, 2]", b'{"tags": {}}',
                                  b'{"entries": {"a": 1}}'])
def test_what_is_not_a_jrnl_export_is_refused_whole(data):
    with pytest.raises(InvalidInput):
        parse_jrnl(data, BERLIN)


# -- Day One --------------------------------------------------------------------------------
def dayone_zip(tmp_path: Path, entries: list[object], files: dict[str, bytes] | None = None,
               name: str = "Journal.json") -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, json.dumps({"metadata": {"version": "1.0"}, "entries": entries},
                                          ensure_ascii=False))
        for member, data in (files or {}).items():
            archive.writestr(member, data)
    return path


DAYONE_ENTRIES: list[object] = [
    {"uuid": "0A3BFC9847BD4173881DE43749F23B58", "creationDate": "2024-03-05T17:22:00Z",
     "timeZone": "Europe/Berlin", "starred": True, "tags": ["Trust", "évening"],
     "text": "# A hard talk\\!\n\n![](dayone-moment://6C886CB69DC14EB9A8B568678C0FDD32)\n\n"
             "We said sorry\\. Both of us\\.",
     "photos": [{"identifier": "6C886CB69DC14EB9A8B568678C0FDD32", "md5": "aa", "type": "jpeg"}],
     "audios": [{"identifier": "A1", "md5": "d41d8cd98f00b204e9800998ecf8427e",
                 "format": "m4a", "duration": 1.5, "creationDate": "2024-03-05T17:30:00Z",
                 "timeZoneName": "Europe/Berlin"}]},
    {"uuid": "0A3BFC9847BD4173881DE43749F23B58", "creationDate": "2024-03-05T17:22:00Z",
     "text": "the same uuid again"},
    {"uuid": "EMPTY0000", "creationDate": "2024-03-06T10:00:00Z", "text": ""},
    {"uuid": "PHOTO0000", "creationDate": "2024-03-06T11:00:00Z", "text": "![](dayone-moment://X)",
     "photos": [{"identifier": "X", "md5": "bb", "type": "jpeg"}]},
    {"uuid": "NODATE000", "text": "when was this?"},
    {"uuid": "LOSTAUDIO", "creationDate": "2024-03-07T08:00:00Z", "timeZone": "Not/AZone",
     "text": "", "audios": [{"identifier": "GONE", "md5": "ffff", "format": "m4a"}]},
    {"creationDate": "2024-03-08T08:00:00Z", "text": "no uuid, no tags, no timeZone"},
]


def test_dayone_zip_entries_text_audio_photos_and_skips(tmp_path):
    audio = b"fake m4a bytes"
    path = dayone_zip(tmp_path, DAYONE_ENTRIES, {
        "audios/d41d8cd98f00b204e9800998ecf8427e.m4a": audio,
        "photos/aa.jpeg": b"jpeg", "photos/bb.jpeg": b"jpeg"})
    parsed = parse_dayone(path, ZoneInfo("UTC"))
    text, recording, no_uuid = parsed.candidates
    assert text.text == "# A hard talk!\n\nWe said sorry. Both of us."
    assert text.created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC)
    assert text.timezone == "Europe/Berlin"
    assert text.tags == ("trust", "évening", "starred")
    assert recording.audio is not None and recording.audio.load() == audio
    assert recording.source_id == "0A3BFC9847BD4173881DE43749F23B58/audio/A1"
    assert recording.created_at == datetime(2024, 3, 5, 17, 30, tzinfo=UTC)
    assert recording.tags == text.tags and recording.text == ""
    assert no_uuid.text == "no uuid, no tags, no timeZone" and no_uuid.timezone == "UTC"
    assert len(no_uuid.source_id) == 64, "a stable hash stands in for a missing uuid"
    skipped = sorted(s.reason for s in parsed.skipped)
    assert skipped == ["duplicate_in_source", "empty", "missing_audio", "no_date", "only_media"]
    assert "2 photos skipped" in " ".join(parsed.notices)


def test_dayone_accepts_an_unzipped_folder_and_per_journal_json_files(tmp_path):
    folder = tmp_path / "export"
    (folder / "audios").mkdir(parents=True)
    (folder / "audios" / "abc.m4a").write_bytes(b"x")
    (folder / "Travel.json").write_text(json.dumps({"entries": [
        {"uuid": "T1", "creationDate": "2024-01-01T00:00:00Z", "text": "hello",
         "audios": [{"identifier": "I", "md5": "abc", "format": "m4a"}]}]}))
    (folder / "Daily.json").write_text(json.dumps({"entries": [
        {"uuid": "D1", "creationDate": "2024-01-02T00:00:00Z", "text": "world"}]}))
    parsed = parse_dayone(folder, ZoneInfo("UTC"))
    assert [c.source_id for c in parsed.candidates] == ["D1", "T1", "T1/audio/I"]
    assert parsed.candidates[2].audio.load() == folder / "audios" / "abc.m4a"


def test_dayone_text_drops_placeholders_and_escapes():
    assert dayone_text("a\\.b ![](dayone-moment:/audio/ABC) c\\-d \\#tag") == "a.b  c-d #tag"


@pytest.mark.parametrize("content", [b"PK\x03\x04broken", b"{}", b"not json"])
def test_what_is_not_a_dayone_export_is_refused_whole(tmp_path, content):
    path = tmp_path / "Journal.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInput):
        parse_dayone(path, ZoneInfo("UTC"))


def test_a_missing_export_is_refused(tmp_path):
    with pytest.raises(InvalidInput):
        parse_dayone(tmp_path / "nope.zip", ZoneInfo("UTC"))


# -- Markdown and text ----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "expected"), [
    ("2024-03-05.md", datetime(2024, 3, 5, 0, 0)),
    ("2024-03-05 18.22.m4a", datetime(2024, 3, 5, 18, 22)),
    ("20240305_182200.m4a", datetime(2024, 3, 5, 18, 22)),
    ("Recording 2024-03-05 at 18.22.10.m4a", datetime(2024, 3, 5, 18, 22, 10)),
    ("Voice_20240305-1822.ogg", datetime(2024, 3, 5, 18, 22)),
    ("journal 2024_03_05.txt", datetime(2024, 3, 5)),
    ("Voice 001.m4a", None),
    ("2024-02-30.md", None),
    ("123420240305999.wav", None),
])
def test_dates_in_file_names(name, expected):
    found = date_from_name(name, BERLIN)
    assert found == (expected.replace(tzinfo=BERLIN) if expected else None)


@pytest.mark.parametrize(("heading", "expected"), [
    ("Tuesday, March 5, 2024", datetime(2024, 3, 5)),
    ("5 March 2024 — a long day", datetime(2024, 3, 5)),
    ("Mar 5th, 2024 6:22 pm", datetime(2024, 3, 5, 18, 22)),
    ("2024-03-05 18:22", datetime(2024, 3, 5, 18, 22)),
    ("Thoughts on honesty", None),
])
def test_dates_in_headings(heading, expected):
    found = date_in_text(heading, BERLIN)
    assert found == (expected.replace(tzinfo=BERLIN) if expected else None)


def test_front_matter_keys_lists_and_body():
    meta, body = parse_front_matter(
        "---\ntitle: \"A walk\"\ndate: 2024-03-05T18:22:00+01:00\ntags: [walk, Trust]\n"
        "mood: calm\nextra:\n  - one\n  - two\n---\nWe walked.\n")
    assert meta == {"title": "A walk", "date": "2024-03-05T18:22:00+01:00",
                    "tags": ["walk", "Trust"], "mood": "calm", "extra": ["one", "two"]}
    assert body == "We walked.\n"
    assert parse_front_matter("no front matter") == ({}, "no front matter")


def test_text_file_date_tags_mood_and_title():
    data = (b"---\ntitle: A walk\ndate: 2024-03-05 18:22\ntags:\n  - walk\nmood: Hopeful\n---\n"
            b"We walked by the river.\n")
    entry, skipped, notices = parse_text_file(data, "walk.md", BERLIN)
    assert skipped is None and notices == []
    assert entry.text == "A walk\n\nWe walked by the river."
    assert entry.created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC)
    assert (entry.tags, entry.mood, entry.timezone) == (("walk",), "hopeful", "Europe/Berlin")


def test_an_unknown_mood_is_kept_as_a_tag_with_a_note():
    entry, _, notices = parse_text_file(b"---\ndate: 2024-03-05\nmood: ecstatic\n---\nyay",
                                        "a.md", BERLIN)
    assert entry.mood is None and entry.tags == ("ecstatic",)
    assert "ecstatic" in notices[0]


def test_text_folder_dates_from_heading_and_name_and_every_skip(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "2024-03-05.md").write_text("Dinner without phones.\n")
    (tmp_path / "notes" / "talk.md").write_text("# Tuesday, March 12, 2024\n\nWe talked.\n")
    (tmp_path / "undated.txt").write_text("When?\n")
    (tmp_path / "2024-03-06.txt").write_text("   \n")
    (tmp_path / "bad.md").write_text("---\ndate: someday\n---\ntext\n")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "2024-03-07 copy.md").write_text("Dinner without phones.\n")
    (tmp_path / "copy of 2024-03-05.md").write_bytes((tmp_path / "2024-03-05.md").read_bytes())
    (tmp_path / ".hidden.md").write_text("ignored")
    (tmp_path / "latin1 2024-03-08.txt").write_bytes("caf\xe9".encode("cp1252"))
    parsed = parse_text_folder(tmp_path, BERLIN)
    by_label = {c.label: c for c in parsed.candidates}
    assert set(by_label) == {"2024-03-05.md", "notes/talk.md", "2024-03-07 copy.md",
                             "latin1 2024-03-08.txt"}
    assert by_label["notes/talk.md"].created_at == datetime(2024, 3, 11, 23, tzinfo=UTC)
    assert by_label["latin1 2024-03-08.txt"].text == "café"
    assert reasons(parsed) == {"undated.txt": "no_date", "2024-03-06.txt": "empty",
                               "bad.md": "bad_date", "photo.jpg": "not_text",
                               "binary.txt": "not_text",
                               "copy of 2024-03-05.md": "duplicate_in_source"}


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(InvalidInput):
        parse_text_folder(tmp_path / "nope", BERLIN)
    with pytest.raises(InvalidInput):
        parse_memo_folder(tmp_path / "nope", BERLIN)


# -- voice memos ----------------------------------------------------------------------------
MTIME = datetime(2023, 1, 2, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(("name", "tags", "expected", "how"), [
    ("memo.m4a", {"creation_time": "2024-03-05T17:22:00.000000Z"},
     datetime(2024, 3, 5, 17, 22, tzinfo=UTC), "metadata"),
    ("memo.m4a", {"com.apple.quicktime.creationdate": "2024-03-05T18:22:00+0100"},
     datetime(2024, 3, 5, 17, 22, tzinfo=UTC), "metadata"),
    ("2024-03-05 18.22.m4a", {"date": "2024"}, datetime(2024, 3, 5, 17, 22, tzinfo=UTC),
     "file name"),
    ("memo.ogg", {"date": "2024-03-05"}, datetime(2024, 3, 4, 23, 0, tzinfo=UTC), "metadata"),
    ("20240305_182200.m4a", {"creation_time": "1970-01-01T00:00:00Z"},
     datetime(2024, 3, 5, 17, 22, tzinfo=UTC), "file name"),
    ("Voice 001.m4a", {}, MTIME, "file time"),
])
def test_memo_dates_from_metadata_then_name_then_file_time(name, tags, expected, how):
    when, source = memo_recorded_at(name, tags, MTIME, BERLIN)
    assert (when.astimezone(UTC), source) == (expected, how)


def test_memo_folder_lists_audio_reports_the_rest_and_dedupes_by_content(tmp_path):
    (tmp_path / "a 2024-03-05 18.22.wav").write_bytes(b"RIFF....")
    (tmp_path / "same as a.wav").write_bytes(b"RIFF....")
    (tmp_path / "empty.m4a").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("x")
    parsed = parse_memo_folder(tmp_path, BERLIN, read_tags=lambda _p: {})
    (memo,) = parsed.candidates
    assert memo.label == "a 2024-03-05 18.22.wav" and memo.audio is not None
    assert memo.created_at == datetime(2024, 3, 5, 17, 22, tzinfo=UTC)
    assert memo.timezone == "Europe/Berlin"
    assert reasons(parsed) == {"same as a.wav": "duplicate_in_source",
                               "empty.m4a": "broken_audio", "notes.txt": "not_audio"}


# -- small rules ----------------------------------------------------------------------------
def test_tags_are_cleaned_and_every_dropped_one_is_noted():
    notices: list[str] = []
    many = [f"t{i}" for i in range(15)]
    tags = clean_tags(["@Work", "#work", "  two  words ", 'say "hi"', "x" * 41, "", 3, None,
                       *many], "e1", notices)
    assert tags[:3] == ("work", "two words", "3")
    assert len(tags) == 12
    assert len(notices) == 3


def test_long_text_is_split_at_paragraphs_within_the_limit():
    text = "\n\n".join(["word " * 30] * 10)
    parts = split_text(text, limit=400)
    assert all(len(p) <= 400 for p in parts) and len(parts) > 1
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert split_text("x" * 1000, limit=300) == ["x" * 300] * 3 + ["x" * 100]
