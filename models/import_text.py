"""Importing a folder of Markdown or text files, one entry per file: the date from its
front matter, its first heading or its file name; tags and mood from the front matter."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from confide.models.import_fields import (
    clean_tags,
    date_from_name,
    date_in_text,
    list_of,
    mood_and_tags,
    parse_moment,
    require_folder,
    sha256_hex,
    to_utc,
    walk_files,
    zone_key,
    zone_named,
)
from confide.models.import_types import TEXT_SUFFIXES, Candidate, Parsed, Skipped

__all__ = ["MAX_TEXT_FILE_BYTES", "parse_front_matter", "parse_text_file", "parse_text_folder"]

MAX_TEXT_FILE_BYTES = 1_000_000
"""A text file larger than this is not one journal entry."""

_FRONT = re.compile(r"\A---[ \t]*\r?\n(?P<head>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The simple ``key: value`` front matter Markdown journals carry (strings, ``[a, b]``
    lists and ``- item`` lists), and the text after it. Not a YAML parser: no dependency
    for the few keys an entry needs."""
    found = _FRONT.match(text)
    if found is None:
        return {}, text
    meta: dict[str, Any] = {}
    current: str | None = None
    for line in found["head"].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s*(.*)$", line) or re.match(r"^-\s+(.*)$", line)
        if item is not None and current is not None:
            existing = meta.get(current)
            meta[current] = [*(existing if isinstance(existing, list) else []),
                             _scalar(item[1])]
            continue
        pair = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if pair is None:
            continue
        current, value = pair[1].lower(), pair[2].strip()
        if value.startswith("[") and value.endswith("]"):
            meta[current] = [_scalar(v) for v in value[1:-1].split(",") if v.strip()]
        elif value:
            meta[current] = _scalar(value)
        else:
            meta[current] = []
    return meta, text[found.end():]


def _decode_text(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _first_heading(body: str) -> str | None:
    for line in body.splitlines()[:20]:
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*\S)", line)
        if heading is not None:
            return heading[1]
    return None


def parse_text_file(data: bytes, label: str,
                    zone: ZoneInfo) -> tuple[Candidate | None, Skipped | None, list[str]]:
    """One Markdown or text file as one entry: the date from its front matter (``date``,
    ``created``), else its first heading, else its file name (never the file's time: a
    copied file's is the copy's); tags and mood from the front matter."""
    notices: list[str] = []
    if len(data) > MAX_TEXT_FILE_BYTES:
        return None, Skipped.of(label, "too_large", detail=f"{len(data) / 1e6:.1f} MB"), notices
    text = _decode_text(data)
    if text is None:
        return None, Skipped.of(label, "not_text"), notices
    meta, body = parse_front_matter(text.replace("\r\n", "\n"))
    tz_name = meta.get("timezone") or meta.get("tz")
    local = zone_named(tz_name if isinstance(tz_name, str) else None) or zone
    when: datetime | None = None
    for key in ("date", "created", "created_at", "creationdate"):
        if key in meta:
            when = parse_moment(meta[key], local)
            if when is None:
                return None, Skipped.of(label, "bad_date", value=str(meta[key])), notices
            break
    if when is None:
        heading = _first_heading(body)
        when = date_in_text(heading, local) if heading else None
    if when is None:
        when = date_from_name(PurePosixPath(label).name, local)
    if when is None:
        return None, Skipped.of(label, "no_date"), notices
    title = meta.get("title")
    content = body.strip()
    if isinstance(title, str) and title.strip() and not content.startswith(
            (title.strip(), f"# {title.strip()}")):
        content = f"{title.strip()}\n\n{content}".strip()
    if not content:
        return None, Skipped.of(label, "empty"), notices
    tags = clean_tags(list_of(meta.get("tags", [])), label, notices)
    mood, tags = mood_and_tags(meta.get("mood"), tags, label, notices)
    # The same words on another day are another entry; the same file copied is not.
    source_id = sha256_hex(f"{to_utc(when).isoformat()}\n{content}".encode())
    candidate = Candidate(source_id=source_id, label=label, created_at=to_utc(when),
                          timezone=zone_key(when, local.key), text=content, tags=tags,
                          mood=mood)
    return candidate, None, notices


def parse_text_folder(folder: Path, zone: ZoneInfo) -> Parsed:
    """Every ``.md``/``.markdown``/``.txt`` file under ``folder`` as an entry."""
    require_folder(folder)
    parsed = Parsed()
    seen: set[str] = set()
    for path in walk_files(folder):
        label = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in TEXT_SUFFIXES:
            parsed.skipped.append(Skipped.of(label, "not_text"))
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            parsed.skipped.append(Skipped.of(label, "unreadable", detail=exc.strerror or exc))
            continue
        candidate, skipped, notices = parse_text_file(data, label, zone)
        parsed.notices += notices
        if skipped is not None:
            parsed.skipped.append(skipped)
        elif candidate is not None:
            if candidate.source_id in seen:
                parsed.skipped.append(Skipped.of(label, "duplicate_in_source"))
                continue
            seen.add(candidate.source_id)
            parsed.candidates.append(candidate)
    return parsed
