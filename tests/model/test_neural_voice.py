"""The natural voice for real: Piper's joe model run by ONNX Runtime, heard back by Whisper.

What Whisper must hear is spoken without the voice's sampled noise (``tests.person``): with
it every call renders new audio, and one rendering in many lost "partner" (CI, 2026-12-02).
How well Whisper hears the voice with its noise, over the whole prompt library, is a figure
of ``scripts/bench_tts.py``, not a test's pass or fail.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from confide.voice.neural import PiperSynthesizer, neural_voice_installed
from confide.voice.sound import resample
from confide.voice.speech_sinks import FakeSink
from confide.voice.streamed_speech import StreamedSpeech
from confide.voice.transcriber import normalized_words
from confide.voice.whisper import WhisperTranscriber
from tests.model.test_transcription import word_error_rate
from tests.person import person_voice

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not neural_voice_installed(), reason="the natural voice is not installed"),
]

PROMPT = ("Think about a moment this week when your partner made you feel safe. "
          "What did they do, and how did it feel?")


@pytest.fixture(scope="module")
def natural() -> PiperSynthesizer:
    return PiperSynthesizer()


def _heard(whisper: WhisperTranscriber, samples: np.ndarray, rate: int) -> list[str]:
    return normalized_words(whisper.transcribe(resample(samples, rate, 16_000)).text)


@pytest.fixture(scope="module")
def steady() -> PiperSynthesizer:
    """The same model and session code, its noise at zero: the same audio every run."""
    return person_voice()


def test_the_product_voice_varies_and_the_steady_one_does_not(natural, steady):
    assert not np.array_equal(natural.synthesize(PROMPT)[0], natural.synthesize(PROMPT)[0])
    assert np.array_equal(steady.synthesize(PROMPT)[0], steady.synthesize(PROMPT)[0])


def test_whisper_recovers_a_prompt_spoken_by_the_natural_voice(steady, whisper):
    samples, rate = steady.synthesize(PROMPT)
    assert rate == 22_050 and samples.dtype == np.float32
    assert 0.2 < float(np.abs(samples).max()) <= 1.0
    heard = _heard(whisper, samples, rate)
    assert {"partner", "safe", "week", "feel"} <= set(heard), heard
    assert word_error_rate(normalized_words(PROMPT), heard) <= 0.15


def test_streamed_chunks_join_into_speech_whisper_recovers(steady, whisper):
    sink = FakeSink()
    report = StreamedSpeech(steady, sink).speak(PROMPT)
    assert report.completed and report.chunks_played >= 3  # the first sentence was cut
    assert max(report.gaps_s) <= 0.15
    heard = _heard(whisper, sink.samples, sink.rate or 22_050)
    assert word_error_rate(normalized_words(PROMPT), heard) <= 0.15, heard


def test_rate_changes_the_length_and_the_words_survive_a_fast_rate(steady, whisper):
    slow, rate = steady.synthesize(PROMPT, rate=120)
    fast, _ = steady.synthesize(PROMPT, rate=330)
    assert slow.size > 1.8 * fast.size
    assert word_error_rate(normalized_words(PROMPT), _heard(whisper, fast, rate)) <= 0.3


def test_volume_scales_the_samples(natural):
    loud, _ = natural.synthesize("Hello.", volume=1.0)
    quiet, _ = natural.synthesize("Hello.", volume=0.25)
    assert float(np.abs(quiet).max()) < 0.5 * float(np.abs(loud).max())


def test_the_model_loads_once_and_is_warm_after(natural):
    again = PiperSynthesizer()
    assert again._voice is natural._voice
    start = time.perf_counter()
    again.synthesize("Ready when you are.")
    assert time.perf_counter() - start < 2.0


def test_empty_text_gives_no_audio(natural):
    samples, _ = natural.synthesize("   ")
    assert samples.size == 0
