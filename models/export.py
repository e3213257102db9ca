"""Export what a person can see of their journal: Markdown to read, JSON to keep, audio beside."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from sqlmodel import Session

from confide.models.export_formats import ExportFilter, collect
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person, Response

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


def export_zip(session: Session, store: AudioStore, person: Person,
               flt: ExportFilter | None = None) -> bytes:
    """A zip of exactly the entries the person may see (within ``flt``), with their
    responses and audio, opened with their unlocked keys (Locked without them: the zip holds
    plain words)."""
    exported = collect(session, store, person, flt)
    names = exported.names
    buf = io.BytesIO()
    docs = []
    md = [f"# {person.name}'s Confide journal\n"]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in exported.entries:
            entry, journal, thread = item.entry, item.journal, item.responses
            assert entry.id is not None
            docs.append(_entry_json(entry, names, journal, thread))
            md.append(f"\n## {entry.created_at:%Y-%m-%d %H:%M} — {names.get(entry.author_id)} "
                      f"({journal})\n")
            if entry.prompt_text:
                md.append(f"\n*{entry.prompt_text}*\n")
            md.append(f"\n{entry.transcript or '(no words)'}\n")
            for r in thread:
                md.append(f"\n> **{names.get(r.author_id)}:** {r.text}\n")
            if item.audio is not None:
                zf.writestr(f"audio/entry-{entry.id}.flac", item.audio())
            for r in thread:
                if r.id is not None and r.id in exported.response_audio:
                    zf.writestr(f"audio/response-{r.id}.flac", exported.response_audio[r.id]())
        zf.writestr("journal.json", json.dumps({"person": person.name, "entries": docs},
                                               indent=2, ensure_ascii=False))
        zf.writestr("journal.md", "".join(md))
    return buf.getvalue()
