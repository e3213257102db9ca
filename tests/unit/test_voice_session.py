"""The voice session's runner with fakes for the devices and engines (the real ones are
exercised end to end in tests/audio): the dialog's effects carried out against a real
journal, sealed at rest. Each listening turn gets a scripted line. Every path of the
conversation itself is tested, without a database, in test_dialog.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlmodel import select

from confide.models import accounts, keys, sealing
from confide.models.db import session_scope
from confide.models.keys import Keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person
from confide.voice.listener import Listener
from confide.voice.pending import PendingRecording, find_pending
from confide.voice.phrases import P, render
from confide.voice.ports import Microphone, Speaker
from confide.voice.recovery import recover
from confide.voice.session import Voice, VoiceSession
from confide.voice.speech import FakeSynthesizer
from confide.voice.transcriber import FakeTranscriber
from confide.voice.vad import EnergyVoiceActivity, VadTracker

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


def _session(engine, tmp_path, person_id: int, lines: list[tuple[str, float]],
             unlocked: Keys | None) -> VoiceSession:
    mic = ScriptedMicrophone([s for _, s in lines])
    stt = FakeTranscriber([t for t, _ in lines])
    listener = Listener(mic, stt, lambda: VadTracker(EnergyVoiceActivity()))
    session = VoiceSession(
        engine=engine, store=AudioStore(tmp_path / "audio"), person_id=person_id,
        speaker=SilentSpeaker(), synthesizer=FakeSynthesizer(), listener=listener,
        pending_dir=tmp_path / "pending", defaults=Voice(None, 165, 1.0),
        pause_allowance_s=3.0, max_reply_s=None, crisis_line="the test crisis line",
        now=lambda: datetime(2026, 11, 29, 20, 0, tzinfo=UTC))
    session.unlocked = unlocked  # as the station sets it once the person unlocked
    return session


@pytest.fixture
def alex_id(engine, cast):
    assert cast.alex.id is not None
    return cast.alex.id


@pytest.fixture
def alex_keys(cast) -> Keys:
    unlocked: Keys = cast.keys["Alex"]
    return unlocked


def _entries(engine, unlocked: Keys | None = None) -> list[Entry]:
    """Every entry; with ``unlocked``, the author's words opened (they are sealed at rest)."""
    with session_scope(engine) as s:
        rows = list(s.exec(select(Entry)))
        if unlocked is not None:
            person = accounts.get_person(s, unlocked.person_id)
            sealing.open_entries(s, unlocked, rows, person.couple_id)
        return rows


def test_a_reply_is_saved_without_its_closing_phrase_and_confirmed(engine, tmp_path, alex_id,
                                                                  alex_keys):
    session = _session(engine, tmp_path, alex_id, [
        ("I kept my promise tonight. That's it, I'm done.", 4.0),  # the reply
        ("Keep it private", 1.0),
        ("No thanks", 1.0),  # follow-up offer (when the prompt has one)
        ("", 0.0), ("", 0.0),
    ], alex_keys)
    report = session.run()
    rows = _entries(engine, alex_keys)
    assert len(rows) == 1 and rows[0].transcript == "I kept my promise tonight."
    assert rows[0].audio_path and rows[0].status == "ready"
    assert render(P.SAVED_PRIVATE, {"words": "5 words"}) in report.spoken
    assert not list((tmp_path / "pending").iterdir())  # filed, so nothing left pending


def test_silence_saves_nothing_and_says_so(engine, tmp_path, alex_id, alex_keys):
    session = _session(engine, tmp_path, alex_id, [("", 0.0)] * 3, alex_keys)
    report = session.run()
    assert _entries(engine) == []
    assert "NO_SPEECH" in report.keys


def test_delete_that_asks_first_then_deletes_recording_and_all(engine, tmp_path, alex_id,
                                                                alex_keys):
    session = _session(engine, tmp_path, alex_id, [
        ("Something I would rather not keep.", 3.0), ("Delete that.", 1.0), ("Yes.", 0.5),
        ("", 0.0), ("", 0.0),
    ], alex_keys)
    report = session.run()
    assert _entries(engine) == []
    assert not list((tmp_path / "audio").rglob("*.sealed"))
    assert "CONFIRM_DELETE" in report.keys and "DELETED" in report.keys


def test_share_it_moves_the_reply_to_the_shared_journal(engine, tmp_path, alex_id, alex_keys,
                                                        cast):
    session = _session(engine, tmp_path, alex_id, [
        ("Dinner without phones felt good.", 3.0), ("Share it with Sam.", 1.0),
        ("No.", 0.5), ("", 0.0), ("", 0.0),
    ], alex_keys)
    report = session.run()
    from confide.models.entries import list_entries

    with session_scope(engine) as s:
        sealing.use_keys(s, cast.keys["Sam"])  # Sam reads it with Sam's own keys
        sam = s.get(Person, cast.sam.id)
        assert [e.transcript for e in list_entries(s, sam).entries] == [
            "Dinner without phones felt good."]
    assert P.SHARED.format(partner="Sam") in report.spoken


def test_slower_is_confirmed_and_kept_as_a_preference(engine, tmp_path, alex_id, alex_keys):
    session = _session(engine, tmp_path, alex_id, [
        ("Today was fine.", 2.0), ("Slower please", 1.0), ("Keep it private", 1.0),
        ("", 0.0), ("", 0.0),
    ], alex_keys)
    report = session.run()
    assert "SLOWER" in report.keys
    with session_scope(engine) as s:
        assert accounts.get_person(s, alex_id).tts_rate == 140


def test_feeling_unsafe_offers_help_with_the_crisis_line(engine, tmp_path, alex_id, alex_keys):
    session = _session(engine, tmp_path, alex_id, [
        ("I don't feel safe at home right now.", 3.0), ("Resume", 1.0), ("Stop", 1.0),
    ], alex_keys)
    report = session.run()
    assert P.SAFETY.format(crisis_line="the test crisis line") in report.spoken


def test_stop_at_the_prompt_ends_kindly_and_saves_nothing(engine, tmp_path, alex_id, alex_keys):
    session = _session(engine, tmp_path, alex_id, [("I'm done.", 1.0)], alex_keys)
    report = session.run()
    assert _entries(engine) == []
    assert report.keys[-2:] == ["PROGRESS", "GOODBYE"]


def test_the_partners_news_is_played_marked_read_and_not_offered_again(engine, tmp_path,
                                                                       alex_id, alex_keys, cast):
    from confide.models.entries import create_written_entry, news_for

    with session_scope(engine) as s:
        sealing.use_keys(s, cast.keys["Sam"])
        sam = s.get(Person, cast.sam.id)
        assert sam is not None
        create_written_entry(s, sam, "I felt close to you at dinner.", journal="shared")
    session = _session(engine, tmp_path, alex_id, [
        ("Yes please.", 1.0), ("No.", 0.5), ("", 0.0), ("", 0.0),
    ], alex_keys)
    report = session.run()
    assert report.keys[1] == "NEWS_OFFER_ONE"
    assert "I felt close to you at dinner." in report.spoken  # opened with Alex's keys
    assert "ANSWER_OFFER" in report.keys
    with session_scope(engine) as s:
        assert news_for(s, accounts.get_person(s, alex_id)) == []


def test_locked_the_news_is_named_but_nothing_sealed_is_spoken(engine, tmp_path, alex_id,
                                                               cast):
    from confide.models.entries import create_written_entry

    with session_scope(engine) as s:
        sealing.use_keys(s, cast.keys["Sam"])
        sam = s.get(Person, cast.sam.id)
        assert sam is not None
        create_written_entry(s, sam, "Something only Alex may hear.", journal="shared")
    session = _session(engine, tmp_path, alex_id, [("", 0.0), ("", 0.0)], None)
    report = session.run()
    assert report.keys[1] == "LOCKED_NEWS"
    assert not any("only Alex" in line for line in report.spoken)


def test_locked_a_reply_is_still_saved_read_back_and_shared(engine, tmp_path, alex_id, cast):
    session = _session(engine, tmp_path, alex_id, [
        ("We cooked together tonight.", 3.0), ("Read it back.", 1.0), ("Share it.", 1.0),
        ("No.", 0.5), ("", 0.0),
    ], None)
    report = session.run()
    assert "We cooked together tonight." in report.spoken  # with the reply's own key
    assert P.SHARED.format(partner="Sam") in report.spoken
    from confide.models.entries import list_entries

    with session_scope(engine) as s:
        sealing.use_keys(s, cast.keys["Sam"])  # Sam reads it with Sam's own keys
        sam = s.get(Person, cast.sam.id)
        assert [e.transcript for e in list_entries(s, sam).entries] == [
            "We cooked together tonight."]


def test_a_goal_check_in_is_stored(engine, tmp_path, alex_id, alex_keys):
    from confide.models import goals

    with session_scope(engine) as s:
        sealing.use_keys(s, alex_keys)
        goal = goals.create_goal(s, accounts.get_person(s, alex_id), "No phones at dinner", "")
        goal_id = goal.id
    session = _session(engine, tmp_path, alex_id, [("", 0.0), ("Four.", 0.5), ("No.", 0.5)],
                       alex_keys)
    report = session.run()
    assert "GOAL_CHECKIN" in report.keys
    assert render(P.GOAL_SAVED, {"rating": "four"}) in report.spoken
    with session_scope(engine) as s:
        sealing.use_keys(s, alex_keys)
        assert goal_id is not None
        checkins = goals.list_checkins(s, accounts.get_person(s, alex_id), goal_id)
        assert [c.rating for c in checkins] == [4]


def _public_key(engine, person_id: int) -> bytes:
    with session_scope(engine) as s:
        return keys.public_key(s, ("person", person_id))


def test_a_reply_cut_off_by_a_crash_is_filed_and_transcribed_at_next_start(engine, tmp_path,
                                                                           alex_id, alex_keys):
    pending = PendingRecording.begin(tmp_path / "pending", person_id=alex_id,
                                     public_key=_public_key(engine, alex_id), journal="private",
                                     prompt_id="self-proud-small")
    for _ in range(50):
        pending.append(np.full(1600, 0.1, dtype=np.float32))
    # The process "dies" here: the OS closes its file, the note and audio stay on disk.
    pending.close()
    assert find_pending(tmp_path / "pending")
    store = AudioStore(tmp_path / "audio")
    unlocked = {alex_id: alex_keys}
    found = recover(engine, store, tmp_path / "pending", FakeTranscriber(["I was saying that"]),
                    unlocked)
    assert [r.words for r in found] == [4]
    rows = _entries(engine, alex_keys)
    assert len(rows) == 1 and rows[0].transcript == "I was saying that"
    assert rows[0].audio_duration_s == pytest.approx(5.0)
    assert find_pending(tmp_path / "pending") == []
    # Running recovery again files nothing twice.
    assert recover(engine, store, tmp_path / "pending", FakeTranscriber(), unlocked) == []
    assert len(_entries(engine)) == 1


def test_a_kill_mid_reply_leaves_no_plain_audio_and_files_it_once_unlocked(engine, tmp_path,
                                                                           alex_id, alex_keys):
    folder = tmp_path / "pending"
    pending = PendingRecording.begin(folder, person_id=alex_id,
                                     public_key=_public_key(engine, alex_id), journal="private",
                                     prompt_id="self-proud-small")
    rng = np.random.default_rng(7)
    blocks = [(0.3 * rng.standard_normal(1600)).astype(np.float32) for _ in range(30)]
    for block in blocks:
        pending.append(block)
    pending.sync()
    # Killed mid-reply: no final frame, and the frame being written is cut short.
    assert pending._fh is not None
    pending._fh.close()
    with open(pending.pcm_path, "r+b") as fh:
        fh.truncate(pending.pcm_path.stat().st_size - 100)
    spoken = np.concatenate(blocks)
    pcm = (np.clip(spoken, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    sealed = pending.pcm_path.read_bytes()
    assert pending.pcm_path.suffix == ".sealed" and len(sealed) >= len(pcm) - 3200
    assert not list(folder.glob("*.pcm"))
    for path in folder.iterdir():
        on_disk = path.read_bytes()
        assert pcm[:4096] not in on_disk and pcm[-4096:] not in on_disk, path.name
    assert pcm not in sealed
    store = AudioStore(tmp_path / "audio")

    # Alex is locked: the reply stays sealed in pending/, nothing is filed.
    assert recover(engine, store, folder, FakeTranscriber(["I was saying that"]), {}) == []
    assert _entries(engine) == []
    assert [r.note.id for r in find_pending(folder)] == [pending.note.id]

    # Alex unlocked: it is filed with all but the cut frame, and transcribed.
    found = recover(engine, store, folder, FakeTranscriber(["I was saying that"]),
                    {alex_id: alex_keys})
    assert [(r.person_id, r.words) for r in found] == [(alex_id, 4)]
    rows = _entries(engine, alex_keys)
    assert len(rows) == 1 and rows[0].transcript == "I was saying that"
    assert rows[0].status == "ready"
    assert rows[0].audio_duration_s == pytest.approx((len(spoken) - 1600) / 16000, abs=0.01)
    assert find_pending(folder) == []


def test_the_demo_answers_by_the_name_of_what_was_asked():
    from confide.cli_demo import DEMO_ANSWERS, DEMO_REPLY, demo_answer

    assert set(DEMO_ANSWERS) <= {p.name for p in P}  # renaming a sentence breaks this, not the demo
    counts: dict[str, int] = {}
    assert [demo_answer("AFTER_SAVE", counts) for _ in range(4)] == [
        "Read it back.", "Share it.", "Next.", "Next."]
    assert demo_answer("NEWS_OFFER_ONE", counts) == "Yes please."
    assert demo_answer("", counts) == DEMO_REPLY  # a prompt: the reflection
