"""What every entry operation checks first: which journal, the limits on text, tags and
mood, who may see an entry; and indexing an entry's words when its author is unlocked.

Shared by writing (``models.entries``), recordings (``models.entry_audio``) and listing
(``models.entry_list``), so each rule is written once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from confide.models import sealing
from confide.models.errors import Conflict, InvalidInput
from confide.models.keys import Keys
from confide.models.tables import (
    MOODS,
    CoupleKey,
    Entry,
    Journal,
    Person,
)
from confide.models.visibility import (
    get_visible_entry,
    viewer_for,
)

__all__ = [
    "MAX_TAGS",
    "MAX_TEXT",
    "check_mood",
    "clean_tags",
    "get_entry",
    "index_if_unlocked",
    "journal_id_for",
    "read_entry",
]

MAX_TEXT = 20_000
MAX_TAGS = 12


def journal_id_for(session: Session, person: Person, journal: str) -> int:
    """The id of the person's private journal or their couple's shared one."""
    if journal == "private":
        jid = session.exec(
            select(Journal.id).where(Journal.kind == "private", Journal.owner_id == person.id)
        ).one()
    elif journal == "shared":
        if person.couple_id is None:
            raise Conflict("Pair with your partner first to share entries.")
        if session.get(CoupleKey, person.couple_id) is None:
            raise Conflict("Your partner has not joined yet; share once they have.")
        jid = session.exec(
            select(Journal.id).where(Journal.kind == "shared", Journal.couple_id == person.couple_id)
        ).one()
    else:
        raise InvalidInput("journal must be 'private' or 'shared'.")
    assert jid is not None
    return jid


def clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        t = " ".join(str(tag).split()).lower()
        if not t or len(t) > 40 or '"' in t or "\\" in t:
            raise InvalidInput(f"Tag {tag!r} is not allowed: 1–40 characters, no quotes.")
        if t not in cleaned:
            cleaned.append(t)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags.")
    return cleaned


def check_mood(mood: str | None) -> str | None:
    if mood is None or mood == "":
        return None
    if mood not in MOODS:
        raise InvalidInput(f"Mood must be one of: {', '.join(MOODS)}.")
    return mood


def index_if_unlocked(session: Session, entry: Entry, unlocked: Keys | None) -> None:
    """Index the words now when the author's keys are at hand; else the next unlock does."""
    unlocked = unlocked or sealing.keys_for(session, entry.author_id)
    if unlocked is not None:
        from confide.models.search import index_entry

        index_entry(session, unlocked, entry)


def get_entry(session: Session, person: Person, entry_id: int) -> Entry:
    """The entry if the person may see it; its words are shown when the session holds the
    person's unlocked keys (``sealing.use_keys``), and empty otherwise."""
    entry = get_visible_entry(session, viewer_for(session, person), entry_id)
    unlocked = sealing.keys_for(session, person.id)
    if unlocked is not None:
        sealing.open_entry(session, unlocked, entry, person.couple_id)
    return entry


def read_entry(session: Session, person: Person, entry_id: int) -> Entry:
    """``get_entry`` for a caller that needs the words: Locked without the keys."""
    sealing.require_keys(session, person)
    return get_entry(session, person, entry_id)

