"""The gapless sink for streamed speech: one sounddevice output stream fed from a queue.

One stream stays open for a whole utterance, so chunks follow each other with no stream
set-up between them; when the queue runs dry the stream plays silence instead of stopping.
``write`` blocks while more than ``max_buffer_s`` is waiting, so a stop is heard within that
(plus the device latency) even when synthesis is far ahead. sounddevice is imported here only.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any

import numpy as np

from confide.voice.devices import DeviceError, list_devices, pick_device

__all__ = ["STALLED_S", "SoundDeviceSink"]

log = logging.getLogger(__name__)

STALLED_S = 1.0
"""An output that has not asked for audio this long, with audio waiting, is reopened."""


def _close(stream: Any) -> None:
    try:
        stream.abort()
        stream.close()
    except Exception:  # a stream that is already gone is closed enough
        log.debug("closing a stalled output stream failed", exc_info=True)


class SoundDeviceSink:
    """An ``AudioSink`` on the configured output device."""

    def __init__(self, device: str | None = None, *, latency: float = 0.1,
                 max_buffer_s: float = 0.3) -> None:
        import sounddevice

        self._sd: Any = sounddevice
        chosen = pick_device(list_devices(), device, "output")
        if chosen is None:
            raise DeviceError("no audio output device found; connect one or start a sound server")
        self.device = chosen.index
        self._latency = latency
        self._max_buffer_s = max_buffer_s
        self._blocks: collections.deque[np.ndarray] = collections.deque()
        self._offset = 0
        self._queued = 0
        self._rate = 0
        self._cond = threading.Condition()
        self._stream: Any = None
        self._heard_at = 0.0  # when the output last asked for audio (monotonic)
        self.restarts = 0

    def start(self, rate: int) -> None:
        self.abort()
        self._rate = rate
        stream = self._open()
        with self._cond:
            self._stream = stream

    def _open(self) -> Any:
        """A started output stream on the device, fed by the queue (called without the lock:
        the stream's first callback may come before ``start`` returns)."""

        def callback(outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
            out = outdata[:, 0]
            filled = 0
            with self._cond:
                self._heard_at = time.monotonic()
                while filled < frames and self._blocks:
                    head = self._blocks[0]
                    take = min(frames - filled, head.size - self._offset)
                    out[filled:filled + take] = head[self._offset:self._offset + take]
                    filled += take
                    self._offset += take
                    if self._offset >= head.size:
                        self._blocks.popleft()
                        self._offset = 0
                self._queued -= filled
                self._cond.notify_all()
            out[filled:] = 0.0  # ran dry: silence, and keep the stream going

        stream = self._sd.OutputStream(device=self.device, samplerate=self._rate, channels=1,
                                       dtype="float32", callback=callback,
                                       latency=self._latency)
        self._heard_at = time.monotonic()
        stream.start()
        return stream

    def _wait_for_room(self, until_queued: int) -> None:
        """Wait until at most ``until_queued`` samples wait to be played. An output that
        stops asking for audio (seen: a sound server leaving the stream corked) is reopened,
        keeping what was queued, rather than waited on for ever: the conversation must not
        hang on a speaker."""
        while True:
            with self._cond:
                if self._stream is None or self._queued <= until_queued:
                    return
                self._cond.wait(timeout=0.05)
                if time.monotonic() - self._heard_at <= STALLED_S:
                    continue
            log.warning("the speaker stopped taking audio; reopening it")
            fresh = self._open()
            with self._cond:
                stalled = self._stream
                if stalled is not None:  # still speaking: the fresh stream takes over
                    self._stream = fresh
            self.restarts += 1
            _close(stalled if stalled is not None else fresh)

    def write(self, block: np.ndarray) -> None:
        data = np.ascontiguousarray(block, dtype=np.float32).reshape(-1)
        self._wait_for_room(round(self._max_buffer_s * self._rate))
        with self._cond:
            if self._stream is None:
                return
            self._blocks.append(data)
            self._queued += data.size

    def finish(self) -> None:
        self._wait_for_room(0)
        stream = self._stream
        if stream is not None:
            # What the callback has taken is still in the device buffer: let it play out.
            threading.Event().wait(float(stream.latency) + 0.02)
        self._close(abort=False)

    def abort(self) -> None:
        self._close(abort=True)

    def _close(self, *, abort: bool) -> None:
        with self._cond:
            stream, self._stream = self._stream, None
            self._blocks.clear()
            self._offset = 0
            self._queued = 0
            self._cond.notify_all()
        if stream is not None:
            if abort:
                stream.abort()
            else:
                stream.stop()
            stream.close()
