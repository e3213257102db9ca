"""Importing a Day One JSON export (the zip with ``audios/``, the same unzipped, or the JSON
alone), Confide's own Day One export included: its ``confide`` fields bring each entry back
whole (models/export_formats.py writes them)."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
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
    walk_files,
    zone_key,
    zone_named,
)
from confide.models.import_types import (
    NOTICE_MEDIA,
    AudioSource,
    Candidate,
    Exporter,
    Parsed,
    Skipped,
)
from confide.models.transcript import Segment, Transcript

__all__ = ["DAYONE_MEDIA", "dayone_text", "parse_dayone"]

DAYONE_MEDIA = {"photos": "photo", "videos": "video", "pdfs": "PDF", "pdfAttachments": "PDF"}

_MOMENT = re.compile(r"!\[[^\]]*\]\(dayone-moment:/{1,2}[^)]*\)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")


def dayone_text(text: str) -> str:
    """Day One's Markdown as a reader sees it: no photo or recording placeholders, no
    backslash escapes before punctuation."""
    cleaned = _ESCAPED.sub(r"\1", _MOMENT.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


class _Bundle:
    """A Day One export as a zip file, an unzipped folder, or a lone JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_zip = path.is_file() and zipfile.is_zipfile(path)
        self.names: list[str] = []
        if self.is_zip:
            with zipfile.ZipFile(path) as archive:
                self.names = [n for n in archive.namelist() if not n.endswith("/")]
        elif path.is_dir():
            self.names = [p.relative_to(path).as_posix() for p in walk_files(path)]
        elif path.is_file():
            self.names = [path.name]
        else:
            raise InvalidInput(f"{path}: no such file or folder.")
        self.by_stem: dict[str, str] = {}
        for name in self.names:
            parts = PurePosixPath(name)
            if parts.parent.name == "audios":
                self.by_stem.setdefault(parts.stem.lower(), name)

    def _media_dir(self, name: str) -> str | None:
        for part in PurePosixPath(name).parts[:-1]:
            if part in DAYONE_MEDIA or part == "audios":
                return part
        return None

    def json_names(self) -> list[str]:
        return sorted(n for n in self.names if n.lower().endswith(".json")
                      and self._media_dir(n) is None
                      and not PurePosixPath(n).name.startswith((".", "__MACOSX")))

    def read(self, name: str) -> bytes:
        if self.is_zip:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(name)
        if self.path.is_dir():
            return (self.path / name).read_bytes()
        return self.path.read_bytes()

    def audio(self, *keys: str) -> AudioSource | None:
        for key in keys:
            name = self.by_stem.get(key.lower()) if key else None
            if name is None:
                continue
            if self.is_zip:
                return AudioSource(name=name, path=self.path, member=name)
            if self.path.is_dir():
                return AudioSource(name=name, path=self.path / name)
        return None


def _count(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    return len(value) if isinstance(value, list) else 0


def parse_dayone(path: Path, zone: ZoneInfo) -> Parsed:
    """A Day One JSON export: the zip (``Journal.json`` or one ``<journal>.json`` per
    journal, ``audios/<md5>.<format>``, ``photos/``), the same unzipped, or the JSON alone.

    Each entry's text becomes a written entry and each of its recordings an entry of its
    own (transcribed like any recording), all at the entry's time and with its tags;
    photos, videos and PDFs are counted in a notice. A starred entry gets the tag
    ``starred``.
    """
    bundle = _Bundle(path)
    documents = bundle.json_names()
    if not documents:
        raise InvalidInput(f"{path}: no Day One JSON file (such as Journal.json) in it.")
    parsed = Parsed()
    seen: set[str] = set()
    media_counts = dict.fromkeys(DAYONE_MEDIA.values(), 0)
    found_any = False
    for doc_name in documents:
        doc = json_doc(bundle.read(doc_name), doc_name)
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            parsed.skipped.append(Skipped.of(doc_name, "unreadable",
                                             detail="not a Day One export (no \"entries\")"))
            continue
        found_any = True
        exporter = _exporter(doc)
        if exporter is not None:
            if parsed.exported_by is not None and parsed.exported_by.name != exporter.name:
                raise InvalidInput(f"{path} holds the journals of {parsed.exported_by.name} "
                                   f"and {exporter.name}: import each person's own export.")
            parsed.exported_by = parsed.exported_by or exporter
        for number, raw in enumerate(doc["entries"], start=1):
            _dayone_entry(bundle, doc_name, number, raw, zone, seen, media_counts, parsed)
    if not found_any:
        raise InvalidInput(f"{path}: not a Day One JSON export (no \"entries\" list).")
    for media, count in media_counts.items():
        if count:
            parsed.notices.append(NOTICE_MEDIA.format(count=count, media=media,
                                                      s="" if count == 1 else "s"))
    return parsed


def _exporter(doc: Mapping[str, Any]) -> Exporter | None:
    """Whose export this is: its metadata says so (Confide's exports since they name the
    exporter), else the author of the entries Confide marked as the exporter's own."""
    meta = doc.get("metadata")
    named = Exporter.from_json(meta.get("confide")) if isinstance(meta, dict) else None
    if named is not None:
        return named
    authors = {e["confide"].get("author") for e in doc["entries"] if isinstance(e, dict)
               and isinstance(e.get("confide"), dict) and e["confide"].get("mine") is True}
    author = authors.pop() if len(authors) == 1 else None
    return Exporter(author) if isinstance(author, str) and author.strip() else None


def _dayone_entry(bundle: _Bundle, doc_name: str, number: int, raw: object, zone: ZoneInfo,
                  seen: set[str], media_counts: dict[str, int], parsed: Parsed) -> None:
    label = f"{PurePosixPath(doc_name).name} entry {number}"
    if not isinstance(raw, dict):
        parsed.skipped.append(Skipped.of(label, "unreadable", detail="not an object"))
        return
    given = raw.get("uuid")
    uuid = given.strip() if isinstance(given, str) and given.strip() \
        else sha256_hex(json.dumps(raw, sort_keys=True, default=str).encode())
    label = f"{label} ({uuid[:8]})"
    if uuid in seen:
        parsed.skipped.append(Skipped.of(label, "duplicate_in_source"))
        return
    seen.add(uuid)
    media = {kind: _count(raw, key) for key, kind in DAYONE_MEDIA.items()}
    for kind, count in media.items():
        media_counts[kind] += count
    location = raw.get("location")
    zone_name: str | None = None
    for name in (raw.get("timeZone"),
                 location.get("timeZoneName") if isinstance(location, dict) else None):
        if isinstance(name, str) and zone_named(name) is not None:
            zone_name = name
            break
    local = zone_named(zone_name) or zone
    if "creationDate" not in raw:
        parsed.skipped.append(Skipped.of(label, "no_date"))
        return
    when = parse_moment(raw["creationDate"], local)
    if when is None:
        parsed.skipped.append(Skipped.of(label, "bad_date", value=str(raw["creationDate"])))
        return
    notices: list[str] = []
    tags = clean_tags(list_of(raw.get("tags", [])) + (["starred"] if raw.get("starred") is True
                                                       else []), label, notices)
    mood, tags = mood_and_tags(raw.get("mood"), tags, label, notices)
    text = dayone_text(raw["text"]) if isinstance(raw.get("text"), str) else ""
    tz_name = zone_name or zone.key
    if isinstance(raw.get("confide"), dict):
        own = _confide_candidate(bundle, raw, raw["confide"], uuid, label, when, tz_name,
                                 notices, parsed)
        parsed.notices += notices
        if own is not None:
            parsed.candidates.append(own)
        return
    parsed.notices += notices
    if text:
        parsed.candidates.append(Candidate(
            source_id=uuid[:160], label=label, created_at=to_utc(when), timezone=tz_name,
            text=text, tags=tags, mood=mood))
    audios = [a for a in raw.get("audios", []) if isinstance(a, dict)] \
        if isinstance(raw.get("audios"), list) else []
    for index, audio in enumerate(audios, start=1):
        ident = str(audio.get("identifier") or "")
        md5 = str(audio.get("md5") or "")
        fmt = str(audio.get("format") or "m4a")
        audio_label = f"{label} recording {index}"
        source = bundle.audio(md5, ident)
        if source is None:
            parsed.skipped.append(Skipped.of(audio_label, "missing_audio",
                                             name=f"audios/{md5 or ident}.{fmt}"))
            continue
        audio_zone = zone_named(audio.get("timeZoneName")) or local
        recorded = parse_moment(audio.get("creationDate"), audio_zone) \
            if audio.get("creationDate") else None
        parsed.candidates.append(Candidate(
            source_id=f"{uuid}/audio/{ident or md5}"[:160], label=audio_label,
            created_at=to_utc(recorded or when),
            timezone=zone_key(recorded, tz_name) if recorded else tz_name,
            tags=tags, mood=mood, audio=source))
    if not text and not audios:
        held = [f"{k}s" for k, n in media.items() if n]
        parsed.skipped.append(Skipped.of(label, "only_media", media=" and ".join(held))
                              if held else Skipped.of(label, "empty"))


def _confide_candidate(bundle: _Bundle, raw: Mapping[str, Any], ext: Mapping[str, Any],
                       uuid: str, label: str, when: datetime, tz_name: str,
                       notices: list[str], parsed: Parsed) -> Candidate | None:
    """One entry of Confide's own Day One export, whole: its exact time, words, timed
    segments, journal, prompt and the person's own responses; a recording keeps its
    transcript (no second transcription). A partner's entry is reported, not taken over."""
    if ext.get("mine") is False:
        parsed.skipped.append(Skipped.of(label, "partner_entry",
                                         author=str(ext.get("author") or "your partner")))
        return None
    exact = parse_moment(ext.get("created_at"), ZoneInfo("UTC")) if ext.get("created_at") else None
    created = to_utc(exact or when)
    text = ext["transcript"] if isinstance(ext.get("transcript"), str) else ""
    tags = clean_tags(list_of(ext["tags"]), label, notices) if isinstance(ext.get("tags"), list) \
        else ()
    mood, tags = mood_and_tags(ext.get("mood"), tags, label, notices)
    journal = ext.get("journal") if ext.get("journal") in ("private", "shared") else None
    prompt_id = ext.get("prompt_id") if isinstance(ext.get("prompt_id"), str) else None
    prompt_text = ext.get("prompt") if isinstance(ext.get("prompt"), str) else None
    edited = parse_moment(ext.get("edited_at"), ZoneInfo("UTC")) if ext.get("edited_at") else None
    responses = tuple(
        (r["text"], parse_moment(r.get("created_at"), ZoneInfo("UTC")) if r.get("created_at")
         else None)
        for r in ext.get("responses") or [] if isinstance(r, dict) and r.get("mine") is True
        and isinstance(r.get("text"), str) and r["text"].strip())
    audios = [a for a in raw.get("audios", []) if isinstance(a, dict)] \
        if isinstance(raw.get("audios"), list) else []
    common = Candidate(source_id=uuid[:160], label=label, created_at=created,
                       timezone=tz_name, tags=tags, mood=mood, journal=journal,
                       prompt_id=prompt_id, prompt_text=prompt_text,
                       edited_at=to_utc(edited) if edited else None, responses=responses)
    if audios:
        audio = audios[0]
        md5, ident = str(audio.get("md5") or ""), str(audio.get("identifier") or "")
        source = bundle.audio(md5, ident)
        if source is None:
            parsed.skipped.append(Skipped.of(label, "missing_audio", name=f"audios/{md5}.flac"))
            return None
        transcript = None
        if ext.get("status") in ("ready", "no_speech"):
            segments = tuple(Segment.from_dict(seg) for seg in ext.get("segments") or []
                             if isinstance(seg, dict))
            transcript = Transcript(text=text, language=str(ext.get("language") or ""),
                                    duration=float(ext.get("audio_duration_s") or 0.0),
                                    segments=segments)
        return replace(common, audio=source, transcript=transcript)
    if not text.strip():
        parsed.skipped.append(Skipped.of(label, "empty"))
        return None
    return replace(common, text=text)
