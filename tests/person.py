"""The stand-in person of the spoken tests: the natural voice without its sampled noise.

The voice model draws new noise at every call, so a test that spoke its lines with it heard
different audio on every run: the spoken-intents figure moved 89-93 % between runs of the
same code. Without the noise a run hears what the last one heard, on the same machine.
"""

from __future__ import annotations

import functools

import numpy as np

from confide.voice.audio_file import resample
from confide.voice.neural import PiperOptions, PiperSynthesizer


@functools.cache
def person_voice() -> PiperSynthesizer:
    return PiperSynthesizer(PiperOptions(noise_scale=0.0, noise_w=0.0))


def say(text: str, rate: int = 165) -> tuple[np.ndarray, int]:
    """The person saying ``text``: samples and their rate."""
    return person_voice().synthesize(text, rate=rate)


def say_16k(text: str, rate: int = 165) -> np.ndarray:
    """The same at 16 kHz, as Whisper hears it."""
    samples, sr = say(text, rate)
    return resample(np.asarray(samples, dtype=np.float32), sr, 16_000)
