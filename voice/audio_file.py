"""Audio files in, float32 mono samples out — with every way a file can be bad named plainly.

Decoding goes through PyAV (FFmpeg) directly rather than faster-whisper, so the API can
validate an upload without importing CTranslate2. FFmpeg is forgiving: a corrupt FLAC
decodes to nothing and a truncated file to less than its header promises, both without an
error, so the decoded length is checked against what the container declares.

An engine, it imports nothing of ours and raises its own ``UnusableAudio``; the product
decodes through ``voice.decoding``, which turns those into the journal's ``InvalidAudio``
and ``TooLarge``.
"""

from __future__ import annotations

import io
import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "MIN_DURATION_S",
    "AudioTooLarge",
    "DecodedAudio",
    "UnusableAudio",
    "decode_audio",
    "resample",
    "write_flac",
]

log = logging.getLogger(__name__)

MIN_DURATION_S = 0.1
"""Shorter than this is not a reply (and Whisper cannot make anything of it)."""

_TRUNCATED_RATIO = 0.9
"""Decoded audio shorter than this share of the declared duration counts as truncated."""
_TRUNCATED_SLACK_S = 0.25
"""Codec priming and padding make decoded and declared lengths differ by a few frames."""


class UnusableAudio(ValueError):
    """Not usable audio: missing, empty, not audio, corrupt, truncated or too short."""


class AudioTooLarge(UnusableAudio):
    """Over the byte or duration limit the caller set."""


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    """Samples as float32 mono in -1..1 at ``rate``; ``original_rate``/``channels`` as stored."""

    samples: np.ndarray
    rate: int
    original_rate: int
    channels: int
    duration: float


def _describe(source: Path | bytes) -> str:
    return str(source) if isinstance(source, Path) else "the uploaded audio"


def _check_size(source: Path | bytes, max_bytes: int | None) -> None:
    if isinstance(source, Path):
        if not source.exists():
            raise UnusableAudio(f"{source}: no such file.")
        if not source.is_file():
            raise UnusableAudio(f"{source}: not a file.")
        size = source.stat().st_size
    else:
        size = len(source)
    name = _describe(source)
    if size == 0:
        raise UnusableAudio(f"{name}: the file is empty.")
    if max_bytes is not None and size > max_bytes:
        raise AudioTooLarge(
            f"{name}: the file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB."
        )


def _wav_is_truncated(head: bytes, size: int) -> bool:
    """True when a RIFF/WAVE header promises more data than the file holds.

    FFmpeg sizes a WAV by its length on disk, so a cut-off recording decodes "fine" and
    only the header's data-chunk size shows that audio is missing.
    """
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    pos = 12
    while pos + 8 <= len(head):
        chunk_id = head[pos : pos + 4]
        (chunk_size,) = struct.unpack("<I", head[pos + 4 : pos + 8])
        if chunk_id == b"data":
            # Streaming writers leave 0 or 0xFFFFFFFF when they cannot seek back.
            if chunk_size in (0, 0xFFFFFFFF):
                return False
            return bool(pos + 8 + int(chunk_size) > size)
        pos += 8 + chunk_size + (chunk_size & 1)
    return False


def _read_head(source: Path | bytes, n: int = 65536) -> tuple[bytes, int]:
    if isinstance(source, bytes):
        return source[:n], len(source)
    with open(source, "rb") as fh:
        return fh.read(n), os.fstat(fh.fileno()).st_size


def _declared_seconds(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return None


def decode_audio(
    source: Path | bytes,
    *,
    target_rate: int | None = 16000,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
) -> DecodedAudio:
    """Decode a file or bytes (WAV, FLAC, MP3, OGG/Vorbis/Opus, M4A, ...) to float32 mono.

    ``target_rate`` None keeps the original rate. Raises ``UnusableAudio`` with a one-line
    reason for anything that is not usable audio, ``AudioTooLarge`` past ``max_bytes`` or
    ``max_seconds`` (a small file can decode to hours).
    """
    import av  # only here: the API imports this module for validation

    _check_size(source, max_bytes)
    name = _describe(source)
    head, size = _read_head(source)
    if _wav_is_truncated(head, size):
        raise UnusableAudio(f"{name}: the WAV file is truncated (its header promises more audio).")

    try:
        container = av.open(
            str(source) if isinstance(source, Path) else io.BytesIO(source), mode="r"
        )
    except av.error.FFmpegError as exc:
        raise UnusableAudio(f"{name}: not an audio file FFmpeg recognises.") from exc
    with container:
        if not container.streams.audio:
            raise UnusableAudio(f"{name}: not an audio file (it has no audio stream).")
        stream = container.streams.audio[0]
        original_rate = int(stream.codec_context.sample_rate or 0)
        channels = int(stream.codec_context.channels or 0)
        declared = _declared_seconds(container, stream)
        rate = target_rate or original_rate
        if rate <= 0:
            raise UnusableAudio(f"{name}: the audio stream has no sample rate.")
        resampler: Any = None
        parts: list[np.ndarray] = []
        total = 0
        limit = None if max_seconds is None else int(max_seconds * rate)
        try:
            for frame in container.decode(stream):
                if resampler is None:
                    # Keep the channels (FFmpeg's own downmix is -3 dB); averaged below.
                    resampler = av.AudioResampler(format="fltp", layout=frame.layout.name,
                                                  rate=rate)
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray()
                    parts.append(chunk.mean(axis=0) if chunk.shape[0] > 1 else chunk[0])
                    total += chunk.shape[1]
                if limit is not None and total > limit:
                    raise AudioTooLarge(
                        f"{name}: the audio is longer than the limit of {max_seconds:.0f} s."
                    )
            for out in resampler.resample(None) if resampler is not None else ():
                chunk = out.to_ndarray()
                parts.append(chunk.mean(axis=0) if chunk.shape[0] > 1 else chunk[0])
        except av.error.FFmpegError as exc:
            raise UnusableAudio(f"{name}: the audio is corrupt and cannot be decoded.") from exc

    samples = (np.concatenate(parts) if parts else np.zeros(0)).astype(np.float32, copy=False)
    duration = samples.shape[0] / rate
    if samples.shape[0] == 0:
        raise UnusableAudio(f"{name}: no audio could be decoded (the file is corrupt).")
    if (
        declared is not None
        and declared > 0
        and duration < declared * _TRUNCATED_RATIO - _TRUNCATED_SLACK_S
    ):
        raise UnusableAudio(
            f"{name}: truncated or corrupt: only {duration:.2f} s of the declared "
            f"{declared:.2f} s could be decoded."
        )
    if duration < MIN_DURATION_S:
        raise UnusableAudio(
            f"{name}: too short ({duration:.2f} s; at least {MIN_DURATION_S} s is needed)."
        )
    if not np.isfinite(samples).all():
        raise UnusableAudio(f"{name}: the audio contains invalid sample values.")
    log.debug("decoded %s: %.2f s, %d Hz -> %d Hz, %d channel(s)",
              name, duration, original_rate, rate, channels)
    return DecodedAudio(samples, rate, original_rate or rate, channels or 1, duration)


def resample(samples: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """Resample float32 mono samples with FFmpeg's resampler (the one decoding uses)."""
    import av

    data = np.ascontiguousarray(samples, dtype=np.float32)
    if rate == target_rate or data.size == 0:
        return data
    frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format="fltp", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="fltp", layout="mono", rate=target_rate)
    parts = [f.to_ndarray()[0] for f in resampler.resample(frame)]
    parts += [f.to_ndarray()[0] for f in resampler.resample(None)]
    return np.concatenate(parts).astype(np.float32, copy=False) if parts else data[:0]


def write_flac(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples as 16-bit FLAC, durably: temp file, fsync, rename, fsync dir.

    A reply once spoken must survive a crash, so the bytes are on disk before the name is.
    """
    import soundfile as sf

    data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        with sf.SoundFile(fh, "w", samplerate=rate, channels=1, format="FLAC",
                          subtype="PCM_16") as out:
            out.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
