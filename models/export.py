"""Export what a person can see of their journal: Markdown to read, JSON to keep, audio beside."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from sqlmodel import Session, col, select

from models.sealing import open_entries, open_responses, require_keys
from models.storage import AudioStore
from models.tables import Entry, Person, Response
from models.visibility import entry_visible, viewer_for

__all__ = ["export_zip"]


def _entry_json(entry: Entry, names: dict[int, str], journal: str,
                responses: list[Response]) -> dict[str, Any]:
    return {
        "id": entry.id,
        "author": names.get(entry.author_id, "?"),
        "journal": journal,
        "kind": entry.kind,
        "prompt_id": entry.prompt_id,
        "prompt": entry.prompt_text,
        "created_at": entry.created_at.isoformat(),
        "transcript": entry.transcript,
        "segments": entry.segments,
        "language": entry.language,
        "word_count": entry.word_count,
        "mood": entry.mood,
        "tags": entry.tags,
        "status": entry.status,
        "audio": f"audio/entry-{entry.id}.flac" if entry.audio_path else None,
        "audio_duration_s": entry.audio_duration_s,
        "responses": [
            {"id": r.id, "author": names.get(r.author_id, "?"), "text": r.text,
             "created_at": r.created_at.isoformat(),
             "audio": f"audio/response-{r.id}.flac" if r.audio_path else None}
            for r in responses
        ],
    }


def export_zip(session: Session, store: AudioStore, person: Person) -> bytes:
    """A zip of exactly the entries the person may see, with their responses and audio,
    opened with their unlocked keys (Locked without them: the zip holds plain words)."""
    unlocked = require_keys(session, person)
    viewer = viewer_for(session, person)
    entries = open_entries(session, unlocked, list(session.exec(
        select(Entry).where(entry_visible(viewer)).order_by(col(Entry.created_at), col(Entry.id))
    )), person.couple_id)
    ids = [e.id for e in entries]
    responses: dict[int, list[Response]] = {}
    if ids:
        found = list(session.exec(select(Response).where(col(Response.entry_id).in_(ids))
                                  .order_by(col(Response.id))))
        for r in open_responses(session, unlocked, found, person.couple_id):
            responses.setdefault(r.entry_id, []).append(r)
    entry_keys = unlocked.data_keys(session, "entry", [i for i in ids if i], person.couple_id)
    reply_keys = unlocked.data_keys(session, "response",
                                    [r.id for rs in responses.values() for r in rs if r.id],
                                    person.couple_id)
    names = {p.id: p.name for p in session.exec(select(Person).where(
        col(Person.id).in_([i for i in (viewer.person_id, viewer.partner_id) if i])))
        if p.id is not None}
    buf = io.BytesIO()
    docs = []
    md = [f"# {person.name}'s Confide journal\n"]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry in entries:
            assert entry.id is not None
            journal = "private" if entry.journal_id == viewer.private_journal_id else "shared"
            thread = responses.get(entry.id, [])
            docs.append(_entry_json(entry, names, journal, thread))
            md.append(f"\n## {entry.created_at:%Y-%m-%d %H:%M} — {names.get(entry.author_id)} "
                      f"({journal})\n")
            if entry.prompt_text:
                md.append(f"\n*{entry.prompt_text}*\n")
            md.append(f"\n{entry.transcript or '(no words)'}\n")
            for r in thread:
                md.append(f"\n> **{names.get(r.author_id)}:** {r.text}\n")
            if entry.audio_path and store.exists(entry.audio_path):
                zf.writestr(f"audio/entry-{entry.id}.flac",
                            store.read_audio(entry.audio_path, entry_keys.get(entry.id)))
            for r in thread:
                if r.audio_path and store.exists(r.audio_path) and r.id is not None:
                    zf.writestr(f"audio/response-{r.id}.flac",
                                store.read_audio(r.audio_path, reply_keys.get(r.id)))
        zf.writestr("journal.json", json.dumps({"person": person.name, "entries": docs},
                                               indent=2, ensure_ascii=False))
        zf.writestr("journal.md", "".join(md))
    return buf.getvalue()
