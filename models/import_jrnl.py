"""Importing jrnl's JSON export (``jrnl --export json``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from confide.models.errors import InvalidInput
from confide.models.import_fields import (
    clean_tags,
    json_doc,
    list_of,
    mood_and_tags,
    parse_moment,
    sha256_hex,
    to_utc,
    zone_key,
)
from confide.models.import_types import Candidate, Exporter, Parsed, Skipped

__all__ = ["parse_jrnl"]


def parse_jrnl(data: bytes | str, zone: ZoneInfo, *, name: str = "jrnl export") -> Parsed:
    """jrnl's ``--export json``: ``{"tags": {...}, "entries": [{"title", "body", "date",
    "time", "tags", "starred"[, "uuid"]}]}``. jrnl writes local times without a zone, so
    they are read in ``zone``; a starred entry gets the tag ``starred``. Confide's own jrnl
    export adds whose journal it is (``"confide": {"exported_by": ...}``)."""
    doc = json_doc(data, name)
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise InvalidInput(f"{name} is not a jrnl JSON export (no \"entries\" list).")
    parsed = Parsed(exported_by=Exporter.from_json(doc.get("confide")))
    seen: set[str] = set()
    for number, raw in enumerate(doc["entries"], start=1):
        label = f"{name} entry {number}"
        if not isinstance(raw, dict):
            parsed.skipped.append(Skipped.of(label, "unreadable", detail="not an object"))
            continue
        day, clock = raw.get("date"), raw.get("time")
        if day:
            label = f"{label} ({day}{' ' + str(clock) if clock else ''})"
        title = raw.get("title") if isinstance(raw.get("title"), str) else ""
        body = raw.get("body") if isinstance(raw.get("body"), str) else ""
        text = "\n".join(p for p in (str(title).strip(), str(body).strip()) if p)
        if not day:
            parsed.skipped.append(Skipped.of(label, "no_date"))
            continue
        when = parse_moment(f"{day}T{clock}" if clock else str(day), zone)
        if when is None:
            parsed.skipped.append(Skipped.of(label, "bad_date",
                                             value=f"{day} {clock or ''}".strip()))
            continue
        if not text:
            parsed.skipped.append(Skipped.of(label, "empty"))
            continue
        uuid = raw.get("uuid")
        source_id = str(uuid) if isinstance(uuid, str) and uuid.strip() else \
            sha256_hex(f"{day} {clock}\n{text}".encode())
        if source_id in seen:
            parsed.skipped.append(Skipped.of(label, "duplicate_in_source"))
            continue
        seen.add(source_id)
        notices: list[str] = []
        tags = clean_tags(list_of(raw.get("tags", [])) + (["starred"] if raw.get("starred")
                                                           is True else []), label, notices)
        mood, tags = mood_and_tags(raw.get("mood"), tags, label, notices)
        parsed.notices += notices
        parsed.candidates.append(Candidate(source_id=source_id[:160], label=label,
                                           created_at=to_utc(when),
                                           timezone=zone_key(when, zone.key), text=text,
                                           tags=tags, mood=mood))
    return parsed
