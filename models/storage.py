"""Audio files on disk, addressed by paths relative to the data dir's audio folder.

A file is written to a temporary name, flushed and fsynced, then renamed into place, so
a row never points at a half-written recording and a crash leaves no partial file under
a real name.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import soundfile as sf

from models.errors import NotFound

__all__ = ["AudioStore"]

log = logging.getLogger(__name__)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AudioStore:
    """Stores recordings as FLAC (lossless, about half the size of WAV) under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write_flac(self, samples: np.ndarray, rate: int, *, kind: str = "entries",
                   name: str | None = None) -> str:
        """Write mono/stereo float samples as FLAC; returns the relative path once durable.

        ``name`` (default random) lets a recovered reply keep the id it was recorded under.
        """
        now = datetime.now(UTC)
        rel = f"{kind}/{now:%Y/%m}/{name or uuid.uuid4().hex}.flac"
        final = self.root / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_suffix(".part")
        data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
        with open(tmp, "wb") as fh:
            with sf.SoundFile(fh, "w", samplerate=rate, channels=1 if data.ndim == 1
                              else data.shape[1], format="FLAC", subtype="PCM_16") as out:
                out.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return rel

    def write_bytes(self, data: bytes, suffix: str, *, kind: str = "derived") -> str:
        """Store derived bytes (e.g. rendered speech) durably; returns the relative path."""
        rel = f"{kind}/{uuid.uuid4().hex}{suffix}"
        final = self.root / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_suffix(".part")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        return rel

    def path(self, rel: str) -> Path:
        """The absolute path of a stored file; refuses paths that escape the store."""
        candidate = (self.root / rel).resolve()
        if self.root.resolve() not in candidate.parents:
            raise NotFound("That recording does not exist.")
        return candidate

    def exists(self, rel: str) -> bool:
        return self.path(rel).is_file()

    def delete(self, rel: str | None) -> None:
        """Remove a stored file for good; a file already gone is not an error."""
        if not rel:
            return
        try:
            self.path(rel).unlink()
        except FileNotFoundError:
            log.info("audio file %s was already gone", rel)
