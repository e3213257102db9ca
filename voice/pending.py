"""Replies written to disk while they are spoken, sealed, so a crash loses nothing and
shows nothing.

Each reply in progress is two files in the data dir's ``pending/`` folder: a JSON note
(whose reply, which prompt, and the reply's data key sealed for its author's public key)
written first, and 16-bit PCM sealed frame by frame (libsodium secretstream, see
models/crypto.py) and fsynced about once a second. A kill mid-reply loses at most the
frame being written; the rest opens once the author unlocks. When the reply is safely in
the journal the pair is removed; a pair found at start is a reply a crashed process did
not finish.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import numpy as np

from confide.models import crypto
from confide.models.crypto import StreamSealer
from confide.models.errors import Locked
from confide.voice.ports import MIC_RATE

__all__ = ["PendingNote", "PendingRecording", "find_pending"]

log = logging.getLogger(__name__)
SYNC_EVERY_S = 1.0


@dataclass(frozen=True, slots=True)
class PendingNote:
    """What the journal needs to file a reply that was cut off."""

    id: str
    person_id: int
    journal: str
    kind: str
    prompt_id: str | None
    prompt_text: str | None
    entry_id: int | None  # set for a spoken response: the entry it answers
    started_at: str
    rate: int = MIC_RATE
    wrapped_key: str = ""  # the data key, sealed for the author (base64)


class PendingRecording:
    """Appends audio durably and sealed as it arrives; ``samples()`` reads back what is on
    disk (with the data key this process made, or one opened by ``unlock``)."""

    def __init__(self, folder: Path, note: PendingNote, data_key: bytes | None = None) -> None:
        self.folder = folder
        self.note = note
        self.data_key = data_key
        self.pcm_path = folder / f"{note.id}.sealed"
        self.note_path = folder / f"{note.id}.json"
        self._fh: IO[bytes] | None = None
        self._sealer: StreamSealer | None = None
        self._unsynced = 0

    @classmethod
    def begin(cls, folder: Path, *, person_id: int, public_key: bytes, journal: str,
              kind: str = "reflection", prompt_id: str | None = None,
              prompt_text: str | None = None, entry_id: int | None = None) -> PendingRecording:
        folder.mkdir(parents=True, exist_ok=True)
        data_key = crypto.new_key()
        note = PendingNote(uuid.uuid4().hex, person_id, journal, kind, prompt_id, prompt_text,
                           entry_id, datetime.now(UTC).isoformat(),
                           wrapped_key=base64.b64encode(crypto.wrap_for(public_key,
                                                                        data_key)).decode())
        rec = cls(folder, note, data_key)
        tmp = rec.note_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(note)))
        os.replace(tmp, rec.note_path)
        rec._fh = open(rec.pcm_path, "ab")  # noqa: SIM115 - held open while recording
        rec._sealer = crypto.StreamSealer(data_key, rec._fh)
        return rec

    def unlock(self, secret: bytes) -> bytes:
        """Open the data key of a reply found at start with its author's secret."""
        self.data_key = crypto.unwrap_for(secret, base64.b64decode(self.note.wrapped_key))
        return self.data_key

    def append(self, block: np.ndarray) -> None:
        assert self._sealer is not None, "recording already closed"
        pcm = (np.clip(block, -1.0, 1.0) * 32767).astype("<i2")
        self._sealer.push(pcm.tobytes())
        self._unsynced += len(pcm)
        if self._unsynced >= SYNC_EVERY_S * self.note.rate:
            self.sync()

    def sync(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._unsynced = 0

    def close(self) -> None:
        if self._fh is not None:
            assert self._sealer is not None
            self._sealer.push(b"", final=True)
            self.sync()
            self._fh.close()
            self._fh = None
            self._sealer = None

    def samples(self) -> np.ndarray:
        """What is on disk, up to the last whole frame (a crash may cut the last one)."""
        if self.data_key is None:
            raise Locked("This reply opens once its author unlocks.")
        if self._fh is not None:
            self._fh.flush()
        data = self.pcm_path.read_bytes() if self.pcm_path.exists() else b""
        if not data:
            return np.zeros(0, dtype=np.float32)
        pcm = crypto.open_stream(self.data_key, data, allow_truncated=True)
        usable = len(pcm) - len(pcm) % 2
        return np.frombuffer(pcm[:usable], dtype="<i2").astype(np.float32) / 32767.0

    def discard(self) -> None:
        """Remove the files once the reply is safely in the journal (or was deleted)."""
        self.close()
        self.pcm_path.unlink(missing_ok=True)
        self.note_path.unlink(missing_ok=True)


def find_pending(folder: Path) -> list[PendingRecording]:
    """Replies left behind by a process that stopped before filing them, oldest first."""
    if not folder.is_dir():
        return []
    found = []
    for note_path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        try:
            note = PendingNote(**json.loads(note_path.read_text()))
        except (ValueError, TypeError) as exc:
            log.warning("unreadable pending note %s: %s", note_path, exc)
            continue
        found.append(PendingRecording(folder, note))
    return found
