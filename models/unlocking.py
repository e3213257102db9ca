"""What happens when a person unlocks: the work that needed their secret and had to wait.

- Data keys sealed anonymously for them (written while they were locked) are re-wrapped
  with their own symmetric key, which opens about fifty times faster.
- Entries written locked are added to the blind search index.
- A journal from before sealing is sealed: its words move into ``sealed``, its recordings
  are re-written sealed and the plain files overwritten, and SQLite's free pages and WAL are
  cleared (secure_delete, VACUUM, a truncating checkpoint) so no plain copy is left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from confide.models import crypto, keys, sealing
from confide.models.keys import Keys, Reader
from confide.models.search import index_pending
from confide.models.storage import AudioStore
from confide.models.tables import Entry, GoalCheckIn, ItemKey, Journal, Person, Response

__all__ = ["Settled", "settle", "wipe_free_space"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settled:
    rewrapped: int
    indexed: int
    sealed_old: int


def _rewrap(session: Session, unlocked: Keys, person: Person) -> int:
    readers = unlocked.readers(person.couple_id)
    rows = session.exec(select(ItemKey).where(
        col(ItemKey.method) == "box",
        sa.or_(*[sa.and_(col(ItemKey.reader_kind) == k, col(ItemKey.reader_id) == r)
                 for k, r in readers]))).all()
    for row in rows:
        secret = unlocked.secret_for(session, (row.reader_kind, row.reader_id))
        data_key = crypto.unwrap_for(secret, row.wrapped)
        row.wrapped = crypto.seal_box(crypto.derive(secret, "wrap"), data_key)
        row.method = "secret"
        session.add(row)
    session.flush()
    return len(rows)


def _reseal_audio(store: AudioStore, rel: str | None, data_key: bytes, kind: str) -> str | None:
    if rel is None or not store.exists(rel) or store.is_sealed(rel):
        return rel
    import io

    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(store.read_audio(rel, None)), dtype="float32")
    new_rel = store.write_audio(samples, rate, data_key, kind=kind)
    store.wipe(rel)
    return new_rel


def _unwrapped(kind: str, ident: object) -> sa.ColumnElement[bool]:
    """Rows with no wrap of a data key at all: written before sealing existed."""
    return ~sa.exists().where(col(ItemKey.item_kind) == kind, col(ItemKey.item_id) == ident)


def _seal_old(session: Session, store: AudioStore, unlocked: Keys, person: Person) -> int:
    """Seal what this person wrote before sealing existed (idempotent: sealed rows skip)."""
    sealed = 0
    for entry in session.exec(select(Entry).where(Entry.author_id == person.id,
                                                  _unwrapped("entry", Entry.id))).all():
        assert entry.id is not None
        data_key = sealing.new_data_key(session, "entry", entry.id,
                                        _available(session, sealing.entry_readers(session, entry)),
                                        unlocked)
        blob = sealing.seal_values(data_key, {"transcript": entry.transcript,
                                              "segments": entry.segments, "mood": entry.mood,
                                              "tags": entry.tags})
        audio = _reseal_audio(store, entry.audio_path, data_key, "entries")
        session.exec(sa.update(Entry).where(col(Entry.id) == entry.id).values(
            sealed=blob, transcript="", segments=[], mood=None, tags=[], audio_path=audio,
            indexed=False))
        sealed += 1
    if person.couple_id is not None:
        for reply in session.exec(select(Response).where(
                Response.author_id == person.id, _unwrapped("response", Response.id))).all():
            assert reply.id is not None
            data_key = sealing.new_data_key(session, "response", reply.id,
                                            _available(session, _mine_and_couple(person)),
                                            unlocked)
            audio = _reseal_audio(store, reply.audio_path, data_key, "responses")
            session.exec(sa.update(Response).where(col(Response.id) == reply.id).values(
                sealed=sealing.seal_values(data_key, {"text": reply.text}), text="",
                audio_path=audio))
            sealed += 1
        for note in session.exec(select(GoalCheckIn).where(
                GoalCheckIn.person_id == person.id, _unwrapped("checkin", GoalCheckIn.id))).all():
            assert note.id is not None
            data_key = sealing.new_data_key(session, "checkin", note.id,
                                            _available(session, _mine_and_couple(person)),
                                            unlocked)
            audio = _reseal_audio(store, note.audio_path, data_key, "checkins")
            session.exec(sa.update(GoalCheckIn).where(col(GoalCheckIn.id) == note.id).values(
                sealed=sealing.seal_values(data_key, {"reflection": note.reflection}),
                reflection="", audio_path=audio))
            sealed += 1
    if sealed:
        session.expire_all()
    return sealed


def _mine_and_couple(person: Person) -> list[Reader]:
    assert person.id is not None
    return [("person", person.id)] + ([("couple", person.couple_id)] if person.couple_id else [])


def _available(session: Session, readers: list[Reader]) -> list[Reader]:
    """The readers that have keys now; a partner from before sealing is added later."""
    return [r for r in readers if keys.can_seal_for(session, r)]


def _share_with_couple(session: Session, unlocked: Keys, person: Person) -> int:
    """Wrap for the couple what this person wrote for it before the couple had a key (an
    old journal whose partner had not unlocked yet): only the writer holds those keys."""
    if person.couple_id is None or not keys.can_seal_for(session, ("couple", person.couple_id)):
        return 0
    couple: Reader = ("couple", person.couple_id)
    missing = [
        ("entry", i) for i in session.exec(select(Entry.id).join(
            Journal, col(Journal.id) == col(Entry.journal_id)).where(
            Entry.author_id == person.id, Journal.kind == "shared",
            _unwrapped_for("entry", Entry.id, couple)))
    ] + [("response", i) for i in session.exec(select(Response.id).where(
        Response.author_id == person.id, _unwrapped_for("response", Response.id, couple)))
    ] + [("checkin", i) for i in session.exec(select(GoalCheckIn.id).where(
        GoalCheckIn.person_id == person.id, _unwrapped_for("checkin", GoalCheckIn.id, couple)))]
    for kind, ident in missing:
        if ident is None:
            continue
        data_key = unlocked.data_key(session, kind, ident, person.couple_id)
        keys.wrap_item(session, kind, ident, data_key, [couple], unlocked)
    return len(missing)


def _unwrapped_for(kind: str, ident: object, reader: Reader) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(col(ItemKey.item_kind) == kind, col(ItemKey.item_id) == ident,
                              col(ItemKey.reader_kind) == reader[0],
                              col(ItemKey.reader_id) == reader[1])


def settle(session: Session, store: AudioStore, unlocked: Keys, person: Person) -> Settled:
    """Everything that waited for this person's unlock. Call ``wipe_free_space`` after
    committing when ``sealed_old`` is not zero."""
    if person.couple_id is not None:
        partners = [i for i in session.exec(select(Person.id).where(
            Person.couple_id == person.couple_id)) if i is not None]
        if len(partners) == 2:
            keys.ensure_couple_key(session, person.couple_id, partners)  # a pair from before
    sealing.use_keys(session, unlocked)
    old = _seal_old(session, store, unlocked, person)
    _share_with_couple(session, unlocked, person)
    rewrapped = _rewrap(session, unlocked, person)
    indexed = index_pending(session, unlocked, person)
    if old:
        log.info("sealed %d item(s) written before sealing", old)
    return Settled(rewrapped, indexed, old)


def wipe_free_space(engine: Engine) -> None:
    """Leave no plain copy in the database file's free pages or in the WAL."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM FULL entry, response, goalcheckin")
