"""The Whisper adapter's own logic, with a stand-in for the CTranslate2 model."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from confide.voice.audio_file import decode_audio
from confide.voice.whisper import LONG_AUDIO_S, WhisperOptions, WhisperTranscriber

pytestmark = pytest.mark.unit

RATE = 16_000


class StandInModel:
    """Answers like faster-whisper's WhisperModel.transcribe: one segment per call."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.options: list[dict[str, Any]] = []

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Any, Any]:
        self.seconds.append(audio.shape[0] / RATE)
        self.options.append(options)
        seg = SimpleNamespace(start=0.2, end=audio.shape[0] / RATE - 0.2,
                              text=f" Piece number {len(self.seconds)}.",
                              avg_logprob=-0.2, no_speech_prob=0.01)
        return iter([seg]), SimpleNamespace(language="en")


def adapter(tmp_path: Path) -> tuple[WhisperTranscriber, StandInModel]:
    model = StandInModel()
    tr = WhisperTranscriber.__new__(WhisperTranscriber)
    tr.whisper_options = WhisperOptions(beam_size=3, language="en")
    tr.model_ref = "stand-in"
    tr._model = model
    return tr, model


def test_the_options_and_the_guard_reach_faster_whisper(tmp_path: Path) -> None:
    tr, model = adapter(tmp_path)
    result = tr.transcribe(np.zeros(2 * RATE, dtype=np.float32))
    assert model.options[0] == {"language": "en", "beam_size": 3, "vad_filter": True,
                                "condition_on_previous_text": False}
    assert result.text == "Piece number 1."
    assert result.segments[0].confidence == pytest.approx(np.exp(-0.2), abs=1e-4)


@pytest.fixture(scope="module")
def sentence(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path = tmp_path_factory.mktemp("long") / "s.wav"
    subprocess.run(["espeak-ng", "-w", str(path),
                    "We talked about the week and what we want to change."], check=True)
    return decode_audio(path).samples


def test_long_recordings_go_to_whisper_in_pieces_cut_at_pauses(
    tmp_path: Path, sentence: np.ndarray
) -> None:
    """Past LONG_AUDIO_S, memory must not grow with length: pieces of at most 28 s."""
    pause = np.zeros(int(0.8 * RATE), dtype=np.float32)
    audio = np.concatenate([np.concatenate([sentence, pause])] * 30)
    assert audio.shape[0] / RATE > LONG_AUDIO_S
    tr, model = adapter(tmp_path)
    progress: list[float] = []
    result = tr.transcribe(audio, on_progress=progress.append)
    assert len(model.seconds) >= 3
    assert max(model.seconds) <= 28.0
    # every sentence is in some piece; only silence between them may be left out
    assert 0.95 * audio.shape[0] / RATE <= sum(model.seconds) <= audio.shape[0] / RATE
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts)
    assert starts[-1] > audio.shape[0] / RATE - 30  # offset into the whole recording
    assert result.duration == pytest.approx(audio.shape[0] / RATE, abs=0.01)
    assert progress == sorted(progress)
    assert progress[-1] == pytest.approx(audio.shape[0] / RATE)


def test_the_composition_root_turns_the_settings_into_the_adapters_options(
        tmp_path: Path) -> None:
    from confide.settings import Settings
    from confide.wiring import whisper_options

    settings = Settings(data_dir=tmp_path, whisper_beam_size=3, whisper_language=None,
                        whisper_min_window_s=10, whisper_threads=2)
    assert whisper_options(settings) == WhisperOptions(
        model=None, beam_size=3, language=None, min_window_s=10, threads=2)
    folder = tmp_path / "model"
    folder.mkdir()
    assert whisper_options(settings.model_copy(update={"whisper_model": str(folder)})).model \
        == str(folder)


def test_warming_up_decodes_once_at_one_temperature_and_only_the_first_time(
        tmp_path: Path) -> None:
    """The station warms the shared transcriber at every session's hello: only the first
    warm-up may cost anything, and its raw pass must not fall back to higher temperatures."""
    tr, model = adapter(tmp_path)
    tr.warm_up()
    calls = len(model.options)
    assert calls == 2  # the VAD pass and one raw pass
    assert model.options[-1]["vad_filter"] is False
    assert model.options[-1]["temperature"] == 0.0
    tr.warm_up()
    assert len(model.options) == calls
