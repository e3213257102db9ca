"""Where an imported entry came from: one mark per person, source kind and source id.

The mark is written in the same transaction as the entry, so importing the same export
twice adds nothing, and an interrupted import picks up where it stopped. A mark outlives
its entry (the link is cleared, the mark stays), so deleting an imported entry and
importing again does not bring it back. It also keeps the source's time zone, which the
entry row (times in UTC) does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Column, Field, Session, SQLModel, col, select

from confide.models.tables import UTCDateTime, utcnow

__all__ = ["SOURCE_KINDS", "ImportMark", "SourceKind", "source_timezones"]

SourceKind = Literal["dayone", "jrnl", "text", "memo"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("dayone", "jrnl", "text", "memo")


class ImportMark(SQLModel, table=True):
    __tablename__ = "import_mark"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "source_kind", "source_id", name="uq_import_mark_source"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    source_kind: str = Field(max_length=12)
    # A Day One uuid (with the recording's identifier for a recording), or a sha256.
    source_id: str = Field(max_length=160)
    entry_id: int | None = Field(default=None, foreign_key="entry.id", index=True,
                                 ondelete="SET NULL")
    timezone: str | None = Field(default=None, max_length=64)
    imported_at: datetime = Field(default_factory=utcnow,
                                  sa_column=Column(UTCDateTime(), nullable=False))


def source_timezones(session: Session, entry_ids: Sequence[int]) -> dict[int, str]:
    """The time zone each imported entry was written in, where the source said."""
    if not entry_ids:
        return {}
    rows = session.exec(
        select(ImportMark.entry_id, ImportMark.timezone).where(
            col(ImportMark.entry_id).in_(list(entry_ids)), col(ImportMark.timezone).is_not(None)
        )
    )
    return {eid: tz for eid, tz in rows if eid is not None and tz is not None}
