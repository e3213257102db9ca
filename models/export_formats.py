"""What a person can see of their journal, in the shapes other journals read.

``collect`` gathers the entries (with their responses, recordings and time zones) through
the one visibility rule, opened with the person's unlocked keys; each format then writes
them out: Confide's own zip (models/export.py), a Day One JSON export (a zip with
``Journal.json`` and ``audios/``), jrnl's JSON, and plain text. A date range and a journal
filter narrow what goes out; nothing the person may not see is ever in it.

The Day One export carries, beside Day One's own fields, a ``confide`` object per entry (the
exact time, transcript, timed segments, journal, prompt and responses), which Day One
ignores and ``confide import dayone`` reads, so an export imported again reproduces the
person's entries field by field (models/import_dayone.py). The Day One and jrnl exports also
say whose journal they are (name and key fingerprint), so that one person's export is not
imported as another's own.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from confide.models.errors import InvalidInput
from confide.models.import_marks import source_timezones
from confide.models.sealing import open_entries, open_responses, require_keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person, PersonKey, Response
from confide.models.visibility import Viewer, entry_visible, viewer_for

__all__ = [
    "FORMATS",
    "ExportFilter",
    "ExportFormat",
    "Exported",
    "ExportedEntry",
    "collect",
    "dayone_uuid",
    "export",
    "export_dayone",
    "export_jrnl",
    "export_text",
    "key_fingerprint",
]

ExportFormat = Literal["zip", "dayone", "jrnl", "txt"]
FORMATS: tuple[ExportFormat, ...] = ("zip", "dayone", "jrnl", "txt")
_UUID_SPACE = uuid.UUID("9b0f3c52-6c1e-4d4e-9a59-5d1f0c3b7a21")


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """``since`` inclusive, ``until`` exclusive (UTC-aware); ``journal`` one of the two."""

    since: datetime | None = None
    until: datetime | None = None
    journal: Literal["private", "shared"] | None = None


@dataclass(slots=True)
class ExportedEntry:
    entry: Entry
    journal: str
    author: str
    mine: bool
    timezone: str
    responses: list[Response] = field(default_factory=list)
    audio: Callable[[], bytes] | None = None


@dataclass(slots=True)
class Exported:
    person: Person
    names: dict[int, str]
    entries: list[ExportedEntry]
    response_audio: dict[int, Callable[[], bytes]] = field(default_factory=dict)
    person_key: str | None = None

    def exporter(self) -> dict[str, Any]:
        """Whose journal this is, written into the Day One and jrnl exports: importing it
        as someone else's own is refused (models/importing.py)."""
        return {"exported_by": self.person.name, "person_key": self.person_key}


def key_fingerprint(session: Session, person_id: int | None) -> str | None:
    """A public name for a person's key (the sha256 of their public key): it tells whose an
    export is without holding anything secret."""
    row = session.get(PersonKey, person_id) if person_id is not None else None
    return hashlib.sha256(row.public_key).hexdigest() if row is not None else None


def _query(viewer: Viewer, flt: ExportFilter) -> Any:
    query = select(Entry).where(entry_visible(viewer))
    if flt.since is not None:
        query = query.where(col(Entry.created_at) >= flt.since)
    if flt.until is not None:
        query = query.where(col(Entry.created_at) < flt.until)
    if flt.journal == "private":
        query = query.where(col(Entry.journal_id) == viewer.private_journal_id)
    elif flt.journal == "shared":
        query = query.where(col(Entry.journal_id) == (viewer.shared_journal_id or -1))
    elif flt.journal is not None:
        raise InvalidInput("journal must be 'private' or 'shared'.")
    return query.order_by(col(Entry.created_at), col(Entry.id))


def collect(session: Session, store: AudioStore, person: Person,
            flt: ExportFilter | None = None) -> Exported:
    """Exactly the entries the person may see (Locked without their keys: an export holds
    the words in the clear), oldest first, with responses and lazily read recordings."""
    flt = flt or ExportFilter()
    unlocked = require_keys(session, person)
    viewer = viewer_for(session, person)
    found = open_entries(session, unlocked, list(session.exec(_query(viewer, flt))),
                         person.couple_id)
    ids = [e.id for e in found if e.id is not None]
    replies: dict[int, list[Response]] = {}
    if ids:
        rows = list(session.exec(select(Response).where(col(Response.entry_id).in_(ids))
                                 .order_by(col(Response.created_at), col(Response.id))))
        for r in open_responses(session, unlocked, rows, person.couple_id):
            replies.setdefault(r.entry_id, []).append(r)
    entry_keys = unlocked.data_keys(session, "entry", ids, person.couple_id)
    reply_keys = unlocked.data_keys(session, "response",
                                    [r.id for rs in replies.values() for r in rs if r.id],
                                    person.couple_id)
    names = {p.id: p.name for p in session.exec(select(Person).where(
        col(Person.id).in_([i for i in (viewer.person_id, viewer.partner_id) if i])))
        if p.id is not None}
    zones = source_timezones(session, ids)

    def reader(rel: str, key: bytes | None) -> Callable[[], bytes]:
        return lambda: store.read_audio(rel, key)

    out = Exported(person, names, [], person_key=key_fingerprint(session, person.id))
    for entry in found:
        assert entry.id is not None
        rel = entry.audio_path
        out.entries.append(ExportedEntry(
            entry=entry,
            journal="private" if entry.journal_id == viewer.private_journal_id else "shared",
            author=names.get(entry.author_id, "?"), mine=entry.author_id == person.id,
            timezone=zones.get(entry.id) or person.timezone,
            responses=replies.get(entry.id, []),
            audio=reader(rel, entry_keys.get(entry.id)) if rel and store.exists(rel) else None))
        for r in replies.get(entry.id, []):
            if r.audio_path and r.id is not None and store.exists(r.audio_path):
                out.response_audio[r.id] = reader(r.audio_path, reply_keys.get(r.id))
    return out


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _dayone_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dayone_uuid(entry: Entry, suffix: str = "") -> str:
    """A stable Day One uuid (32 upper-case hex digits) for an entry: the same entry exported
    twice has the same uuid, so importing both adds it once."""
    name = f"confide:{entry.id}:{entry.created_at.astimezone(UTC).isoformat()}{suffix}"
    return uuid.uuid5(_UUID_SPACE, name).hex.upper()


_MARKDOWN = re.compile(r"([\\`*_\[\]])")


def _dayone_markdown(text: str) -> str:
    """Day One's text is Markdown: characters that would format are escaped, as it does."""
    return _MARKDOWN.sub(r"\\\1", text)


def export_dayone(exported: Exported) -> bytes:
    """A zip in Day One's JSON export shape: ``Journal.json`` and ``audios/<md5>.flac``."""
    buf = io.BytesIO()
    docs = []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in exported.entries:
            entry = item.entry
            tags = [t for t in entry.tags or [] if t != "starred"]
            doc: dict[str, Any] = {
                "uuid": dayone_uuid(entry),
                "creationDate": _dayone_date(entry.created_at),
                "modifiedDate": _dayone_date(entry.edited_at or entry.updated_at),
                "timeZone": item.timezone,
                "text": _dayone_markdown(entry.transcript or ""),
                "tags": tags,
                "starred": "starred" in (entry.tags or []),
                "confide": _confide_fields_for(exported, item),
            }
            if item.audio is not None:
                data = item.audio()
                md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
                zf.writestr(f"audios/{md5}.flac", data)
                doc["audios"] = [{
                    "identifier": dayone_uuid(entry, ":audio"), "md5": md5, "format": "flac",
                    "creationDate": _dayone_date(entry.created_at),
                    "timeZoneName": item.timezone, "fileSize": len(data),
                    "duration": entry.audio_duration_s or 0.0,
                    "sampleRate": entry.audio_sample_rate,
                }]
            docs.append(doc)
        zf.writestr("Journal.json", json.dumps(
            {"metadata": {"version": "1.0", "exporter": "confide",
                          "confide": exported.exporter()}, "entries": docs},
            indent=2, ensure_ascii=False))
    return buf.getvalue()


def _confide_fields_for(exported: Exported, item: ExportedEntry) -> dict[str, Any]:
    fields = _confide_fields_plain(item)
    fields["responses"] = [
        {"author": exported.names.get(r.author_id, "?"),
         "mine": r.author_id == exported.person.id, "text": r.text,
         "created_at": _iso(r.created_at)}
        for r in item.responses]
    return fields


def _confide_fields_plain(item: ExportedEntry) -> dict[str, Any]:
    entry = item.entry
    return {
        "id": entry.id, "author": item.author, "mine": item.mine, "journal": item.journal,
        "kind": entry.kind, "prompt_id": entry.prompt_id, "prompt": entry.prompt_text,
        "created_at": _iso(entry.created_at), "edited_at": _iso(entry.edited_at),
        "transcript": entry.transcript, "segments": list(entry.segments or []),
        "language": entry.language, "mood": entry.mood, "tags": list(entry.tags or []),
        "status": entry.status, "audio_duration_s": entry.audio_duration_s,
    }


def export_jrnl(exported: Exported) -> bytes:
    """jrnl's ``--export json`` shape: local date and time (jrnl keeps no zone), the first
    line as the title, tags with ``@``, the tag ``starred`` as ``starred``."""
    counts: dict[str, int] = {}
    docs = []
    for item in exported.entries:
        entry = item.entry
        local = entry.created_at.astimezone(_zone(item.timezone))
        title, _, body = (entry.transcript or "").strip().partition("\n")
        tags = [f"@{t}" for t in entry.tags or [] if t != "starred"]
        for t in tags:
            counts[t] = counts.get(t, 0) + 1
        docs.append({"title": title.strip(), "body": body.strip(),
                     "date": f"{local:%Y-%m-%d}", "time": f"{local:%H:%M}", "tags": tags,
                     "starred": "starred" in (entry.tags or [])})
    return (json.dumps({"tags": counts, "entries": docs, "confide": exported.exporter()},
                       indent=2, ensure_ascii=False) + "\n").encode()


def export_text(exported: Exported) -> bytes:
    """Plain text to read or print: one block per entry, its local time and zone, who wrote
    it and where, the prompt, the words, then the responses."""
    lines = [f"{exported.person.name}'s Confide journal", ""]
    for item in exported.entries:
        entry = item.entry
        local = entry.created_at.astimezone(_zone(item.timezone))
        lines.append(f"{local:%Y-%m-%d %H:%M} ({item.timezone}), {item.author}, "
                     f"{item.journal} journal")
        if entry.prompt_text:
            lines.append(f"Prompt: {entry.prompt_text}")
        if entry.tags or entry.mood:
            lines.append("; ".join(p for p in (
                f"Tags: {', '.join(entry.tags)}" if entry.tags else "",
                f"Mood: {entry.mood}" if entry.mood else "") if p))
        lines.append("")
        lines.append(entry.transcript or "(no words)")
        for r in item.responses:
            lines.append("")
            lines.append(f"{exported.names.get(r.author_id, '?')} answered: {r.text}")
        lines += ["", "-" * 40, ""]
    return "\n".join(lines).encode()


def export(session: Session, store: AudioStore, person: Person, fmt: ExportFormat,
           flt: ExportFilter | None = None) -> bytes:
    """The person's journal in one format (``FORMATS``)."""
    if fmt == "zip":
        from confide.models.export import export_zip

        return export_zip(session, store, person, flt)
    exported = collect(session, store, person, flt)
    if fmt == "dayone":
        return export_dayone(exported)
    if fmt == "jrnl":
        return export_jrnl(exported)
    if fmt == "txt":
        return export_text(exported)
    raise InvalidInput(f"Unknown export format {fmt!r}: one of {', '.join(FORMATS)}.")
