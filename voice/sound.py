"""Microphone and Speaker on sounddevice (PortAudio), reaching the sound server via ALSA.

Devices are chosen by name or index from settings; a missing one is an error that lists
the devices there are. Playback runs in a callback stream so it can be stopped mid-word.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from confide.voice.devices import DeviceError, list_devices, pick_device
from confide.voice.ports import MIC_RATE, Microphone, Speaker

__all__ = ["SoundDeviceMicrophone", "SoundDeviceSpeaker", "resample"]

log = logging.getLogger(__name__)


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear resampling: enough for speech between the rates a sound server offers."""
    if rate == target or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    n = round(samples.shape[0] * target / rate)
    x_old = np.linspace(0.0, 1.0, samples.shape[0], endpoint=False)
    x_new = np.linspace(0.0, 1.0, n, endpoint=False)
    out: np.ndarray = np.interp(x_new, x_old, samples).astype(np.float32)
    return out


def _choose(wanted: str | None, kind: str) -> int:
    device = pick_device(list_devices(), wanted, kind)  # type: ignore[arg-type]
    if device is None:
        raise DeviceError(f"no audio {kind} device found; connect one, start a sound server, "
                          "or run `confide demo` to use a virtual one")
    return device.index


class SoundDeviceMicrophone(Microphone):
    """Records 16 kHz mono float blocks from the configured input device."""

    def __init__(self, device: str | None = None) -> None:
        import sounddevice

        self._sd: Any = sounddevice
        self.device = _choose(device, "input")

    def blocks(self, block_s: float = 0.032) -> Iterator[np.ndarray]:
        frames = max(1, round(MIC_RATE * block_s))
        stream = self._sd.InputStream(device=self.device, samplerate=MIC_RATE, channels=1,
                                      dtype="float32", blocksize=frames)
        with stream:
            while True:
                data, overflowed = stream.read(frames)
                if overflowed:
                    log.debug("microphone overflow: a block arrived late")
                yield data[:, 0].copy()


class SoundDeviceSpeaker(Speaker):
    """Plays buffers on the configured output device; ``stop()`` cuts playback at once."""

    def __init__(self, device: str | None = None) -> None:
        import sounddevice

        self._sd: Any = sounddevice
        self.device = _choose(device, "output")
        self._done = threading.Event()
        self._done.set()
        self._stream: Any = None
        self._lock = threading.Lock()

    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        self.stop()
        data = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        position = 0
        done = threading.Event()

        def callback(outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
            nonlocal position
            chunk = data[position:position + frames]
            outdata[: len(chunk), 0] = chunk
            outdata[len(chunk):, 0] = 0.0
            position += frames
            if position >= len(data):
                raise self._sd.CallbackStop

        # A quarter second of buffer, so playback does not stutter while this process is
        # busy loading (the session talks while Whisper and the database load behind it).
        stream = self._sd.OutputStream(device=self.device, samplerate=rate, channels=1,
                                       dtype="float32", callback=callback, latency=0.25,
                                       finished_callback=done.set)
        with self._lock:
            self._stream, self._done = stream, done
        stream.start()
        if wait:
            self.wait()

    def wait(self) -> None:
        self._done.wait()
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    def stop(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
            stream.close()
            self._done.set()
