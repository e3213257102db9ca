"""Voice activity: the tracker's speech and trailing-silence bookkeeping, and the real Silero."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from confide.voice.audio_file import decode_audio
from confide.voice.vad import WINDOW, EnergyVoiceActivity, SileroVoiceActivity, VadTracker

pytestmark = pytest.mark.unit

RATE = 16_000


def loud(seconds: float) -> np.ndarray:
    return (np.random.default_rng(0).standard_normal(int(seconds * RATE)) * 0.1).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def feed_in_odd_blocks(tracker: VadTracker, audio: np.ndarray, block: int = 700) -> None:
    for start in range(0, audio.shape[0], block):
        tracker.feed(audio[start : start + block])


def test_tracker_counts_trailing_silence_after_speech() -> None:
    tracker = VadTracker(EnergyVoiceActivity())
    start = tracker.feed(quiet(0.5))
    assert not start.speech_seen
    assert start.trailing_silence_s == pytest.approx(0.5)
    feed_in_odd_blocks(tracker, np.concatenate([loud(1.0), quiet(0.8)]))
    state = tracker.state
    assert state.speech_seen
    assert state.total_s == pytest.approx(2.3)
    assert state.trailing_silence_s == pytest.approx(0.8, abs=WINDOW / RATE * 2)
    assert state.speech_s == pytest.approx(1.0, abs=WINDOW / RATE * 2)
    tracker.feed(loud(0.3))
    assert tracker.state.trailing_silence_s < 0.05


def test_a_click_is_not_speech_and_does_not_end_a_pause() -> None:
    tracker = VadTracker(EnergyVoiceActivity(), min_speech_s=0.1)
    tracker.feed(np.concatenate([quiet(1.0), loud(WINDOW / RATE), quiet(1.0)]))
    assert not tracker.state.speech_seen
    tracker.feed(np.concatenate([loud(0.5), quiet(1.0), loud(WINDOW / RATE), quiet(0.5)]))
    assert tracker.state.trailing_silence_s == pytest.approx(1.5 + WINDOW / RATE, abs=0.07)


def test_reset_starts_a_new_recording() -> None:
    tracker = VadTracker(EnergyVoiceActivity())
    tracker.feed(loud(1.0))
    tracker.reset()
    assert tracker.state.total_s == 0
    assert not tracker.state.speech_seen
    assert tracker.windows == 0


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path = Path(tmp_path_factory.mktemp("vad")) / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "I am speaking to the journal now."], check=True)
    return decode_audio(path).samples


def test_silero_hears_speech_and_the_pause_after_it(spoken: np.ndarray) -> None:
    tracker = VadTracker()
    assert isinstance(tracker.activity, SileroVoiceActivity)
    feed_in_odd_blocks(tracker, np.concatenate([quiet(0.5), spoken, quiet(1.0)]), block=1000)
    state = tracker.state
    assert state.speech_seen
    assert state.trailing_silence_s == pytest.approx(1.0, abs=0.35)
    assert state.speech_s > 0.5 * spoken.shape[0] / RATE


def test_silero_hears_nothing_in_silence_or_hum() -> None:
    tracker = VadTracker()
    hum = (0.3 * np.sin(2 * np.pi * 50 * np.arange(2 * RATE) / RATE)).astype(np.float32)
    tracker.feed(np.concatenate([quiet(1.0), hum]))
    assert not tracker.state.speech_seen
    assert tracker.state.trailing_silence_s == pytest.approx(3.0)


def test_silero_gives_the_same_answer_in_one_long_run_or_many_small_ones(
    spoken: np.ndarray,
) -> None:
    audio = np.concatenate([np.concatenate([spoken, quiet(0.7)])] * 16)  # > 1024 windows
    audio = audio[: audio.shape[0] // WINDOW * WINDOW]
    windows = audio.reshape(-1, WINDOW)
    assert windows.shape[0] > 1024
    at_once = SileroVoiceActivity().speech_probabilities(windows)
    vad = SileroVoiceActivity()
    piecewise = np.concatenate([vad.speech_probabilities(windows[i : i + 7])
                                for i in range(0, windows.shape[0], 7)])
    np.testing.assert_allclose(at_once, piecewise, atol=1e-6)


@pytest.mark.model
def test_streaming_silero_matches_faster_whispers_batch_vad(spoken: np.ndarray) -> None:
    """Window by window with carried state gives faster-whisper's own probabilities."""
    from faster_whisper.vad import get_vad_model

    audio = np.concatenate([quiet(0.3), spoken, quiet(0.5)])
    audio = audio[: audio.shape[0] // WINDOW * WINDOW]
    batch = np.asarray(get_vad_model()(audio)).reshape(-1)
    vad = SileroVoiceActivity()
    windows = audio.reshape(-1, WINDOW)
    one_by_one = [vad.speech_probability(w) for w in windows[:10]]
    rest = vad.speech_probabilities(windows[10:])
    np.testing.assert_allclose(np.concatenate([one_by_one, rest]), batch, atol=1e-5)
