"""The database audio store: sealed recordings as rows of the journal's own database.

Chosen over an S3-compatible store as the shared backend (docs/DEPLOY.md says why): every
machine of a deployment already reaches the database, it works on SQLite and PostgreSQL
with nothing more to run, and a backup of the database is a backup of the recordings. The
blobs are the same sealed secretstream bytes the folder store writes, so the database alone
still plays nothing. Rendered speech (a cache any machine can render again) stays in the
local folder.

Meant for PostgreSQL. On SQLite (one writer at a time) a caller that has already written in
its own open transaction would wait for itself here: the folder store is SQLite's.

Durability as in the folder store: ``write_audio`` commits the blob in its own transaction
before it returns, so the row that names it is written only once the bytes are safe; if
that row then fails, the caller deletes the blob as it would delete a file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from confide.models import crypto
from confide.models.errors import NotFound
from confide.models.storage import AudioStore
from confide.models.tables import AudioBlob

__all__ = ["DatabaseAudioStore"]

log = logging.getLogger(__name__)


class DatabaseAudioStore(AudioStore):
    """``AudioStore`` whose recordings live in the ``audioblob`` table."""

    kind = "database"

    def __init__(self, root: Path, engine: Engine) -> None:
        super().__init__(root)
        self.engine = engine

    def _write(self, rel: str, data: bytes, key: bytes) -> str:
        import io

        buf = io.BytesIO()
        crypto.seal_stream(key, data, buf)
        with Session(self.engine) as session:
            existing = session.get(AudioBlob, rel)
            if existing is not None:  # a re-seal of the same recording replaces it
                existing.data = buf.getvalue()
                session.add(existing)
            else:
                session.add(AudioBlob(path=rel, data=buf.getvalue()))
            session.commit()
        return rel

    def _read_blob(self, rel: str) -> bytes:
        if rel.startswith("derived/"):
            return super()._read_blob(rel)
        with Session(self.engine) as session:
            data = session.exec(select(AudioBlob.data).where(col(AudioBlob.path) == rel)).first()
        if data is None:
            raise NotFound("That recording does not exist.")
        return bytes(data)

    def is_sealed(self, rel: str) -> bool:
        return self._read_blob(rel).startswith(crypto.MAGIC)

    def exists(self, rel: str) -> bool:
        if rel.startswith("derived/"):
            return super().exists(rel)
        with Session(self.engine) as session:
            return session.exec(select(AudioBlob.path)
                                .where(col(AudioBlob.path) == rel)).first() is not None

    def delete(self, rel: str | None) -> None:
        if not rel:
            return
        if rel.startswith("derived/"):
            super().delete(rel)
            return
        with Session(self.engine) as session:
            session.exec(delete(AudioBlob).where(col(AudioBlob.path) == rel))
            session.commit()

    def wipe(self, rel: str) -> None:
        """The row is deleted; on SQLite ``secure_delete`` zeroes its pages (on PostgreSQL
        the space is reused after VACUUM, as for any deleted row)."""
        self.delete(rel)

    def size(self) -> int:
        """How many recordings the table holds (for readiness and tests)."""
        import sqlalchemy as sa

        with Session(self.engine) as session:
            return int(session.exec(select(sa.func.count()).select_from(AudioBlob)).one())
