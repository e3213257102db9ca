"""The voice loop's conversation logic with fakes for the devices and engines (the real
ones are exercised end to end in tests/audio). Each listening turn gets a scripted line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlmodel import select

from models import accounts
from models.db import session_scope
from models.storage import AudioStore
from models.tables import Entry, Person
from voice.listener import Listener
from voice.pending import PendingRecording, find_pending
from voice.ports import Microphone, Speaker
from voice.recovery import recover
from voice.session import Voice, VoiceSession
from voice.speech import FakeSynthesizer
from voice.transcriber import FakeTranscriber
from voice.vad import EnergyVoiceActivity, VadTracker

pytestmark = pytest.mark.unit


class ScriptedMicrophone(Microphone):
    """Per listening turn: ``seconds`` of loud 'speech', then silence for as long as asked."""

    def __init__(self, turns: list[float]) -> None:
        self.turns = list(turns)
        self.opened = 0

    def blocks(self, block_s: float = 0.032) -> Iterator[np.ndarray]:
        self.opened += 1
        seconds = self.turns.pop(0) if self.turns else 0.0
        n = int(16000 * block_s)
        rng = np.random.default_rng(self.opened)
        for _ in range(int(seconds / block_s)):
            yield (0.3 * rng.standard_normal(n)).astype(np.float32)
        while True:
            yield np.zeros(n, dtype=np.float32)


class SilentSpeaker(Speaker):
    def __init__(self) -> None:
        self.played = 0

    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        self.played += 1

    def stop(self) -> None:
        return None

    def wait(self) -> None:
        return None


def _session(engine, tmp_path, person_id: int, lines: list[tuple[str, float]]) -> VoiceSession:
    mic = ScriptedMicrophone([s for _, s in lines])
    stt = FakeTranscriber([t for t, _ in lines])
    listener = Listener(mic, stt, lambda: VadTracker(EnergyVoiceActivity()))
    return VoiceSession(
        engine=engine, store=AudioStore(tmp_path / "audio"), person_id=person_id,
        speaker=SilentSpeaker(), synthesizer=FakeSynthesizer(), listener=listener,
        pending_dir=tmp_path / "pending", defaults=Voice(None, 165, 1.0),
        pause_allowance_s=3.0, max_reply_s=None, crisis_line="the test crisis line",
        now=lambda: datetime(2026, 11, 29, 20, 0, tzinfo=UTC))


@pytest.fixture
def alex_id(engine, cast):
    assert cast.alex.id is not None
    return cast.alex.id


def _entries(engine) -> list[Entry]:
    with session_scope(engine) as s:
        return list(s.exec(select(Entry)))


def test_a_reply_is_saved_without_its_closing_phrase_and_confirmed(engine, tmp_path, alex_id):
    session = _session(engine, tmp_path, alex_id, [
        ("I kept my promise tonight. That's it, I'm done.", 4.0),  # the reply
        ("Keep it private", 1.0),
        ("No thanks", 1.0),  # follow-up offer (when the prompt has one)
        ("", 0.0), ("", 0.0),
    ])
    report = session.run()
    rows = _entries(engine)
    assert len(rows) == 1 and rows[0].transcript == "I kept my promise tonight."
    assert rows[0].audio_path and rows[0].status == "ready"
    assert "Saved to your private journal, 5 words." in report.spoken
    assert not list((tmp_path / "pending").glob("*.pcm"))  # filed, so nothing left pending


def test_silence_saves_nothing_and_says_so(engine, tmp_path, alex_id):
    session = _session(engine, tmp_path, alex_id, [("", 0.0)] * 3)
    report = session.run()
    assert _entries(engine) == []
    assert any("didn't hear anything" in s for s in report.spoken)


def test_delete_that_asks_first_then_deletes_recording_and_all(engine, tmp_path, alex_id):
    session = _session(engine, tmp_path, alex_id, [
        ("Something I would rather not keep.", 3.0), ("Delete that.", 1.0), ("Yes.", 0.5),
        ("", 0.0), ("", 0.0),
    ])
    report = session.run()
    assert _entries(engine) == []
    assert not list((tmp_path / "audio").rglob("*.flac"))
    assert any("Delete this reply for good" in s for s in report.spoken)


def test_share_it_moves_the_reply_to_the_shared_journal(engine, tmp_path, alex_id, cast):
    session = _session(engine, tmp_path, alex_id, [
        ("Dinner without phones felt good.", 3.0), ("Share it with Sam.", 1.0),
        ("No.", 0.5), ("", 0.0), ("", 0.0),
    ])
    report = session.run()
    from models.entries import list_entries

    with session_scope(engine) as s:
        sam = s.get(Person, cast.sam.id)
        assert [e.transcript for e in list_entries(s, sam).entries] == [
            "Dinner without phones felt good."]
    assert "Shared with Sam. They can listen and answer now." in report.spoken


def test_slower_is_confirmed_and_kept_as_a_preference(engine, tmp_path, alex_id):
    session = _session(engine, tmp_path, alex_id, [
        ("Today was fine.", 2.0), ("Slower please", 1.0), ("Keep it private", 1.0),
        ("", 0.0), ("", 0.0),
    ])
    report = session.run()
    assert "Speaking slower." in report.spoken
    with session_scope(engine) as s:
        assert accounts.get_person(s, alex_id).tts_rate == 140


def test_feeling_unsafe_offers_help_with_the_crisis_line(engine, tmp_path, alex_id):
    session = _session(engine, tmp_path, alex_id, [
        ("I don't feel safe at home right now.", 3.0), ("Resume", 1.0), ("Stop", 1.0),
    ])
    report = session.run()
    assert any("the test crisis line" in s for s in report.spoken)


def test_stop_at_the_prompt_ends_kindly_and_saves_nothing(engine, tmp_path, alex_id):
    session = _session(engine, tmp_path, alex_id, [("I'm done.", 1.0)])
    report = session.run()
    assert _entries(engine) == []
    assert report.spoken[-1].startswith("Thank you for taking this time")


def test_a_reply_cut_off_by_a_crash_is_filed_and_transcribed_at_next_start(engine, tmp_path,
                                                                           alex_id):
    pending = PendingRecording.begin(tmp_path / "pending", person_id=alex_id, journal="private",
                                     prompt_id="self-proud-small")
    for _ in range(50):
        pending.append(np.full(1600, 0.1, dtype=np.float32))
    # The process "dies" here: the OS closes its file, the note and audio stay on disk.
    pending.close()
    assert find_pending(tmp_path / "pending")
    store = AudioStore(tmp_path / "audio")
    found = recover(engine, store, tmp_path / "pending", FakeTranscriber(["I was saying that"]))
    assert [r.words for r in found] == [4]
    rows = _entries(engine)
    assert len(rows) == 1 and rows[0].transcript == "I was saying that"
    assert rows[0].audio_duration_s == pytest.approx(5.0)
    assert find_pending(tmp_path / "pending") == []
    # Running recovery again files nothing twice.
    assert recover(engine, store, tmp_path / "pending", FakeTranscriber()) == []
    assert len(_entries(engine)) == 1
