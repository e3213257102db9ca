"""The narrow interfaces the voice loop talks through, so tests can swap a device.

The product path always uses the real adapters (sounddevice on a sound server, pyttsx3
with espeak-ng, faster-whisper); fakes beside them serve unit tests of the loop's logic.
Audio is float32 mono numpy arrays; the microphone always delivers 16 kHz.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing the ports loads no NumPy
    import numpy as np

__all__ = ["MIC_RATE", "Microphone", "Speaker", "SpeechSynthesizer"]

MIC_RATE = 16_000


class Microphone(abc.ABC):
    """A source of 16 kHz mono audio blocks, opened for one listening turn at a time."""

    @abc.abstractmethod
    def blocks(self, block_s: float = 0.032) -> Iterator[np.ndarray]:
        """Yield blocks of recorded audio until the caller stops iterating (closes the stream)."""


class Speaker(abc.ABC):
    """Plays audio; playback can be stopped mid-way (e.g. when the person interrupts)."""

    @abc.abstractmethod
    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        """Play the samples; with ``wait`` return only when they have been heard."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop whatever is playing now."""

    @abc.abstractmethod
    def wait(self) -> None:
        """Block until playback started with ``wait=False`` has finished (or was stopped)."""


class SpeechSynthesizer(abc.ABC):
    """Text to speech rendered into a buffer (played through a Speaker, so it can be stopped)."""

    @abc.abstractmethod
    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        """Return (float32 mono samples, sample rate) of ``text`` spoken."""

    @abc.abstractmethod
    def voices(self) -> list[tuple[str, str]]:
        """(id, name) of every voice the engine offers."""
