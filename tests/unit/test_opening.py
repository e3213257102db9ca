"""The early greeting: read from a real migrated SQLite file exactly as resolve_person chooses,
or not at all when that cannot be certain."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from confide.models import accounts
from confide.models.db import session_scope
from confide.settings import Settings
from confide.voice.opening import local_time, read_person, speak_greeting
from confide.voice.ports import Speaker
from confide.voice.speech import FakeSynthesizer
from confide.wiring import database, resolve_person

pytestmark = pytest.mark.unit


class RecordingSpeaker(Speaker):
    def __init__(self) -> None:
        self.calls: list[tuple[int, bool]] = []

    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        self.calls.append((samples.shape[0], wait))

    def stop(self) -> None:
        return None

    def wait(self) -> None:
        return None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", person=None)


def add(settings: Settings, name: str, **prefs: object) -> int:
    with session_scope(database(settings)) as s:
        person = accounts.register(s, name)
        if prefs:
            accounts.update_preferences(s, person, accounts.Preferences(**prefs))  # type: ignore[arg-type]
        assert person.id is not None
        return person.id


def test_no_database_yet_means_no_early_greeting(settings: Settings) -> None:
    assert read_person(settings, None) is None
    assert read_person(settings, "Sam") is None


def test_the_only_person_is_read_with_their_voice_and_clock(settings: Settings) -> None:
    pid = add(settings, "Sam", tts_rate=120, tts_volume=0.5, timezone="Australia/Sydney")
    card = read_person(settings, None)
    assert card is not None
    assert (card.id, card.name, card.rate, card.volume, card.timezone) == (
        pid, "Sam", 120, 0.5, "Australia/Sydney")


def test_the_same_person_as_resolve_person_or_none(settings: Settings) -> None:
    sam, alex = add(settings, "Sam"), add(settings, "Alex Rivera")
    assert read_person(settings, None) is None, "two people and no name: the session asks"
    card = read_person(settings, "  alex   RIVERA ")
    assert card is not None and card.id == alex
    with session_scope(database(settings)) as s:
        assert resolve_person(s, settings, "  alex   RIVERA ").id == card.id
    assert read_person(settings, "Nobody") is None
    named = Settings(data_dir=settings.data_dir, person="sam")
    by_setting = read_person(named, None)
    assert by_setting is not None and by_setting.id == sam


def test_not_sqlite_or_not_a_database_means_no_early_greeting(settings: Settings) -> None:
    pg = Settings(data_dir=settings.data_dir,
                  database_url="postgresql+psycopg://confide@localhost/confide")
    assert read_person(pg, None) is None
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "confide.db").write_bytes(b"not a database at all" * 100)
    assert read_person(settings, None) is None


def test_hello_is_in_the_persons_time_and_does_not_wait(settings: Settings) -> None:
    add(settings, "Sam", timezone="Asia/Kolkata")
    card = read_person(settings, None)
    assert card is not None
    speaker = RecordingSpeaker()
    # 14:00 UTC is 19:30 in Kolkata: evening there, whatever the server's clock says.
    said = speak_greeting(card, settings, speaker, FakeSynthesizer(),
                          datetime(2026, 11, 29, 14, 0, tzinfo=UTC))
    assert said == "Good evening, Sam."
    assert len(speaker.calls) == 1 and speaker.calls[0][0] > 0
    assert speaker.calls[0][1] is False, "the database layer loads while hello plays"


def test_local_time_tolerates_an_unknown_zone() -> None:
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert local_time(moment, "Europe/Berlin").hour == 1
    assert local_time(moment, "Not/A_Zone") == moment
    assert local_time(moment.replace(tzinfo=None), "Europe/Berlin").hour == 1


def test_a_relative_database_path_works_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=tmp_path / "data", person=None)
    add(settings, "Sam")
    monkeypatch.chdir(tmp_path)
    relative = Settings(data_dir=tmp_path / "data", person=None,
                        database_url="sqlite:///data/confide.db")
    card = read_person(relative, None)
    assert card is not None and card.name == "Sam"
