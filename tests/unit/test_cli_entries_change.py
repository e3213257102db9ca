"""`confide entries tag|untag|mood|share|unshare|edit|delete` on a real database (SQLite;
PostgreSQL too when CONFIDE_TEST_POSTGRES_URL is set): every change goes through the
journal's operations, only the author changes an entry, the recording never changes, and
a deletion takes the recording and the responses with it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.unit.entries_seed import BACKENDS, cleanup, invoker, listed, make_env, ok, seed

pytestmark = pytest.mark.unit


@pytest.fixture(params=BACKENDS)
def journal(request, tmp_path, monkeypatch):
    settings = make_env(tmp_path, monkeypatch, request.param)
    yield settings, seed(settings)
    cleanup(settings)


@pytest.fixture
def cli():
    return invoker("entries")


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
    from confide.models.tables import Entry
    from confide.wiring import audio_store, cli_session

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
    from confide.models.tables import Entry, Response
    from confide.wiring import audio_store, cli_session

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
