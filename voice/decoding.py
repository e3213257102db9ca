"""Decoding as the product does it: the audio-file engine, its refusals as journal errors.

``voice.audio_file`` is an engine and imports nothing of ours, so it raises its own
``UnusableAudio``. Everything that decodes for a person (an upload, an import, a queued
transcription, ``confide transcribe``) goes through here instead, so a bad file is an
``InvalidAudio`` (422, a one-line CLI error) and an oversized one a ``TooLarge`` (413),
from one translation.
"""

from __future__ import annotations

from pathlib import Path

from confide.models.errors import InvalidAudio, TooLarge
from confide.voice import audio_file
from confide.voice.audio_file import AudioTooLarge, DecodedAudio, UnusableAudio

__all__ = ["DecodedAudio", "decode_audio"]


def decode_audio(
    source: Path | bytes,
    *,
    target_rate: int | None = 16000,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
) -> DecodedAudio:
    """``voice.audio_file.decode_audio``, raising ``InvalidAudio`` or ``TooLarge``."""
    try:
        return audio_file.decode_audio(source, target_rate=target_rate, max_bytes=max_bytes,
                                       max_seconds=max_seconds)
    except AudioTooLarge as exc:
        raise TooLarge(str(exc)) from exc
    except UnusableAudio as exc:
        raise InvalidAudio(str(exc)) from exc
