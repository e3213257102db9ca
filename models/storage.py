"""Sealed recordings, addressed by paths relative to the store: the interface and the
local-folder store (the default), and ``open_audio_store`` to pick one from the settings.

Every store keeps one durability rule: a recording is durable before ``write_audio``
returns its path, so the row that names it is written only after the bytes are safe, and a
crash leaves nothing under a real name that is half written. The folder store writes a
temporary name, fsyncs it and renames it into place; the database store
(``models.store_database``, which several machines share) commits the blob first.
"""

from __future__ import annotations

import io
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from confide.models import crypto
from confide.models.errors import Locked, NotFound

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy.engine import Engine

__all__ = ["SEALED_SUFFIX", "AudioStore", "audio_key", "flac_bytes", "open_audio_store"]

log = logging.getLogger(__name__)
SEALED_SUFFIX = ".sealed"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AudioStore:
    """Recordings as sealed FLAC (lossless, about half the size of WAV) under ``root``.

    Every file is sealed with a key from its item's data key (models/crypto.py), so the
    folder alone plays nothing. Files from before sealing are plain FLAC until their owner's
    first unlock re-seals them; ``read`` tells the two apart by the sealed header.
    """

    kind = "folder"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _write(self, rel: str, data: bytes, key: bytes) -> str:
        """Seal ``data`` under ``rel``; durable when it returns (the store's rule)."""
        return self._write_file(rel, data, key)

    def _write_file(self, rel: str, data: bytes, key: bytes) -> str:
        final = self.root / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_suffix(".part")
        with open(tmp, "wb") as fh:
            crypto.seal_stream(key, data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return rel

    def write_audio(self, samples: np.ndarray, rate: int, data_key: bytes, *,
                    kind: str = "entries", name: str | None = None) -> str:
        """Seal mono/stereo float samples as FLAC; returns the relative path once durable.

        ``name`` (default random) lets a recovered reply keep the id it was recorded under.
        """
        now = datetime.now(UTC)
        rel = f"{kind}/{now:%Y/%m}/{name or uuid.uuid4().hex}{SEALED_SUFFIX}"
        return self._write(rel, flac_bytes(samples, rate), audio_key(data_key))

    def write_derived(self, name: str, data: bytes, data_key: bytes) -> str:
        """Store derived bytes (rendered speech) sealed with the item's key."""
        return self._write_file(f"derived/{name}", data, crypto.derive(data_key, "derived"))

    def read_derived(self, rel: str, data_key: bytes) -> bytes:
        return crypto.open_stream(crypto.derive(data_key, "derived"), self.path(rel).read_bytes())

    def _read_blob(self, rel: str) -> bytes:
        try:
            return self.path(rel).read_bytes()
        except FileNotFoundError:
            raise NotFound("That recording does not exist.") from None

    def read_audio(self, rel: str, data_key: bytes | None) -> bytes:
        """The FLAC bytes of a recording (SealError if the key does not open it)."""
        blob = self._read_blob(rel)
        if blob.startswith(crypto.MAGIC):
            if data_key is None:
                raise Locked("Unlock the journal to hear this recording.")
            return crypto.open_stream(audio_key(data_key), blob)
        return blob  # from before sealing; re-sealed at the owner's first unlock

    def is_sealed(self, rel: str) -> bool:
        with open(self.path(rel), "rb") as fh:
            return fh.read(len(crypto.MAGIC)) == crypto.MAGIC

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

    def wipe(self, rel: str) -> None:
        """Overwrite a plain file with zeros before removing it (a pre-sealing recording)."""
        path = self.path(rel)
        try:
            size = path.stat().st_size
            with open(path, "r+b") as fh:
                fh.write(bytes(size))
                fh.flush()
                os.fsync(fh.fileno())
            path.unlink()
        except FileNotFoundError:
            log.info("audio file %s was already gone", rel)


def open_audio_store(spec: str, root: Path, engine: Engine | None = None) -> AudioStore:
    """The store ``CONFIDE_AUDIO_STORE`` names: ``folder`` (under ``root``) or ``database``
    (sealed blobs in the journal's own database, shared by every machine that uses it;
    rendered speech, a cache, stays in ``root``)."""
    if spec == "folder":
        return AudioStore(root)
    if spec == "database":
        if engine is None:
            raise ValueError("the database audio store needs the database engine")
        from confide.models.store_database import DatabaseAudioStore

        return DatabaseAudioStore(root, engine)
    raise ValueError(f"unknown audio store {spec!r}: use 'folder' or 'database'")


def audio_key(data_key: bytes) -> bytes:
    return crypto.derive(data_key, "audio")


def flac_bytes(samples: np.ndarray, rate: int) -> bytes:
    # NumPy and libsndfile load here, where audio is encoded, not with the store: reading
    # or searching the journal never needs them (a tenth of a second of every start).
    import numpy as np
    import soundfile as sf

    data = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", samplerate=rate, channels=1 if data.ndim == 1
                      else data.shape[1], format="FLAC", subtype="PCM_16") as out:
        out.write(data)
    return buf.getvalue()
