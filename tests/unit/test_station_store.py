"""The voice station keeps its recordings in the configured audio store: with
``CONFIDE_AUDIO_STORE=database`` a reply it files is a row of the shared database, which the
API and the transcription workers of other machines read, and nothing is left in this
machine's folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import soundfile as sf

from confide.settings import Settings
from confide.voice.phrases import P
from tests.unit.test_station import _station_session, _unfinished_reply

pytestmark = pytest.mark.unit


def test_a_station_files_a_reply_in_the_shared_database_store(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    from confide.models.entries import list_entries
    from confide.models.sealing import use_keys
    from confide.models.storage import open_audio_store
    from confide.models.tables import AudioBlob, Entry, Person
    from confide.wiring import cli_session, database

    settings = Settings(data_dir=tmp_path / "station", audio_store="database")
    person_id, keys = _unfinished_reply(settings, "Robin", "robin passphrase")
    voice, background = _station_session(settings, monkeypatch, person_id, {person_id: keys})
    try:
        assert voice.notices() == [P.RECOVERED.format(words=", 4 words")]
    finally:
        background.shutdown()
    with cli_session(settings) as s:
        use_keys(s, keys)
        person = s.get(Person, person_id)
        assert person is not None
        (row,) = list_entries(s, person).entries
        entry = s.get(Entry, row.id)
        assert entry is not None and entry.audio_path is not None
        assert s.get(AudioBlob, entry.audio_path) is not None
        data_key = keys.data_key(s, "entry", entry.id, person.couple_id)
    on_disk = [p for p in settings.audio_dir.rglob("*") if p.is_file()] \
        if settings.audio_dir.exists() else []
    assert on_disk == []
    # Another machine, with only the database in common, reads the recording.
    elsewhere = open_audio_store("database", tmp_path / "elsewhere", database(settings))
    samples, _rate = sf.read(io.BytesIO(elsewhere.read_audio(entry.audio_path, data_key)))
    assert len(samples) == 50 * 1600  # the whole reply the stopped process left
    # Replies said in this session go to the same store.
    assert type(voice.store) is type(elsewhere)
