"""Export, then import into an empty data dir: every entry the person wrote comes back field
by field (words, timed segments, the recording's samples, the exact time and its zone, tags,
mood, journal, prompt, the edit mark, and their own responses). A partner's entries are in
the export, which they may read, and reported on import, never taken over as the
importer's."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from tests.unit.entries_seed import BACKENDS, PASSPHRASES, cleanup, invoker, make_env, seed

pytestmark = pytest.mark.unit


def snapshot(settings: Any, name: str) -> dict[str, dict[str, Any]]:
    """What ``name`` reads of their own entries, by exact creation time."""
    from confide.models.accounts import sign_in
    from confide.models.entries import get_entry, list_entries
    from confide.models.import_marks import source_timezones
    from confide.models.responses import list_responses
    from confide.models.sealing import require_keys, use_keys
    from confide.wiring import audio_store, cli_session

    store = audio_store(settings)
    found: dict[str, dict[str, Any]] = {}
    with cli_session(settings) as s:
        person, unlocked = sign_in(s, name, PASSPHRASES[name])
        use_keys(s, unlocked)
        rows = list_entries(s, person, limit=200).entries
        zones = source_timezones(s, [r.id for r in rows if r.id])
        for row in rows:
            if row.author_id != person.id:
                continue
            assert row.id is not None
            entry = get_entry(s, person, row.id)
            samples = None
            if entry.audio_path:
                key = require_keys(s, person).data_key(s, "entry", row.id, person.couple_id)
                samples, rate = sf.read(io.BytesIO(store.read_audio(entry.audio_path, key)),
                                        dtype="int16")
                samples = (samples, rate)
            found[entry.created_at.isoformat()] = {
                "transcript": entry.transcript, "segments": entry.segments,
                "language": entry.language, "word_count": entry.word_count,
                "tags": entry.tags, "mood": entry.mood, "status": entry.status,
                "journal": "private" if entry.journal_id == _private(s, person) else "shared",
                "prompt_id": entry.prompt_id, "prompt_text": entry.prompt_text,
                "edited_at": entry.edited_at, "audio": samples,
                "audio_duration_s": entry.audio_duration_s,
                "timezone": zones.get(row.id, person.timezone),
                "responses": [(r.text, r.created_at) for r in list_responses(s, person, row.id)
                              if r.author_id == person.id],
            }
    return found


def _private(session: Any, person: Any) -> int:
    from confide.models.visibility import viewer_for

    return viewer_for(session, person).private_journal_id


def _pair(settings: Any) -> None:
    from confide.models.accounts import register
    from confide.models.couples import create_invite, join_couple
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        alex = register(s, "Alex", PASSPHRASES["Alex"], timezone="Europe/Berlin")
        sam = register(s, "Sam", PASSPHRASES["Sam"])
        join_couple(s, sam, create_invite(s, alex, timedelta(hours=1)).code)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dayone_export_then_import_reproduces_every_entry(tmp_path, monkeypatch, backend):
    source = make_env(tmp_path / "source", monkeypatch, backend)
    ids = seed(source)
    from confide.models.accounts import sign_in
    from confide.models.entries import edit_entry
    from confide.models.sealing import use_keys
    from confide.wiring import cli_session

    with cli_session(source) as s:
        alex, unlocked = sign_in(s, "Alex", PASSPHRASES["Alex"])
        use_keys(s, unlocked)
        edit_entry(s, alex, ids["alex_spoken"], transcript="We walked, and it felt calm.")
    jrnl = tmp_path / "old.json"
    jrnl.write_text(json.dumps({"entries": [
        {"title": "From New York.", "body": "A late note.", "date": "2024-03-07",
         "time": "23:40", "tags": ["@travel"]}]}))
    imported = invoker("import")("jrnl", str(jrnl), "--tz", "America/New_York")
    assert imported.exit_code == 0, imported.output
    before = snapshot(source, "Alex")
    assert len(before) == 3
    exported = tmp_path / "journal.dayone.zip"
    result = invoker("export")(str(exported), "--format", "dayone")
    assert result.exit_code == 0, result.output
    cleanup(source)

    target = make_env(tmp_path / "target", monkeypatch, backend)
    _pair(target)
    result = invoker("import")("dayone", str(exported), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sum(len(i["entry_ids"]) for i in report["imported"]) == 3
    assert [(s["reason"], "Sam" in s["message"]) for s in report["skipped"]] == [
        ("partner_entry", True)]
    assert report["transcription"].get("waiting", 0) == 0, "no second transcription"
    after = snapshot(target, "Alex")
    assert sorted(after) == sorted(before)
    for when, old in before.items():
        new = after[when]
        for field in old:
            if field == "audio" and old["audio"] is not None:
                (a, rate_a), (b, rate_b) = old["audio"], new["audio"]
                assert rate_a == rate_b and a.shape == b.shape, when
                assert np.array_equal(a, b), "the recording's samples, decoded, are equal"
                continue
            assert new[field] == old[field], (when, field)
    assert any(o["edited_at"] is not None for o in after.values())
    assert {o["timezone"] for o in after.values()} == {"Europe/Berlin", "America/New_York"}
    assert any(o["responses"] for o in after.values())
    again = invoker("import")("dayone", str(exported), "--json")
    assert json.loads(again.stdout)["imported"] == [], "importing twice adds nothing"
    cleanup(target)
