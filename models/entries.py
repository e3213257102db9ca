"""Journal entries: spoken or written reflections, their transcripts, sharing and deletion.

The write path for every change to an entry lives here, so the voice loop, the CLI and
the API share one function for "share it", "delete that" or "attach the transcript".
"""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, cast

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import crypto, jobs, keys, sealing
from models.errors import Conflict, Forbidden, InvalidInput, Locked, NotFound
from models.keys import Keys
from models.sealing import entry_readers
from models.storage import AudioStore
from models.tables import (
    MOODS,
    CoupleKey,
    Entry,
    EntryRead,
    Journal,
    Person,
    Response,
    SearchTerm,
    utcnow,
)
from models.transcript import TranscriptData
from models.visibility import (
    Viewer,
    entry_visible,
    get_visible_entry,
    viewer_for,
    viewer_params,
    visible_template,
)

__all__ = [
    "MAX_TEXT",
    "EntryFilter",
    "EntryPage",
    "EntryView",
    "ListedEntry",
    "attach_transcript",
    "create_entry_from_audio",
    "create_written_entry",
    "delete_entry",
    "edit_entry",
    "entry_for_audio_name",
    "get_entry",
    "journal_id_for",
    "list_entries",
    "mark_failed",
    "mark_read",
    "news_for",
    "read_entry",
    "set_visibility",
    "unread_ids",
]

log = logging.getLogger(__name__)
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


def _clean_tags(tags: Sequence[str]) -> list[str]:
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


def _check_mood(mood: str | None) -> str | None:
    if mood is None or mood == "":
        return None
    if mood not in MOODS:
        raise InvalidInput(f"Mood must be one of: {', '.join(MOODS)}.")
    return mood


def create_entry_from_audio(
    session: Session,
    store: AudioStore,
    author: Person,
    samples: np.ndarray,
    rate: int,
    *,
    journal: str = "private",
    prompt_id: str | None = None,
    prompt_text: str | None = None,
    kind: str = "reflection",
    mutual_key: str | None = None,
    audio_name: str | None = None,
    created_at: datetime | None = None,
    data_key: bytes | None = None,
    unlocked: Keys | None = None,
    mood: str | None = None,
    tags: Sequence[str] = (),
) -> Entry:
    """Store the recording durably (sealed), then the row (status 'recorded'), its key's
    wraps and its transcription job. No secret is needed: the key is sealed for the readers.
    ``mood`` and ``tags`` (an import's) are sealed with it at once; the transcript keeps them.

    The audio is on disk and fsynced before the row exists; if the row cannot be written
    the file is removed again, so nothing points nowhere and nothing is orphaned.
    ``data_key``: the key the reply was recorded under (the voice loop keeps it to attach
    the transcript it made while listening).
    """
    jid = journal_id_for(session, author, journal)
    if samples.size == 0:
        raise InvalidInput("The recording is empty.")
    mood, clean_tags = _check_mood(mood), _clean_tags(tags)
    data_key = data_key or crypto.new_key()
    rel = store.write_audio(samples, rate, data_key, name=audio_name)
    try:
        assert author.id is not None
        entry = Entry(
            author_id=author.id,
            journal_id=jid,
            prompt_id=prompt_id,
            prompt_text=prompt_text,
            kind=kind,
            couple_mutual_key=mutual_key,
            audio_path=rel,
            audio_duration_s=round(float(samples.shape[0]) / rate, 3),
            audio_sample_rate=rate,
            status="recorded",
            created_at=created_at or utcnow(),
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        keys.wrap_item(session, "entry", entry.id, data_key, entry_readers(session, entry),
                       unlocked or sealing.keys_for(session, author.id))
        if mood is not None or clean_tags:
            sealing.seal_entry(entry, data_key, transcript="", segments=[], mood=mood,
                               tags=clean_tags)
            session.add(entry)
            session.flush()
        jobs.enqueue(session, entry_id=entry.id)
    except BaseException:
        session.rollback()
        store.delete(rel)
        raise
    return entry


def entry_for_audio_name(session: Session, audio_name: str) -> Entry | None:
    """The entry whose recording was stored under ``audio_name`` (recovery's idempotence)."""
    return session.exec(
        select(Entry).where(col(Entry.audio_path).like(f"%/{audio_name}.%"))
    ).first()


def attach_transcript(session: Session, entry_id: int, transcript: TranscriptData,
                      data_key: bytes | None = None) -> Entry:
    """Give a recorded entry its text, sealed with its key (given, or opened with the
    author's keys in this session); silence becomes status 'no_speech', never invented
    text. Mood and tags set meanwhile are kept."""
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound(f"Entry {entry_id} was not found.")
    if data_key is None:
        author = session.get(Person, entry.author_id)
        assert author is not None
        data_key = sealing.require_keys(session, author).data_key(
            session, "entry", entry_id, author.couple_id)
    before = sealing.entry_fields(data_key, entry)
    sealing.seal_entry(entry, data_key, transcript=transcript.text.strip(),
                       segments=[s.to_dict() for s in transcript.segments],
                       mood=before.get("mood"), tags=before.get("tags") or [])
    entry.language = transcript.language
    entry.word_count = transcript.word_count
    entry.status = "no_speech" if transcript.no_speech else "ready"
    entry.status_reason = "Nothing was said in this recording." if transcript.no_speech else None
    entry.updated_at = utcnow()
    entry.indexed = False
    session.add(entry)
    jobs.finish_jobs_for(session, entry_id=entry_id)
    session.flush()
    _index_if_unlocked(session, entry, None)
    return entry


def _index_if_unlocked(session: Session, entry: Entry, unlocked: Keys | None) -> None:
    """Index the words now when the author's keys are at hand; else the next unlock does."""
    unlocked = unlocked or sealing.keys_for(session, entry.author_id)
    if unlocked is not None:
        from models.search import index_entry

        index_entry(session, unlocked, entry)


def mark_failed(session: Session, entry_id: int, reason: str) -> None:
    entry = session.get(Entry, entry_id)
    if entry is None:
        return
    jobs.finish_jobs_for(session, entry_id=entry_id, error=reason)
    entry.status = "failed" if _all_jobs_failed(session, entry_id) else "recorded"
    entry.status_reason = reason[:300]
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()


def _all_jobs_failed(session: Session, entry_id: int) -> bool:
    from models.tables import TranscriptionJob

    open_jobs = session.exec(
        select(TranscriptionJob.id).where(
            TranscriptionJob.entry_id == entry_id,
            col(TranscriptionJob.status).in_(("queued", "running")),
        )
    ).first()
    return open_jobs is None


def create_written_entry(
    session: Session,
    author: Person,
    text: str,
    *,
    journal: str = "private",
    prompt_id: str | None = None,
    prompt_text: str | None = None,
    mood: str | None = None,
    tags: Sequence[str] = (),
    created_at: datetime | None = None,
    unlocked: Keys | None = None,
) -> Entry:
    """A typed reflection: an entry like any other, without audio, sealed at once."""
    body = text.strip()
    if not body:
        raise InvalidInput("A written entry needs some text.")
    if len(body) > MAX_TEXT:
        raise InvalidInput(f"A written entry can be at most {MAX_TEXT} characters.")
    jid = journal_id_for(session, author, journal)
    mood, clean_tags = _check_mood(mood), _clean_tags(tags)
    assert author.id is not None
    entry = Entry(
        author_id=author.id,
        journal_id=jid,
        prompt_id=prompt_id,
        prompt_text=prompt_text,
        kind="written",
        word_count=len(body.split()),
        status="ready",
        created_at=created_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    assert entry.id is not None
    unlocked = unlocked or sealing.keys_for(session, author.id)
    data_key = sealing.new_data_key(session, "entry", entry.id, entry_readers(session, entry),
                                    unlocked)
    sealing.seal_entry(entry, data_key, transcript=body, segments=[], mood=mood, tags=clean_tags)
    session.add(entry)
    session.flush()
    _index_if_unlocked(session, entry, unlocked)
    return entry


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


def _own_entry(session: Session, person: Person, entry_id: int) -> Entry:
    """The entry if the person wrote it; Forbidden if they only see it; NotFound otherwise."""
    entry = get_entry(session, person, entry_id)
    if entry.author_id != person.id:
        raise Forbidden("Only the author can change this entry.")
    return entry


def set_visibility(session: Session, person: Person, entry_id: int,
                   visibility: Literal["private", "shared"] | str, *,
                   data_key: bytes | None = None) -> Entry:
    """Share an entry with the partner or take it back. Sharing wraps the entry's key for
    the couple (the voice loop passes the key it recorded with, so no unlock is needed);
    unsharing removes that wrap at once, and the couple's index of it."""
    entry = _own_entry(session, person, entry_id)
    if entry.kind == "mutual":
        raise Conflict("A mutual answer stays in the shared journal.")
    target = journal_id_for(session, person, visibility)
    if target == entry.journal_id:
        return entry
    assert entry.id is not None
    unlocked = sealing.keys_for(session, person.id)
    couple_reader: keys.Reader = ("couple", person.couple_id or 0)
    if visibility == "shared":
        if data_key is None:
            if unlocked is None:
                raise Locked("Unlock your journal to share an older entry.")
            data_key = unlocked.data_key(session, "entry", entry.id, person.couple_id)
        keys.wrap_item(session, "entry", entry.id, data_key, [couple_reader], unlocked)
    else:
        keys.remove_wraps(session, "entry", entry.id, couple_reader)
    session.exec(sa.delete(SearchTerm).where(col(SearchTerm.entry_id) == entry.id))
    entry.journal_id = target
    entry.indexed = False
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    if unlocked is not None and entry.sealed is not None:
        from models.search import index_entry

        index_entry(session, unlocked, entry)
    return entry


def edit_entry(session: Session, person: Person, entry_id: int, *,
               transcript: str | None = None, mood: str | None = None,
               tags: Sequence[str] | None = None, clear_mood: bool = False) -> Entry:
    """Correct the transcript, set the mood or tags; only the author may, unlocked."""
    entry = _own_entry(session, person, entry_id)
    unlocked = sealing.require_keys(session, person)
    assert entry.id is not None
    new_text, new_mood, new_tags = entry.transcript, entry.mood, list(entry.tags or [])
    if transcript is not None:
        body = transcript.strip()
        if not body:
            raise InvalidInput("The transcript cannot be empty; delete the entry instead.")
        if len(body) > MAX_TEXT:
            raise InvalidInput(f"A transcript can be at most {MAX_TEXT} characters.")
        if body != new_text:
            entry.edited_at = utcnow()
        new_text = body
        entry.word_count = len(body.split())
        if entry.status == "no_speech":
            entry.status = "ready"
    if mood is not None or clear_mood:
        new_mood = None if clear_mood else _check_mood(mood)
    if tags is not None:
        new_tags = _clean_tags(tags)
    data_key = unlocked.data_key(session, "entry", entry.id, person.couple_id)
    sealing.seal_entry(entry, data_key, transcript=new_text, segments=list(entry.segments or []),
                       mood=new_mood, tags=new_tags)
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    if entry.status in ("ready", "no_speech"):
        from models.search import index_entry

        index_entry(session, unlocked, entry)
    return entry


def delete_entry(session: Session, store: AudioStore, person: Person, entry_id: int) -> None:
    """Delete for real: the row, its responses, every wrap of their keys, and every audio or
    derived file of it."""
    entry = _own_entry(session, person, entry_id)
    replies = list(session.exec(select(Response).where(Response.entry_id == entry_id)))
    files = [entry.audio_path, *(r.audio_path for r in replies)]
    for reply in replies:
        assert reply.id is not None
        keys.remove_wraps(session, "response", reply.id)
    keys.remove_wraps(session, "entry", entry_id)
    session.exec(sa.delete(SearchTerm).where(col(SearchTerm.entry_id) == entry_id))
    session.exec(sa.delete(EntryRead).where(col(EntryRead.entry_id) == entry_id))
    session.exec(sa.delete(Response).where(col(Response.entry_id) == entry_id))
    session.delete(entry)
    session.flush()
    for rel in files:
        store.delete(rel)
    for derived in store.root.glob(f"derived/speech-entry-{entry_id}-*"):
        derived.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class EntryFilter:
    journal: Literal["private", "shared"] | None = None
    author: Literal["me", "partner"] | None = None
    since: datetime | None = None
    until: datetime | None = None
    prompt_id: str | None = None
    tag: str | None = None


class EntryView(Protocol):
    """What a list or a card reads of an entry: an ``Entry``, or a row of a page."""

    @property
    def id(self) -> int | None: ...
    @property
    def author_id(self) -> int: ...
    @property
    def journal_id(self) -> int: ...
    @property
    def prompt_id(self) -> str | None: ...
    @property
    def prompt_text(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def audio_path(self) -> str | None: ...
    @property
    def audio_duration_s(self) -> float | None: ...
    @property
    def transcript(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def word_count(self) -> int: ...
    @property
    def mood(self) -> str | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def status(self) -> str: ...
    @property
    def status_reason(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


class ListedEntry(EntryView, Protocol):
    """An entry on a page: a plain row (no ORM object, no timed segments), with whether the
    viewer has opened it, so a page needs neither object loading nor an unread query."""

    @property
    def opened(self) -> bool: ...
    @property
    def _mapping(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[ListedEntry]
    next_cursor: str | None


def _encode_cursor(entry: EntryView) -> str:
    raw = f"{entry.created_at.timestamp():.6f}:{entry.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        ts, ident = raw.split(":")
        from datetime import UTC

        if not 0 <= int(ident) < 2**63:
            raise ValueError("cursor id out of range")
        return datetime.fromtimestamp(float(ts), UTC), int(ident)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError) as exc:
        raise InvalidInput("That page cursor is not valid.") from exc


@functools.cache
def _page_query(coupled: bool, given: frozenset[str]) -> sa.Select[Any]:
    """One listing statement per combination of filters (``given``: the names of the bound
    parameters a page supplies), so a page costs an execution, not a build and compile."""
    def param(name: str, type_: Any = sa.Integer) -> Any:
        return sa.bindparam(name, type_=type_)

    listed = [c for c in Entry.__table__.c if c.name != "segments"]  # type: ignore[attr-defined]
    opened = sa.and_(col(EntryRead.entry_id) == col(Entry.id),
                     col(EntryRead.person_id) == param("v_person"))
    query = (sa.select(*listed, col(EntryRead.entry_id).is_not(None).label("opened"))
             .outerjoin(EntryRead, opened)
             .where(visible_template(coupled)))
    if "f_journal" in given:
        query = query.where(col(Entry.journal_id) == param("f_journal"))
    if "f_author" in given:
        query = query.where(col(Entry.author_id) == param("f_author"))
    if "f_since" in given:
        query = query.where(col(Entry.created_at) >= sa.bindparam("f_since"))
    if "f_until" in given:
        query = query.where(col(Entry.created_at) < sa.bindparam("f_until"))
    if "f_prompt" in given:
        query = query.where(col(Entry.prompt_id) == param("f_prompt", sa.String))
    if "f_tag0" in given:
        tag_terms = [sa.bindparam(n, type_=sa.LargeBinary) for n in sorted(given)
                     if n.startswith("f_tag")]
        query = query.where(col(Entry.id).in_(
            sa.select(col(SearchTerm.entry_id)).where(col(SearchTerm.term).in_(tag_terms))))
    if "f_at" in given:
        at: sa.BindParameter[datetime] = sa.bindparam("f_at")
        query = query.where(
            sa.or_(col(Entry.created_at) < at,
                   sa.and_(col(Entry.created_at) == at, col(Entry.id) < param("f_id")))
        )
    return (query.order_by(col(Entry.created_at).desc(), col(Entry.id).desc())
            .limit(param("f_limit")))


def list_entries(session: Session, person: Person, flt: EntryFilter | None = None, *,
                 cursor: str | None = None, limit: int = 50) -> EntryPage:
    """Visible entries, newest first, filtered, one page at a time, as plain rows
    (``ListedEntry``): a page is read far more often than anything is written."""
    flt = flt or EntryFilter()
    if not 1 <= limit <= 200:
        raise InvalidInput("limit must be between 1 and 200.")
    viewer = viewer_for(session, person)
    params = viewer_params(viewer)
    if flt.journal == "private":
        params["f_journal"] = viewer.private_journal_id
    elif flt.journal == "shared":
        params["f_journal"] = viewer.shared_journal_id or -1
    if flt.author == "me":
        params["f_author"] = viewer.person_id
    elif flt.author == "partner":
        params["f_author"] = viewer.partner_id or -1
    if flt.since is not None:
        params["f_since"] = flt.since
    if flt.until is not None:
        params["f_until"] = flt.until
    if flt.prompt_id is not None:
        params["f_prompt"] = flt.prompt_id
    unlocked = sealing.keys_for(session, person.id)
    if flt.tag is not None:
        # Tags are sealed too: the filter looks for the tag's hash in the blind index.
        from models.search import index_terms_for

        tag = f"#{_clean_tags([flt.tag])[0]}"
        for i, term in enumerate(index_terms_for(session, sealing.require_keys(session, person),
                                                 person, tag)):
            params[f"f_tag{i}"] = term
        params.setdefault("f_tag0", b"")
    if cursor:
        params["f_at"], params["f_id"] = _decode_cursor(cursor)
    params["f_limit"] = limit + 1
    query = _page_query(viewer.shared_journal_id is not None, frozenset(params))
    found = session.execute(query, params).all()
    more = len(found) > limit
    found = found[:limit]
    words = (sealing.entry_values(session, unlocked, found, person.couple_id)
             if unlocked is not None else {})
    rows = cast(list[ListedEntry], [_Listed({**r._mapping, **words.get(r.id, {})})
                                    for r in found])
    return EntryPage(rows, _encode_cursor(rows[-1]) if more and rows else None)


class _Listed:
    """A page row with its words opened (in memory): read by key or by attribute."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


def mark_read(session: Session, person: Person, entry_id: int) -> None:
    """Remember that the person opened this entry (clears its unread mark)."""
    entry = get_entry(session, person, entry_id)
    assert person.id is not None and entry.id is not None
    if session.get(EntryRead, (person.id, entry.id)) is None:
        session.add(EntryRead(person_id=person.id, entry_id=entry.id))
        session.flush()


def unread_ids(session: Session, person: Person, entry_ids: Sequence[int]) -> set[int]:
    """Which of these entries (the partner's) the person has not opened yet."""
    if not entry_ids:
        return set()
    read = set(session.exec(
        select(EntryRead.entry_id).where(
            EntryRead.person_id == person.id, col(EntryRead.entry_id).in_(list(entry_ids))
        )
    ))
    authored_by_other = {i for i in session.exec(
        select(Entry.id).where(col(Entry.id).in_(list(entry_ids)), Entry.author_id != person.id)
    ) if i is not None}
    return {i for i in authored_by_other if i not in read}


def news_for(session: Session, person: Person, *, mark_seen: bool = False) -> list[Entry]:
    """The partner's visible shared entries since the person last heard the news."""
    viewer: Viewer = viewer_for(session, person)
    if viewer.partner_id is None:
        return []
    query = select(Entry).where(entry_visible(viewer), Entry.author_id == viewer.partner_id,
                                Entry.journal_id == viewer.shared_journal_id)
    if person.news_seen_at is not None:
        query = query.where(col(Entry.created_at) > person.news_seen_at)
    found = list(session.exec(query.order_by(col(Entry.created_at))))
    unlocked = sealing.keys_for(session, person.id)
    if unlocked is not None:
        sealing.open_entries(session, unlocked, found, person.couple_id)
    if mark_seen:
        person.news_seen_at = utcnow()
        session.add(person)
        session.flush()
    return found
