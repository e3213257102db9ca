"""The real Whisper model, loaded once for the whole session, and speech made by espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from confide.settings import Settings
from confide.voice.audio_file import decode_audio
from confide.voice.whisper import WhisperTranscriber
from confide.wiring import transcriber

Speak = Callable[[str], np.ndarray]


@pytest.fixture(scope="session")
def whisper_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Explicit defaults, so a developer's CONFIDE_WHISPER_* cannot change what is tested."""
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        whisper_model="bundled",
        whisper_device="cpu",
        whisper_compute_type="int8",
        whisper_beam_size=5,
        whisper_threads=0,
        whisper_language="en",
    )


@pytest.fixture(scope="session")
def whisper(whisper_settings: Settings) -> WhisperTranscriber:
    return transcriber(whisper_settings)


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Speak:
    """Text to 16 kHz float32 speech with espeak-ng (robotic, so tests check key words)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("speech")
    cache: dict[str, np.ndarray] = {}

    def render(text: str) -> np.ndarray:
        if text not in cache:
            path = folder / f"{len(cache)}.wav"
            subprocess.run(["espeak-ng", "-w", str(path), text], check=True)
            cache[text] = decode_audio(Path(path)).samples
        return cache[text]

    return render
