"""A journal for the browser tests: two partners, shared and private entries, one of them a
real spoken recording (espeak-ng) with a timed transcript, a goal with check-ins, mutual
answers and a reminder. Written through the journal operations, as the product writes.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import soundfile as sf

from confide.models.accounts import register_person
from confide.models.couples import create_invite, join_couple
from confide.models.db import create_db_engine, migrate, session_scope
from confide.models.entries import attach_transcript, create_entry_from_audio, create_written_entry
from confide.models.goals import add_checkin, create_goal
from confide.models.mutual import answer_mutual
from confide.models.reminders import create_reminder
from confide.models.responses import add_response
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.transcript import Segment, Transcript
from confide.prompts import load_library
from confide.settings import Settings

__all__ = ["PASSPHRASES", "PRIVATE_WORD", "SENTENCES", "Seeded", "seed_journal", "speak"]

SENTENCES = (
    "I felt hopeful when we talked on Sunday evening.",
    "I want us to keep our phones away at dinner.",
    "Thank you for listening to me without interrupting.",
)
PRIVATE_WORD = "lighthouse"
"""Only in the author's private entry: it must never reach the partner, page or search."""
PASSPHRASES = {"Alex": "alex passphrase 1", "Sam": "sam passphrase 2"}
GAP_S = 0.4


@dataclass(frozen=True, slots=True)
class Seeded:
    spoken_id: int
    spoken_duration: float
    written_id: int
    alex_private_id: int
    sam_private_id: int
    sam_shared_id: int
    fresh_id: int  # opened by one test only, to see its unread mark go
    goal_id: int
    mutual_open: str  # Alex answered, Sam has not
    mutual_revealed: str  # both answered


def speak(text: str, folder: Path) -> tuple[np.ndarray, int]:
    """``text`` spoken by espeak-ng into a WAV, read back as float samples."""
    out = folder / f"{abs(hash(text))}.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(out), text], check=True,
                   capture_output=True, timeout=60)
    samples, rate = sf.read(out, dtype="float32")
    return np.asarray(samples, dtype=np.float32), int(rate)


def _spoken_reply() -> tuple[np.ndarray, int, list[Segment]]:
    """The sentences spoken one by one, so each segment's times are exactly known."""
    pieces: list[np.ndarray] = []
    segments: list[Segment] = []
    rate = 0
    at = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for sentence in SENTENCES:
            samples, rate = speak(sentence, Path(tmp))
            length = samples.shape[0] / rate
            segments.append(Segment(round(at, 3), round(at + length, 3), sentence, 0.9))
            pieces.append(samples)
            pieces.append(np.zeros(int(GAP_S * rate), dtype=np.float32))
            at += length + GAP_S
    return np.concatenate(pieces), rate, segments


def seed_journal(settings: Settings) -> Seeded:
    """Fill a fresh database at ``settings`` and say which ids the tests look for."""
    engine = create_db_engine(settings.db_url)
    migrate(engine)
    store = AudioStore(settings.audio_dir)
    library = load_library()
    mutual = [p for p in library.prompts.values() if p.audience == "mutual"]
    samples, rate, segments = _spoken_reply()
    try:
        with session_scope(engine) as s:
            alex, alex_keys, _ = register_person(s, "Alex", PASSPHRASES["Alex"])
            sam, sam_keys, _ = register_person(s, "Sam", PASSPHRASES["Sam"])
            use_keys(s, alex_keys)  # written as they would write it, unlocked
            use_keys(s, sam_keys)
            join_couple(s, sam, create_invite(s, alex, timedelta(hours=1)).code)
            written = create_written_entry(
                s, alex, "I noticed how calm I felt after our walk. I would like more of those.",
                journal="shared", mood="calm", tags=["walks"])
            sam_shared = create_written_entry(
                s, sam, "I saw you made time for me this week, and it meant a lot.",
                journal="shared")
            alex_private = create_written_entry(
                s, alex, f"A private worry about the {PRIVATE_WORD} trip that I am not ready "
                "to share.", journal="private")
            fresh = create_written_entry(
                s, alex, "One more thing: I booked the table for Friday.", journal="shared")
            sam_private = create_written_entry(s, sam, "My own note about the garden.",
                                               journal="private")
            spoken = create_entry_from_audio(
                s, store, alex, samples, rate, journal="shared",
                prompt_text="What gave you hope this week?")
            assert spoken.id is not None
            text = " ".join(seg.text for seg in segments)
            attach_transcript(s, spoken.id, Transcript(text, "en", samples.shape[0] / rate,
                                                       tuple(segments)))
            assert written.id is not None
            add_response(s, sam, written.id, text="What I heard is that the walk calmed you.")
            goal = create_goal(s, alex, "No phones at dinner", "So we actually talk.")
            assert goal.id is not None
            for person, rating in ((alex, 3), (sam, 2), (alex, 4), (sam, 4)):
                add_checkin(s, person, goal.id, rating, "It went fine.")
            answer_mutual(s, alex, mutual[0].id, text="I would like us to laugh more.",
                          prompt_text=mutual[0].text)
            answer_mutual(s, alex, mutual[1].id, text="Alex's answer, now revealed.",
                          prompt_text=mutual[1].text)
            answer_mutual(s, sam, mutual[1].id, text="Sam's answer, now revealed.",
                          prompt_text=mutual[1].text)
            create_reminder(s, sam, [0, 2, 4], "20:30")
            ids = (spoken.id, written.id, alex_private.id, sam_private.id, sam_shared.id)
            assert all(i is not None for i in ids)
            duration = float(spoken.audio_duration_s or 0.0)
    finally:
        engine.dispose()
    return Seeded(spoken.id, duration, written.id, alex_private.id or 0, sam_private.id or 0,
                  sam_shared.id or 0, fresh.id or 0, goal.id, mutual[0].id, mutual[1].id)
