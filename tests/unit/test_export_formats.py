"""`confide export --format zip|dayone|jrnl|txt`: each in its documented shape, narrowed by
dates and journal, and never holding what the exporting person may not see."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.unit.entries_seed import invoker, seeded_once

pytestmark = pytest.mark.unit

SAM_PRIVATE = "My own secret garden words."


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One journal for the module: exporting reads it and changes nothing."""
    with seeded_once(tmp_path_factory, "sqlite") as journal:
        yield journal


@pytest.fixture
def journal(seeded, monkeypatch):
    yield seeded.use(monkeypatch)
    seeded.release()


@pytest.fixture
def export(tmp_path):
    cli = invoker("export")

    def run(fmt: str, *args: str, who: str = "Alex") -> bytes:
        out = tmp_path / f"out-{fmt}-{who}"
        result = cli(str(out), "--format", fmt, *args, who=who)
        assert result.exit_code == 0, result.output
        return bytes(out.read_bytes())

    return run


def _dayone(data: bytes) -> tuple[dict[str, Any], zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read("Journal.json")), archive


def test_dayone_export_is_in_day_ones_shape_with_its_audios(journal, export):
    _settings, ids = journal
    doc, archive = _dayone(export("dayone"))
    assert doc["metadata"]["version"] == "1.0"
    assert doc["metadata"]["confide"]["exported_by"] == "Alex", "whose journal it is"
    assert [e["confide"]["id"] for e in doc["entries"]] == [
        ids["alex_private"], ids["alex_spoken"], ids["sam_shared"]]
    written, spoken, partner = doc["entries"]
    assert len(written["uuid"]) == 32 and written["uuid"] == written["uuid"].upper()
    assert written["creationDate"] == "2024-03-05T18:22:07Z"
    assert written["timeZone"] == "Europe/Berlin" and written["starred"] is True
    assert written["tags"] == ["trust"]
    assert written["text"] == "Über-honest talk 💬 about trust.\n\nWe \\*listened\\*, \\[really\\]."
    assert "audios" not in written
    (audio,) = spoken["audios"]
    data = archive.read(f"audios/{audio['md5']}.flac")
    assert hashlib.md5(data).hexdigest() == audio["md5"] and data.startswith(b"fLaC")
    assert audio["format"] == "flac" and audio["duration"] == 1.5
    assert partner["confide"]["mine"] is False and partner["confide"]["author"] == "Sam"
    assert SAM_PRIVATE not in json.dumps(doc, ensure_ascii=False)
    assert [r["text"] for r in spoken["confide"]["responses"]] == [
        "I loved it too.", "Let's walk again Sunday."]


def test_the_same_entry_keeps_its_uuid_from_export_to_export(journal, export):
    first, _ = _dayone(export("dayone"))
    second, _ = _dayone(export("dayone"))
    assert [e["uuid"] for e in first["entries"]] == [e["uuid"] for e in second["entries"]]


def test_jrnl_export_reads_back_with_the_jrnl_importer(journal, export):
    from confide.models.import_jrnl import parse_jrnl

    data = export("jrnl")
    doc = json.loads(data)
    assert set(doc) == {"tags", "entries", "confide"} and doc["tags"] == {"@trust": 1, "@walk": 1}
    assert doc["confide"]["exported_by"] == "Alex" and len(doc["confide"]["person_key"]) == 64
    first = doc["entries"][0]
    assert first == {"title": "Über-honest talk 💬 about trust.",
                     "body": "We *listened*, [really].", "date": "2024-03-05", "time": "19:22",
                     "tags": ["@trust"], "starred": True}
    parsed = parse_jrnl(data, ZoneInfo("Europe/Berlin"))
    assert [c.text for c in parsed.candidates][:1] == [
        "Über-honest talk 💬 about trust.\nWe *listened*, [really]."]
    assert parsed.candidates[0].tags == ("trust", "starred")
    assert parsed.exported_by is not None and parsed.exported_by.name == "Alex"
    assert SAM_PRIVATE not in data.decode()


def test_plain_text_export(journal, export):
    text = export("txt").decode()
    assert text.startswith("Alex's Confide journal\n")
    assert "2024-03-05 19:22 (Europe/Berlin), Alex, private journal\n" \
           "Prompt: What helped you trust today?\nTags: trust, starred; Mood: calm\n" in text
    assert "Sam answered: I loved it too." in text and SAM_PRIVATE not in text


def test_zip_export_keeps_its_shape(journal, export):
    _settings, ids = journal
    archive = zipfile.ZipFile(io.BytesIO(export("zip")))
    doc = json.loads(archive.read("journal.json"))
    assert {e["id"] for e in doc["entries"]} == {ids["alex_private"], ids["alex_spoken"],
                                                 ids["sam_shared"]}
    assert f"audio/entry-{ids['alex_spoken']}.flac" in archive.namelist()
    assert SAM_PRIVATE not in archive.read("journal.md").decode()


@pytest.mark.parametrize("fmt", ["zip", "dayone", "jrnl", "txt"])
@pytest.mark.parametrize(("args", "names"), [
    (["--journal", "private"], ["alex_private"]),
    (["--journal", "shared"], ["alex_spoken", "sam_shared"]),
    (["--from", "2024-03-06", "--to", "2024-03-08"], ["alex_spoken"]),
    (["--to", "2024-03-05"], ["alex_private"]),
])
def test_dates_and_journal_narrow_every_format(journal, export, fmt, args, names):
    _settings, _ids = journal
    words = {"alex_private": "Über-honest", "alex_spoken": "We walked",
             "sam_shared": "garden walk"}
    data = export(fmt, *args)
    if fmt in ("zip", "dayone"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        data = archive.read("journal.json" if fmt == "zip" else "Journal.json")
    text = data.decode()
    for name, word in words.items():
        assert (word in text) is (name in names), (name, fmt)


def test_partner_sees_only_what_is_shared_and_an_outsider_nothing(journal, export):
    sam = export("txt", who="Sam").decode()
    assert SAM_PRIVATE in sam and "Über-honest" not in sam and "We walked" in sam
    lee, _ = _dayone(export("dayone", who="Lee"))
    assert lee["entries"] == []


def test_export_needs_the_passphrase_and_a_known_format(journal, tmp_path):
    cli = invoker("export")
    locked = cli(str(tmp_path / "x.zip"), "--format", "dayone", passphrase="")
    assert locked.exit_code == 1 and not (tmp_path / "x.zip").exists()
    bad = cli(str(tmp_path / "x.zip"), "--format", "xml")
    assert bad.exit_code == 2 and "--format is one of" in bad.stderr
