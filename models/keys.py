"""People's and couples' keys, and who holds a wrap of which data key.

Writing never needs a secret: sealing for a person or a couple takes only their public key,
which is stored in the clear. Reading always does: ``Keys`` is a person's unlocked secret
(from their passphrase or recovery key), held in memory only, and opens the data keys that
were wrapped for them or for their couple. Changing a passphrase re-wraps one small secret;
nothing else is re-encrypted. See docs/SECURITY.md for the whole scheme.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from mnemonic import Mnemonic
from sqlmodel import Session, col, func, select

from confide.models import crypto
from confide.models.crypto import KdfParams
from confide.models.errors import InvalidInput, Locked, NotAuthenticated, RateLimited, SealError
from confide.models.tables import CoupleKey, ItemKey, LoginAttempt, Person, PersonKey, utcnow

__all__ = [
    "DEFAULT_KDF",
    "Keys",
    "Reader",
    "can_seal_for",
    "change_passphrase",
    "create_person_keys",
    "ensure_couple_key",
    "has_keys",
    "has_passphrase",
    "has_spoken_passphrase",
    "public_key",
    "recovery_to_key",
    "reissue_recovery",
    "remove_spoken_passphrase",
    "remove_wraps",
    "set_spoken_passphrase",
    "spoken_form",
    "unlock",
    "unlock_spoken",
    "unlock_with_recovery",
    "wrap_item",
]

log = logging.getLogger(__name__)

DEFAULT_KDF = KdfParams()
"""Argon2id at 3 passes over 64 MiB, above OWASP's floor (t=2, 19 MiB); cost: BENCHMARKS.md."""

MAX_UNLOCK_FAILURES = 5
UNLOCK_WINDOW_S = 15 * 60
_WORDS = re.compile(r"[a-z]+")

Reader = tuple[str, int]
"""("person", id) or ("couple", id): whoever a data key is wrapped for."""


def _mnemonic() -> Mnemonic:
    return Mnemonic("english")


def recovery_words(secret: bytes) -> str:
    """The recovery key as 12 everyday words (BIP-39, with a checksum word), to write down
    or hear read aloud."""
    return str(_mnemonic().to_mnemonic(secret))


def recovery_to_key(words: str) -> bytes:
    """The recovery key from its words, forgiving case, commas and extra spaces (typed or
    transcribed); a wrong or misheard word fails the checksum with a clear message."""
    cleaned = " ".join(_WORDS.findall(words.lower()))
    m = _mnemonic()
    if len(cleaned.split()) != 12 or not m.check(cleaned):
        raise InvalidInput("Those are not the 12 words of a recovery key; check each word.")
    return bytes(m.to_entropy(cleaned))


def _recovery_wrap_key(recovery: bytes, person_id: int) -> bytes:
    # 128 random bits need no slow KDF; the person id keeps two wraps from sharing a key.
    return crypto.derive(recovery.ljust(32, b"\0"), f"recovery:{person_id}")


@dataclass
class Keys:
    """A person's unlocked secret and, once needed, their couple's: memory only."""

    person_id: int
    secret: bytes
    couples: dict[int, bytes] = field(default_factory=dict)
    _opened: dict[tuple[str, int], tuple[bytes, bytes]] = field(default_factory=dict, repr=False)

    def secret_for(self, session: Session, reader: Reader) -> bytes:
        """This person's secret, or their couple's (unwrapped once, then kept)."""
        kind, ident = reader
        if kind == "person":
            if ident != self.person_id:
                raise SealError("That journal is not yours to open.")
            return self.secret
        if ident not in self.couples:
            row = session.exec(select(ItemKey).where(
                ItemKey.item_kind == "couple", ItemKey.item_id == ident,
                ItemKey.reader_kind == "person", ItemKey.reader_id == self.person_id)).first()
            if row is None:
                raise SealError("That journal is not yours to open.")
            self.couples[ident] = _open_wrap(row, self.secret)
        return self.couples[ident]

    def index_key(self, session: Session, reader: Reader) -> bytes:
        return crypto.derive(self.secret_for(session, reader), "index")

    def readers(self, couple_id: int | None) -> list[Reader]:
        mine: list[Reader] = [("person", self.person_id)]
        if couple_id is not None:
            mine.append(("couple", couple_id))
        return mine

    def data_keys(self, session: Session, item_kind: str, ids: Iterable[int],
                  couple_id: int | None) -> dict[int, bytes]:
        """The data keys of these items this person may open (others absent). Wraps are read
        each time: an unshared item's key, or a deleted one's whose id SQLite reused, is not."""
        ids = list(ids)
        rows = session.exec(select(ItemKey).where(
            ItemKey.item_kind == item_kind, col(ItemKey.item_id).in_(set(ids)),
            sa.or_(*[sa.and_(col(ItemKey.reader_kind) == k, col(ItemKey.reader_id) == r)
                     for k, r in self.readers(couple_id)]))).all() if ids else []
        current, found = {row.wrapped for row in rows}, dict[int, bytes]()
        for row in (r for r in rows if r.item_id not in found):  # one wrap opens an item
            known = self._opened.get((item_kind, row.item_id))
            if known is None or known[0] not in current:
                secret = self.secret_for(session, (row.reader_kind, row.reader_id))
                known = self._opened[(item_kind, row.item_id)] = (row.wrapped, _open_wrap(row, secret))
            found[row.item_id] = known[1]
        return {i: found[i] for i in ids if i in found}

    def data_key(self, session: Session, item_kind: str, item_id: int,
                 couple_id: int | None) -> bytes:
        found = self.data_keys(session, item_kind, [item_id], couple_id)
        if item_id not in found:
            raise SealError("This was not sealed for you.")
        return found[item_id]

    def remember(self, item_kind: str, item_id: int, data_key: bytes, wrapped: bytes) -> None:
        """A data key this process made itself (it wrote the item), with one of its wraps."""
        self._opened[(item_kind, item_id)] = (wrapped, data_key)

    def forget(self) -> None:
        self.couples.clear()
        self._opened.clear()
        self.secret = b""


def _open_wrap(row: ItemKey, reader_secret: bytes) -> bytes:
    if row.method == "secret":
        return crypto.open_box(crypto.derive(reader_secret, "wrap"), row.wrapped)
    return crypto.unwrap_for(reader_secret, row.wrapped)


def has_keys(session: Session, person_id: int) -> bool:
    return session.get(PersonKey, person_id) is not None


def has_passphrase(session: Session, person: Person) -> bool:
    row = session.get(PersonKey, person.id)
    return row is not None and row.passphrase_wrap is not None


def can_seal_for(session: Session, reader: Reader) -> bool:
    kind, ident = reader
    return (session.get(PersonKey, ident) if kind == "person"
            else session.get(CoupleKey, ident)) is not None


def public_key(session: Session, reader: Reader) -> bytes:
    kind, ident = reader
    row: PersonKey | CoupleKey | None = (session.get(PersonKey, ident) if kind == "person"
                                         else session.get(CoupleKey, ident))
    if row is None:
        raise Locked("This journal has no key yet; set a passphrase first.")
    return row.public_key


def wrap_item(session: Session, item_kind: str, item_id: int, data_key: bytes,
              readers: Sequence[Reader], keys: Keys | None = None) -> None:
    """Give each reader a wrap of ``data_key`` (skipping those who have one). With the
    reader's own unlocked keys at hand the wrap is symmetric, else anonymous."""
    have = {(r.reader_kind, r.reader_id): r.wrapped for r in session.exec(select(ItemKey).where(
        ItemKey.item_kind == item_kind, ItemKey.item_id == item_id))}
    for reader in readers:
        if reader in have:
            continue
        secret = None
        if keys is not None and reader[0] == "person" and reader[1] == keys.person_id:
            secret = keys.secret
        elif keys is not None and reader[0] == "couple" and reader[1] in keys.couples:
            secret = keys.couples[reader[1]]
        if secret is not None:
            wrapped, method = crypto.seal_box(crypto.derive(secret, "wrap"), data_key), "secret"
        else:
            wrapped, method = crypto.wrap_for(public_key(session, reader), data_key), "box"
        session.add(ItemKey(item_kind=item_kind, item_id=item_id, reader_kind=reader[0],
                            reader_id=reader[1], method=method, wrapped=wrapped))
        have[reader] = wrapped
    session.flush()
    if keys is not None and have:
        keys.remember(item_kind, item_id, data_key, next(iter(have.values())))


def remove_wraps(session: Session, item_kind: str, item_id: int,
                 reader: Reader | None = None) -> None:
    """Take a reader's wrap away (unsharing), or every wrap of a deleted item."""
    query = sa.delete(ItemKey).where(col(ItemKey.item_kind) == item_kind,
                                     col(ItemKey.item_id) == item_id)
    if reader is not None:
        query = query.where(col(ItemKey.reader_kind) == reader[0],
                            col(ItemKey.reader_id) == reader[1])
    session.exec(query)


def create_person_keys(session: Session, person: Person, passphrase: str | None,
                       kdf: KdfParams | None = None) -> tuple[Keys, str]:
    """A new key pair for ``person``; returns their unlocked keys and the recovery words,
    which are shown once and never stored."""
    assert person.id is not None
    secret, public = crypto.new_keypair()
    recovery = crypto.new_key()[:16]
    row = PersonKey(person_id=person.id, public_key=public,
                    recovery_wrap=crypto.seal_box(_recovery_wrap_key(recovery, person.id), secret))
    if passphrase is not None:
        _set_passphrase_wrap(row, secret, passphrase, kdf or DEFAULT_KDF)
    session.add(row)
    session.flush()
    return Keys(person.id, secret), recovery_words(recovery)


def _set_passphrase_wrap(row: PersonKey, secret: bytes, passphrase: str, kdf: KdfParams) -> None:
    salt = KdfParams.salt()
    row.passphrase_wrap = crypto.seal_box(crypto.passphrase_key(passphrase, salt, kdf), secret)
    row.kdf_salt, row.kdf_ops, row.kdf_mem = salt, kdf.ops, kdf.mem


def _failures(session: Session, person_id: int, since: datetime) -> int:
    return int(session.exec(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key == f"unlock:{person_id}", col(LoginAttempt.at) >= since)).one())


def _allowed(session: Session, person_id: int) -> datetime:
    """Now, unless this person's journal had too many wrong passphrases lately."""
    now = utcnow()
    if _failures(session, person_id, now - timedelta(seconds=UNLOCK_WINDOW_S)) \
            >= MAX_UNLOCK_FAILURES:
        raise RateLimited("Too many wrong passphrases; wait a few minutes and try again.",
                          retry_after=UNLOCK_WINDOW_S)
    return now


def _count_failure(session: Session, person_id: int, now: datetime) -> None:
    session.add(LoginAttempt(key=f"unlock:{person_id}", at=now))
    session.commit()  # counted even though the caller raises


def _clear_failures(session: Session, person_id: int) -> None:
    session.exec(sa.delete(LoginAttempt).where(col(LoginAttempt.key) == f"unlock:{person_id}"))


def unlock(session: Session, person: Person, passphrase: str, *,
           kdf: KdfParams | None = None) -> Keys:
    """Open a person's secret with their passphrase. Wrong guesses are counted in the
    database (so every process and the CLI share the limit) and refused past five."""
    assert person.id is not None
    now = _allowed(session, person.id)
    row = session.get(PersonKey, person.id)
    if row is None or row.passphrase_wrap is None or row.kdf_salt is None:
        raise Locked(f"{person.name} has no passphrase yet; set one with "
                     f"`confide people passphrase {person.name}`.")
    stored = KdfParams(row.kdf_ops or 0, row.kdf_mem or 0)
    try:
        secret = crypto.open_box(crypto.passphrase_key(passphrase, row.kdf_salt, stored),
                                 row.passphrase_wrap)
    except SealError:
        _count_failure(session, person.id, now)
        raise NotAuthenticated("That passphrase does not open this journal.") from None
    wanted = kdf or DEFAULT_KDF
    if (stored.ops, stored.mem) < (wanted.ops, wanted.mem):
        _set_passphrase_wrap(row, secret, passphrase, wanted)  # raise the cost, as promised
        session.add(row)
    _clear_failures(session, person.id)
    return Keys(person.id, secret)


def unlock_with_recovery(session: Session, person: Person, words: str,
                         new_passphrase: str | None = None) -> Keys:
    """Open with the recovery words (a forgotten passphrase); optionally set a new one."""
    assert person.id is not None
    row = session.get(PersonKey, person.id)
    if row is None:
        raise Locked(f"{person.name} has no keys yet.")
    try:
        secret = crypto.open_box(_recovery_wrap_key(recovery_to_key(words), person.id),
                                 row.recovery_wrap)
    except SealError:
        raise NotAuthenticated("Those words are not this person's recovery key.") from None
    keys = Keys(person.id, secret)
    if new_passphrase is not None:
        change_passphrase(session, keys, new_passphrase)
    return keys


def change_passphrase(session: Session, keys: Keys, new_passphrase: str,
                      kdf: KdfParams | None = None) -> None:
    row = session.get(PersonKey, keys.person_id)
    assert row is not None
    _set_passphrase_wrap(row, keys.secret, new_passphrase, kdf or DEFAULT_KDF)
    session.add(row)
    session.flush()


def reissue_recovery(session: Session, keys: Keys) -> str:
    """New recovery words; the old ones stop working."""
    row = session.get(PersonKey, keys.person_id)
    assert row is not None
    recovery = crypto.new_key()[:16]
    row.recovery_wrap = crypto.seal_box(_recovery_wrap_key(recovery, keys.person_id), keys.secret)
    session.add(row)
    session.flush()
    return recovery_words(recovery)


def ensure_couple_key(session: Session, couple_id: int, member_ids: Sequence[int]) -> None:
    """The shared journal's key pair, its secret wrapped for both partners. Made when the
    second partner joins (models/couples.py), with no one's secret needed; nothing can be
    shared before then, so no shared entry was ever sealed for a key someone lacks."""
    if session.get(CoupleKey, couple_id) is not None:
        return
    if any(session.get(PersonKey, m) is None for m in member_ids):
        return  # a partner from before sealing: made when they too have keys
    secret, public = crypto.new_keypair()
    session.add(CoupleKey(couple_id=couple_id, public_key=public))
    session.flush()
    wrap_item(session, "couple", couple_id, secret, [("person", m) for m in member_ids])


_SPOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MIN_SPOKEN_WORDS = 4


def spoken_form(phrase: str) -> str:
    """A spoken passphrase as both typing and transcription give it: lower-case words only,
    so "Blue, kettle; Sunday rain!" and "blue kettle sunday rain" are the same phrase."""
    return " ".join(_SPOKEN.findall(phrase.lower()))


def set_spoken_passphrase(session: Session, unlocked: Keys, phrase: str,
                          kdf: KdfParams | None = None) -> None:
    """Opt in to unlocking by voice: one more wrap of the secret, by the spoken form of a
    phrase. It can be overheard, so it is never the default (docs/SECURITY.md)."""
    words = spoken_form(phrase)
    if len(words.split()) < MIN_SPOKEN_WORDS:
        raise InvalidInput(f"A spoken passphrase needs at least {MIN_SPOKEN_WORDS} words.")
    kdf = kdf or DEFAULT_KDF
    salt = KdfParams.salt()
    box = crypto.seal_box(crypto.passphrase_key(words, salt, kdf), unlocked.secret)
    blob = salt + kdf.ops.to_bytes(4, "big") + kdf.mem.to_bytes(8, "big") + box
    remove_spoken_passphrase(session, unlocked.person_id)
    session.add(ItemKey(item_kind="spoken", item_id=unlocked.person_id, reader_kind="phrase",
                        reader_id=unlocked.person_id, method="argon", wrapped=blob))
    session.flush()


def remove_spoken_passphrase(session: Session, person_id: int) -> None:
    remove_wraps(session, "spoken", person_id)


def has_spoken_passphrase(session: Session, person_id: int) -> bool:
    return session.exec(select(ItemKey.id).where(
        ItemKey.item_kind == "spoken", ItemKey.item_id == person_id)).first() is not None


def unlock_spoken(session: Session, person: Person, heard: str) -> Keys:
    """Unlock with what the microphone heard; wrong guesses count as any wrong passphrase."""
    assert person.id is not None
    now = _allowed(session, person.id)
    row = session.exec(select(ItemKey).where(ItemKey.item_kind == "spoken",
                                             ItemKey.item_id == person.id)).first()
    if row is None:
        raise Locked(f"{person.name} has not chosen a spoken passphrase.")
    salt, rest = row.wrapped[:16], row.wrapped[16:]
    kdf = KdfParams(int.from_bytes(rest[:4], "big"), int.from_bytes(rest[4:12], "big"))
    try:
        secret = crypto.open_box(crypto.passphrase_key(spoken_form(heard), salt, kdf), rest[12:])
    except SealError:
        _count_failure(session, person.id, now)
        raise NotAuthenticated("That spoken passphrase does not open this journal.") from None
    _clear_failures(session, person.id)
    return Keys(person.id, secret)
