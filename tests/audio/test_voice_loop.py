"""The voice loop on real devices: PulseAudio's virtual microphone and speaker, pyttsx3 with
espeak-ng speaking, faster-whisper listening, a real SQLite journal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf
from sqlmodel import Session, select

from models.db import create_db_engine
from models.tables import Entry
from voice.virtual_sound import VirtualSoundServer

pytestmark = [pytest.mark.audio]

CONFIDE = [sys.executable, "-m", "confide"]


def _env(server: VirtualSoundServer, data: Path) -> dict[str, str]:
    env = server.env()
    env["CONFIDE_DATA_DIR"] = str(data)
    env.pop("CONFIDE_PERSON", None)
    return env


def _entries(data: Path) -> list[Entry]:
    engine = create_db_engine(f"sqlite:///{data / 'confide.db'}")
    with Session(engine) as s:
        rows = list(s.exec(select(Entry)))
    engine.dispose()
    return rows


@pytest.mark.slow
def test_demo_runs_a_whole_spoken_session_and_stores_the_reply(tmp_path):
    data = tmp_path / "demo"
    env = {**os.environ, "CONFIDE_DATA_DIR": str(tmp_path)}
    env.pop("PULSE_SERVER", None)
    proc = subprocess.run([*CONFIDE, "demo", "--data-dir", str(data)], env=env,
                          capture_output=True, text=True, timeout=500)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Saved to your private journal" in proc.stdout
    assert "Shared with Sam" in proc.stdout
    reflections = [e for e in _entries(data) if e.kind == "reflection"]
    assert len(reflections) == 1
    entry = reflections[0]
    words = entry.transcript.lower()
    assert "dinner" in words and "phones" in words
    # The closing phrase ended the reply and is not part of it.
    assert "done" not in words and "that's it" not in words
    assert entry.status == "ready" and entry.audio_path
    audio, rate = sf.read(data / "audio" / entry.audio_path)
    assert 8.0 < len(audio) / rate < 60.0
