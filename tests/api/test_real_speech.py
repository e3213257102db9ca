"""Acceptance with the real engines: a spoken reply uploaded as WAV, FLAC or OGG becomes an
entry with its Whisper transcript, and an entry read aloud by espeak-ng (through pyttsx3)
is speech Whisper understands again.

Speech is made with ``espeak-ng -w`` and converted with ffmpeg and sox, as a phone or a
recorder would hand over a file.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from confide.settings import Settings
from confide.voice.audio_file import decode_audio
from confide.voice.speech import Pyttsx3Synthesizer
from confide.voice.transcriber import normalized_words
from confide.wiring import transcriber
from tests.api.conftest import Api, isolated_env, make_app

pytestmark = [pytest.mark.api, pytest.mark.slow]

SENTENCE = "I felt listened to when we walked by the river tonight."
KEY_WORDS = {"listened", "walked", "river", "tonight"}


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


@pytest.fixture(scope="module")
def spoken_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    _need("espeak-ng", "ffmpeg", "sox")
    folder = tmp_path_factory.mktemp("speech")
    wav = folder / "reply.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), SENTENCE], check=True)
    flac, ogg = folder / "reply.flac", folder / "reply.ogg"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-ar", "44100",
                    str(flac)], check=True)
    subprocess.run(["sox", str(wav), "-r", "48000", "-c", "2", str(ogg)], check=True)
    return {"wav": wav, "flac": flac, "ogg": ogg}


@pytest.fixture(scope="module")
def real_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("real")
    with isolated_env(home):
        whisper = Settings(data_dir=home / "data", whisper_model="bundled",
                           whisper_device="cpu", whisper_compute_type="int8",
                           whisper_language="en")
        app = make_app(home / "data", transcriber_factory=lambda: transcriber(whisper),
                       synthesizer=Pyttsx3Synthesizer())
        with TestClient(app) as client:
            api = Api(client, app)
            alex, sam = api.user("Alex"), api.user("Sam")
            api.pair(alex, sam)
            yield api


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg"])
def test_uploaded_reply_becomes_an_entry_with_its_transcript(
        real_api: Api, spoken_files: dict[str, Path], fmt: str) -> None:
    api, alex, sam = real_api, real_api.users["Alex"], real_api.users["Sam"]
    path = spoken_files[fmt]
    r = api.client.post("/api/recordings", headers=alex.headers, data={"journal": "shared"},
                        files={"file": (path.name, path.read_bytes(), "application/octet-stream")})
    assert r.status_code == 202, r.text
    job = api.wait_for_job(alex, r.json()["job_id"], timeout=180)
    assert job["status"] == "done", job
    entry = api.client.get(f"/api/entries/{r.json()['entry_id']}", headers=sam.headers).json()
    assert entry["status"] == "ready"
    assert set(normalized_words(entry["transcript"])) >= KEY_WORDS, entry["transcript"]
    assert entry["segments"]
    assert entry["language"] == "en"


def test_entry_read_aloud_is_real_speech(real_api: Api) -> None:
    api, alex, sam = real_api, real_api.users["Alex"], real_api.users["Sam"]
    entry = api.write(alex, "Thank you for making dinner and asking about my day.", "shared")
    r = api.client.get(f"/api/entries/{entry['id']}/speech", headers=sam.headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/wav"
    audio = decode_audio(r.content)
    assert audio.duration > 1.5
    transcript = transcriber(api.app.state.runtime.settings).transcribe(audio.samples)
    assert {"thank", "dinner"} <= set(normalized_words(transcript.text)), transcript.text
