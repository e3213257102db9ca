"""Speech out: pyttsx3 with espeak-ng rendered to a buffer, and a fake for unit tests.

pyttsx3's own ``say()`` shells out to aplay, ignores errors, and may return before the
audio ends; rendering to a file and playing the buffer ourselves avoids all three and
lets the loop stop speech mid-sentence.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from confide.voice.ports import SpeechSynthesizer

__all__ = ["FakeSynthesizer", "Pyttsx3Synthesizer"]

log = logging.getLogger(__name__)


_LOCK = threading.Lock()
_ENGINE: list[Any] = []


def _shared_engine() -> Any:
    """The one pyttsx3 engine of this process. espeak-ng has a single synthesis callback per
    process, and every new pyttsx3 driver takes it over, so a second engine would steal the
    first one's audio (seen as a WAV that never gets written)."""
    if not _ENGINE:
        import atexit

        import pyttsx3

        _ENGINE.append(pyttsx3.init("espeak"))
        # Drop the engine while modules still exist; pyttsx3's __del__ fails at shutdown.
        atexit.register(_ENGINE.clear)
    return _ENGINE[0]


def _applied() -> None:
    """Wait until espeak-ng has taken the rate and volume just set. In retrieval mode they
    are commands on its own queue, handled by its own thread, and one set just after the last
    sentence finished was often taken only by the sentence after: on a row of sentences at
    alternating rates 8 of 12 came out at the rate before, and after a session at 400 words a
    minute, the next caller's first sentence at 165 was spoken at 400 (the station test's
    reminder, heard garbled when it ran after the soak in one process)."""
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()


class Pyttsx3Synthesizer(SpeechSynthesizer):
    """The real engine; every instance uses the process's one engine, one call at a time."""

    _lock = _LOCK

    def __init__(self) -> None:
        with _LOCK:
            self._engine: Any = _shared_engine()
        self._tmp = Path(tempfile.mkdtemp(prefix="confide-tts-"))

    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        import soundfile as sf

        if not text.strip():
            return np.zeros(0, dtype=np.float32), 22_050
        with self._lock:
            out = self._tmp / "speech.wav"
            out.unlink(missing_ok=True)
            if voice:
                self._engine.setProperty("voice", voice)
            self._engine.setProperty("rate", int(rate))
            self._engine.setProperty("volume", float(volume))
            _applied()
            # espeak-ng synthesises on its own thread in retrieval mode, so runAndWait can
            # return before the file is written; the driver's "finished-utterance" comes after.
            finished = threading.Event()
            token = self._engine.connect("finished-utterance",
                                         lambda **_event: finished.set())
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved"
                    self._engine.save_to_file(text, str(out))
                    self._engine.runAndWait()
                    finished.wait(timeout=30)
            finally:
                self._engine.disconnect(token)
            if not out.exists():
                raise RuntimeError("the speech engine finished without writing any audio")
            samples, sr = sf.read(out, dtype="float32", always_2d=False)
            out.unlink()
        if samples.ndim > 1:
            samples = samples.mean(axis=1)
        # espeak-ng ignores pyttsx3's volume when writing files; apply it ourselves.
        return (samples * float(volume)).astype(np.float32), int(sr)

    def voices(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(v.id, v.name) for v in self._engine.getProperty("voices")]


class FakeSynthesizer(SpeechSynthesizer):
    """Records what would be said; the audio is a short tone per word (for unit tests)."""

    def __init__(self) -> None:
        self.spoken: list[str] = []

    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        self.spoken.append(text)
        rate_hz = 16_000
        seconds = 0.01 * max(1, len(text.split()))
        t = np.arange(int(rate_hz * seconds)) / rate_hz
        return (0.1 * volume * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate_hz

    def voices(self) -> list[tuple[str, str]]:
        return [("fake", "Fake voice")]
