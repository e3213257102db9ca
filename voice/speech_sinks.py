"""Sinks for streamed speech beside the gapless sounddevice one (voice.stream_player): one
over any ``Speaker`` the loop already has, and a fake that records blocks for unit tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from confide.voice.ports import Speaker

__all__ = ["FakeSink", "SpeakerSink"]


class FakeSink:
    """Records blocks (for unit tests); ``on_write`` may set a stop event mid-speech."""

    def __init__(self, on_write: Callable[[int], None] | None = None) -> None:
        self.rate: int | None = None
        self.blocks: list[np.ndarray] = []
        self.finished = False
        self.aborted = False
        self._on_write = on_write

    def start(self, rate: int) -> None:
        self.rate = rate

    def write(self, block: np.ndarray) -> None:
        self.blocks.append(block)
        if self._on_write is not None:
            self._on_write(len(self.blocks))

    def finish(self) -> None:
        self.finished = True

    def abort(self) -> None:
        self.aborted = True

    @property
    def samples(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, dtype=np.float32)


class SpeakerSink:
    """A sink over any ``Speaker``: plays each chunk's blocks as one buffer, so it works with
    the speakers the loop has; ``voice.stream_player`` is the gapless sink for real devices."""

    def __init__(self, speaker: Speaker) -> None:
        self._speaker = speaker
        self._rate = 0
        self._pending: list[np.ndarray] = []
        self._lock = threading.Lock()

    def start(self, rate: int) -> None:
        self._rate = rate

    def write(self, block: np.ndarray) -> None:
        with self._lock:
            self._pending.append(block)
            if sum(b.size for b in self._pending) < self._rate // 2:
                return
            buffered, self._pending = np.concatenate(self._pending), []
        self._speaker.play(buffered, self._rate, wait=True)

    def finish(self) -> None:
        with self._lock:
            rest, self._pending = self._pending, []
        if rest:
            self._speaker.play(np.concatenate(rest), self._rate, wait=True)

    def abort(self) -> None:
        with self._lock:
            self._pending = []
        self._speaker.stop()
