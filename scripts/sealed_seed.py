"""Seed a benchmark journal as the product writes it: sealed.

Every person gets a key pair (secret wrapped by one shared benchmark passphrase, one Argon2id
derivation for all, so seeding 4,000 people does not take 400 s), every couple a key pair
wrapped for both partners, every entry and response a data key wrapped for its readers, its
words sealed, and its stemmed words in the blind search index. Rows go in by bulk SQL Core
inserts; the sealing calls are the product's own (models.crypto, models.sealing,
models.search.stems), so what the benchmarks read is what a real journal holds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from confide.models import crypto
from confide.models.crypto import KdfParams
from confide.models.sealing import seal_values
from confide.models.search import stems
from confide.models.tables import (
    Couple,
    CoupleKey,
    Entry,
    ItemKey,
    Journal,
    Person,
    PersonKey,
    Response,
    SearchTerm,
)

__all__ = ["PASSPHRASE", "SealedWorld", "seed_sealed"]

PASSPHRASE = "benchmark passphrase"
BATCH = 5000


@dataclass
class SealedWorld:
    people: int
    couples: int
    entries: int
    responses: int
    person_secrets: dict[int, bytes] = field(default_factory=dict)
    couple_secrets: dict[int, bytes] = field(default_factory=dict)


def _wrap(secret: bytes, data_key: bytes) -> bytes:
    return crypto.seal_box(crypto.derive(secret, "wrap"), data_key)


def _batched(conn: sa.Connection, table: Any, rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            conn.execute(sa.insert(table), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(table), batch)


def seed_sealed(engine: sa.Engine, entries: int, couples: int, rng: random.Random,
                text: Callable[[random.Random], str], *, tag_share: float = 0.1,
                response_share: float = 0.1, kdf: KdfParams | None = None,
                segments: Callable[[str], list[dict[str, Any]]] | None = None) -> SealedWorld:
    """People 1..2*couples (partners 2c-1 and 2c), private journals 1..people, shared
    journals people+1..; entries with random authors and dates over a year."""
    kdf = kdf or KdfParams()
    now = datetime.now(UTC)
    people = couples * 2
    world = SealedWorld(people, couples, entries, int(entries * response_share))
    salt = KdfParams.salt()
    pass_key = crypto.passphrase_key(PASSPHRASE, salt, kdf)
    with engine.begin() as conn:
        conn.execute(sa.insert(Couple.__table__), [  # type: ignore[attr-defined]
            {"id": c + 1, "created_by": 2 * c + 1, "created_at": now - timedelta(days=400)}
            for c in range(couples)])
        conn.execute(sa.insert(Person.__table__), [  # type: ignore[attr-defined]
            {"id": p + 1, "name": f"person-{p + 1}", "couple_id": p // 2 + 1, "timezone": "UTC",
             "created_at": now - timedelta(days=400)} for p in range(people)])
        conn.execute(sa.insert(Journal.__table__), [  # type: ignore[attr-defined]
            {"id": p + 1, "kind": "private", "owner_id": p + 1} for p in range(people)])
        conn.execute(sa.insert(Journal.__table__), [  # type: ignore[attr-defined]
            {"id": people + c + 1, "kind": "shared", "couple_id": c + 1} for c in range(couples)])
        person_rows, couple_rows, wraps = [], [], []
        for p in range(1, people + 1):
            secret, public = crypto.new_keypair()
            world.person_secrets[p] = secret
            person_rows.append({
                "person_id": p, "public_key": public,
                "passphrase_wrap": crypto.seal_box(pass_key, secret), "kdf_salt": salt,
                "kdf_ops": kdf.ops, "kdf_mem": kdf.mem,
                "recovery_wrap": crypto.seal_box(crypto.new_key(), secret), "created_at": now})
        for c in range(1, couples + 1):
            secret, public = crypto.new_keypair()
            world.couple_secrets[c] = secret
            couple_rows.append({"couple_id": c, "public_key": public})
            for p in (2 * c - 1, 2 * c):
                wraps.append({"item_kind": "couple", "item_id": c, "reader_kind": "person",
                              "reader_id": p, "method": "secret",
                              "wrapped": _wrap(world.person_secrets[p], secret)})
        conn.execute(sa.insert(PersonKey.__table__), person_rows)  # type: ignore[attr-defined]
        conn.execute(sa.insert(CoupleKey.__table__), couple_rows)  # type: ignore[attr-defined]
        conn.execute(sa.insert(ItemKey.__table__), wraps)  # type: ignore[attr-defined]

        entry_rows: list[dict[str, Any]] = []
        entry_wraps: list[dict[str, Any]] = []
        terms: list[dict[str, Any]] = []
        index_keys = {("person", p): crypto.derive(s, "index")
                      for p, s in world.person_secrets.items()}
        index_keys |= {("couple", c): crypto.derive(s, "index")
                       for c, s in world.couple_secrets.items()}
        data_keys: dict[int, bytes] = {}
        scope: dict[int, tuple[str, int]] = {}
        for i in range(1, entries + 1):
            author = rng.randrange(people) + 1
            couple = (author - 1) // 2 + 1
            shared = rng.random() < 0.5
            body = text(rng)
            tags = ["dinner"] if rng.random() < tag_share else []
            created = now - timedelta(seconds=rng.randrange(365 * 86400))
            data_key = crypto.new_key()
            data_keys[i] = data_key
            segs = segments(body) if segments else []
            entry_rows.append({
                "id": i, "author_id": author, "journal_id": people + couple if shared else author,
                "kind": "reflection", "transcript": "", "segments": [], "tags": [],
                "sealed": seal_values(data_key, {"transcript": body, "segments": segs,
                                                 "mood": None, "tags": tags}),
                "indexed": True, "word_count": len(body.split()), "status": "ready",
                "language": "en", "created_at": created, "updated_at": created})
            entry_wraps.append({"item_kind": "entry", "item_id": i, "reader_kind": "person",
                                "reader_id": author, "method": "secret",
                                "wrapped": _wrap(world.person_secrets[author], data_key)})
            reader = ("couple", couple) if shared else ("person", author)
            scope[i] = reader
            if shared:
                entry_wraps.append({"item_kind": "entry", "item_id": i, "reader_kind": "couple",
                                    "reader_id": couple, "method": "secret",
                                    "wrapped": _wrap(world.couple_secrets[couple], data_key)})
            key = index_keys[reader]
            words = stems(body) + [f"#{t}" for t in tags]
            terms.extend({"entry_id": i, "term": crypto.index_term(key, w)} for w in words)
            if len(entry_rows) == BATCH:
                _flush(conn, entry_rows, entry_wraps, terms)
        _flush(conn, entry_rows, entry_wraps, terms)

        reply_rows: list[dict[str, Any]] = []
        reply_wraps: list[dict[str, Any]] = []
        reply_terms: list[dict[str, Any]] = []
        for j in range(1, world.responses + 1):
            entry_id = rng.randrange(entries) + 1
            kind, ident = scope[entry_id]
            if kind != "couple":
                continue  # only shared entries are answered
            body = text(rng)[:200]
            data_key = crypto.new_key()
            reply_rows.append({"id": j, "entry_id": entry_id, "author_id": 2 * ident - 1,
                               "text": "", "sealed": seal_values(data_key, {"text": body}),
                               "indexed": True, "status": "ready", "created_at": now})
            reply_wraps.append({"item_kind": "response", "item_id": j, "reader_kind": "couple",
                                "reader_id": ident, "method": "secret",
                                "wrapped": _wrap(world.couple_secrets[ident], data_key)})
            reply_terms.extend({"entry_id": entry_id,
                                "term": crypto.index_term(index_keys[(kind, ident)], w)}
                               for w in stems(body))
        _batched(conn, Response.__table__, iter(reply_rows))  # type: ignore[attr-defined]
        _batched(conn, ItemKey.__table__, iter(reply_wraps))  # type: ignore[attr-defined]
        _batched(conn, SearchTerm.__table__, iter(reply_terms))  # type: ignore[attr-defined]
        world.responses = len(reply_rows)
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
    return world


def _flush(conn: sa.Connection, entries: list[dict[str, Any]], wraps: list[dict[str, Any]],
           terms: list[dict[str, Any]]) -> None:
    if entries:
        conn.execute(sa.insert(Entry.__table__), entries)  # type: ignore[attr-defined]
    if wraps:
        conn.execute(sa.insert(ItemKey.__table__), wraps)  # type: ignore[attr-defined]
    _batched(conn, SearchTerm.__table__, iter(terms))  # type: ignore[attr-defined]
    entries.clear()
    wraps.clear()
    terms.clear()
