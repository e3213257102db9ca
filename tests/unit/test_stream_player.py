"""The gapless speech sink when the output stops asking for audio: it is reopened, with what
was queued, instead of hanging the conversation (a fake sounddevice; the real one plays on the
virtual sound server in tests/audio)."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

import numpy as np
import pytest

from confide.voice import stream_player
from confide.voice.devices import Device

pytestmark = pytest.mark.unit


class FakeStream:
    """An output stream that calls back every 10 ms, or never (``corked``)."""

    made: ClassVar[list[FakeStream]] = []

    def __init__(self, *, callback: Any, samplerate: int, corked: bool, **_kw: Any) -> None:
        self.callback, self.rate, self.corked = callback, samplerate, corked
        self.latency = 0.01
        self.played = 0
        self.closed = False
        FakeStream.made.append(self)

    def start(self) -> None:
        if not self.corked:
            threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        frames = self.rate // 100
        while not self.closed:
            out = np.zeros((frames, 1), dtype=np.float32)
            self.callback(out, frames, None, None)
            self.played += int(np.count_nonzero(out))
            time.sleep(0.01)

    def abort(self) -> None:
        self.closed = True

    stop = abort

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def sink(monkeypatch):
    FakeStream.made.clear()
    corked = iter([True])  # the first stream the sound server leaves corked

    class FakeSoundDevice:
        @staticmethod
        def OutputStream(**kw: Any) -> FakeStream:
            return FakeStream(corked=next(corked, False), **kw)

    monkeypatch.setitem(__import__("sys").modules, "sounddevice", FakeSoundDevice)
    monkeypatch.setattr(stream_player, "list_devices",
                        lambda: [Device(0, "pulse", 0, 2, 48000.0)])
    return stream_player.SoundDeviceSink(None, max_buffer_s=0.1)


def test_a_stream_that_never_asks_for_audio_is_reopened_and_everything_plays(sink):
    sink.start(8000)
    started = time.monotonic()
    for _ in range(5):
        sink.write(np.ones(800, dtype=np.float32))  # 0.1 s each
    sink.finish()
    assert time.monotonic() - started < stream_player.STALLED_S + 2.0  # did not hang
    assert sink.restarts == 1 and len(FakeStream.made) == 2
    assert FakeStream.made[0].closed and FakeStream.made[1].played == 5 * 800
