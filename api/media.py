"""Audio at the edge: checking uploads by decoding them, and rendering text as speech.

An upload is judged by what it decodes to, never by its file name or declared type:
corrupt, empty, silent-length or non-audio bytes are refused before anything is stored.
Rendered speech is cached sealed beside the recordings as
``derived/speech-entry-{id}-{hash}.sealed`` (a keyed hash of text and voice settings), which
is the pattern ``models.entries.delete_entry`` removes with the entry.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import threading
from collections.abc import Callable
from typing import BinaryIO, Protocol

import numpy as np

from confide.models import crypto
from confide.models.errors import InvalidAudio, TooLarge, Unavailable
from confide.models.storage import AudioStore

__all__ = [
    "MAX_UPLOAD_SECONDS",
    "UPLOAD_RATE",
    "SpeechRenderer",
    "SynthesizerPort",
    "decode_upload",
    "read_limited",
]

log = logging.getLogger(__name__)

UPLOAD_RATE = 16_000
"""Uploads are kept at the rate the voice station records and Whisper listens at."""
MAX_UPLOAD_SECONDS = 3 * 3600.0
"""A small compressed file can decode to hours; past this it is refused (memory)."""


class SynthesizerPort(Protocol):
    """What the API needs of ``voice.ports.SpeechSynthesizer``."""

    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]: ...


def read_limited(fh: BinaryIO, max_bytes: int) -> bytes:
    """Read an uploaded file, refusing it as soon as it passes ``max_bytes``."""
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"The recording is over the limit of {max_bytes / 1e6:.1f} MB.")
    return data


def decode_upload(data: bytes, max_bytes: int) -> tuple[np.ndarray, int]:
    """Validate an upload by decoding it; returns 16 kHz mono samples to store."""
    from confide.voice.decoding import decode_audio

    if not data:
        raise InvalidAudio("The uploaded file is empty.")
    decoded = decode_audio(data, target_rate=UPLOAD_RATE, max_bytes=max_bytes,
                           max_seconds=MAX_UPLOAD_SECONDS)
    if decoded.samples.size == 0:
        raise InvalidAudio("The uploaded file holds no audio.")
    return decoded.samples, decoded.rate


class SpeechRenderer:
    """Renders an entry's transcript with the injected synthesizer, once per text and voice.

    The synthesizer is created on first use and used under a lock (engines such as pyttsx3
    are not thread-safe); callers run ``render`` in a worker thread.
    """

    def __init__(self, store: AudioStore, factory: Callable[[], SynthesizerPort]) -> None:
        self._store = store
        self._factory = factory
        self._synth: SynthesizerPort | None = None
        self._lock = threading.Lock()

    @staticmethod
    def cache_key(text: str, voice: str | None, rate: int, volume: float,
                  data_key: bytes) -> str:
        """Keyed by the entry's data key, so the file name says nothing about the words."""
        raw = f"{voice or ''}\x00{rate}\x00{volume:.3f}\x00{text}".encode()
        return hmac.new(crypto.derive(data_key, "speech-name"), raw, hashlib.sha256).hexdigest()[:16]

    def render(self, entry_id: int, text: str, data_key: bytes, *, voice: str | None,
               rate: int, volume: float) -> tuple[bytes, str]:
        """The WAV of ``text`` read aloud (and a tag for its ETag), from the sealed cache or
        rendered now and cached sealed with the entry's key."""
        import soundfile as sf

        name = f"speech-entry-{entry_id}-{self.cache_key(text, voice, rate, volume, data_key)}"
        rel = f"derived/{name}.sealed"
        with self._lock:
            if self._store.exists(rel):
                return self._store.read_derived(rel, data_key), rel
            try:
                if self._synth is None:
                    self._synth = self._factory()
                samples, sr = self._synth.synthesize(text, voice=voice, rate=rate, volume=volume)
            except Exception as exc:
                log.exception("speech synthesis failed")
                raise Unavailable(
                    "The speech engine could not read this aloud.") from exc
            if np.asarray(samples).size == 0:
                raise Unavailable("The speech engine produced no audio for this text.")
            buf = io.BytesIO()
            sf.write(buf, np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0), int(sr),
                     format="WAV", subtype="PCM_16")
            self._store.write_derived(f"{name}.sealed", buf.getvalue(), data_key)
            # Older renders of this entry (an earlier transcript or voice) are stale now.
            for old in (self._store.root / "derived").glob(f"speech-entry-{entry_id}-*"):
                if old.name != f"{name}.sealed":
                    old.unlink(missing_ok=True)
        return buf.getvalue(), rel

    def forget(self, entry_id: int) -> None:
        """Remove every render of an entry (used when it vanished mid-render)."""
        for old in (self._store.root / "derived").glob(f"speech-entry-{entry_id}-*"):
            old.unlink(missing_ok=True)
