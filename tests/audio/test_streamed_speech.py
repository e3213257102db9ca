"""Streamed speech on a real (virtual) sound server: the natural voice is heard on the
speaker, and speech stops mid-sentence when asked."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest
import soundfile as sf

from confide.voice.neural import neural_voice_installed
from confide.voice.transcriber import normalized_words

pytestmark = [
    pytest.mark.audio,
    pytest.mark.skipif(not neural_voice_installed(), reason="the natural voice is not installed"),
]

PROMPT = ("Before we begin, take a slow breath. Think of one thing your partner did this week "
          "that made you feel cared for.")


def _record(sound_server, tmp_path, speak) -> np.ndarray:
    capture = tmp_path / "speaker.wav"
    recorder = sound_server.record_speaker(capture)
    time.sleep(0.5)
    try:
        speak()
        time.sleep(0.5)
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=10)
    heard, rate = sf.read(capture, dtype="float32")
    assert rate == 16_000
    return np.asarray(heard, dtype=np.float32)


def _voiced_seconds(samples: np.ndarray, level: float = 0.02) -> float:
    frames = samples[: samples.size // 160 * 160].reshape(-1, 160)
    return float((np.abs(frames).max(axis=1) > level).sum()) * 0.01


def test_the_natural_voice_streams_to_the_speaker_and_whisper_hears_it(sound_server, tmp_path):
    from confide.settings import Settings
    from confide.voice.stream_player import SoundDeviceSink
    from confide.voice.streamed_speech import StreamedSpeech
    from confide.wiring import transcriber
    from tests.person import person_voice  # without its sampled noise: the same words each run

    speech = StreamedSpeech(person_voice(), SoundDeviceSink(None))
    reports = []
    heard = _record(sound_server, tmp_path, lambda: reports.append(speech.speak(PROMPT)))
    assert reports[0].completed
    words = normalized_words(transcriber(Settings(data_dir=tmp_path)).transcribe(heard).text)
    assert {"breath", "partner", "week", "cared"} <= set(words), words


def test_speech_stops_mid_sentence_on_request(sound_server, tmp_path):
    from confide.voice.neural import PiperSynthesizer
    from confide.voice.stream_player import SoundDeviceSink
    from confide.voice.streamed_speech import StreamedSpeech

    synth = PiperSynthesizer()
    long_text = " ".join(["This sentence goes on for a while so that there is time to stop it."] * 4)
    full, rate = synth.synthesize(long_text)
    speech = StreamedSpeech(synth, SoundDeviceSink(None))
    stop = threading.Event()
    reports = []

    def speak() -> None:
        timer = threading.Timer(1.5, stop.set)
        timer.start()
        started = time.monotonic()
        reports.append(speech.speak(long_text, stop=stop))
        reports.append(time.monotonic() - started)

    heard = _record(sound_server, tmp_path, speak)
    report, took = reports
    assert not report.completed
    assert took < 2.2, "speak returns soon after the stop"
    assert _voiced_seconds(heard) < min(2.5, 0.5 * full.size / rate), "the rest was not played"
