"""`confide transcribe` with the real model: --json, --srt and --save produce what they
promise (bad input and the formats themselves: tests/unit/test_cli_transcribe.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.test_cli_transcribe import invoke

pytestmark = pytest.mark.model


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(folder))
    return folder


SENTENCE = "We agreed to keep our phones away during dinner."


@pytest.fixture
def spoken_mp3(tmp_path: Path) -> Path:
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("espeak-ng and ffmpeg are needed")
    wav, mp3 = tmp_path / "reply.wav", tmp_path / "reply.mp3"
    subprocess.run(["espeak-ng", "-w", str(wav), SENTENCE], check=True)
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(wav), "-ac", "2",
                    "-ar", "44100", str(mp3)], check=True)
    return mp3


def test_json_and_srt_output_with_the_real_model(spoken_mp3: Path, data_dir: Path) -> None:
    code, out, _ = invoke("--json", str(spoken_mp3))
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "ok"
    assert data["language"] == "en"
    assert {"phones", "dinner"} <= set(re.findall(r"[a-z]+", data["text"].lower()))
    assert data["duration"] == pytest.approx(3.0, abs=0.6)
    seg = data["segments"][0]
    assert set(seg) == {"start", "end", "text", "confidence"}
    assert 0 < seg["confidence"] <= 1

    code, out, _ = invoke("--srt", str(spoken_mp3))
    assert code == 0
    assert re.match(r"1\n00:00:\d\d,\d{3} --> 00:00:\d\d,\d{3}\n.*dinner", out, re.I | re.S)
    assert not data_dir.exists(), "without --save nothing is stored"


def test_save_keeps_the_audio_and_the_transcript_in_the_private_journal(
    spoken_mp3: Path, data_dir: Path
) -> None:
    from sqlmodel import select

    from confide.models.accounts import register_person
    from confide.models.sealing import open_entry
    from confide.models.tables import Entry, Journal
    from confide.settings import load_settings
    from confide.wiring import audio_store, cli_session

    settings = load_settings()
    with cli_session(settings) as session:
        _alex, unlocked, _words = register_person(session, "Alex")
    code, out, err = invoke("--save", "--as", "Alex", str(spoken_mp3))
    assert code == 0, err
    assert "dinner" in out.lower()
    assert "saved to your private journal" in err
    with cli_session(settings) as session:
        entry = session.exec(select(Entry)).one()
        assert entry.transcript == ""  # sealed at rest: saved without anyone's secret
        open_entry(session, unlocked, entry, None)
        journal = session.get(Journal, entry.journal_id)
        assert journal is not None
        assert journal.kind == "private"
        assert entry.status == "ready"
        assert "dinner" in entry.transcript.lower()
        assert entry.segments
        assert entry.language == "en"
        assert entry.audio_path
        assert audio_store(settings).exists(entry.audio_path)
        assert entry.audio_sample_rate == 44_100  # the recording is kept as it was given
