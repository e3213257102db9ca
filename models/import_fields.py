"""Reading the fields every import source has, the same way for all of them: dates (ISO,
in file names, in words in a heading), time zones, tags and moods as the journal keeps them,
text too long for one entry, JSON documents, and the files of a folder. Pure functions,
tested on their own (tests/unit/test_import_parsers.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confide.models.entries import MAX_TAGS, MAX_TEXT
from confide.models.errors import InvalidInput
from confide.models.import_types import NOTICE_MOOD, NOTICE_TAGS, NOTICE_TOO_MANY_TAGS
from confide.models.tables import MOODS

__all__ = ["clean_tags", "date_from_name", "date_in_text", "file_sha256", "json_doc",
           "list_of", "mood_and_tags", "name_date", "parse_moment", "require_folder",
           "sha256_hex", "split_text", "to_utc", "walk_files", "zone_key", "zone_named"]


def zone_named(name: str | None) -> ZoneInfo | None:
    if not name or not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clean_tags(raw: Iterable[object], label: str, notices: list[str]) -> tuple[str, ...]:
    """Tags as the journal keeps them (lowercase, no @ or #, 1–40 characters, at most
    ``MAX_TAGS``); each one left out is named in ``notices``."""
    kept: list[str] = []
    for item in raw:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            continue
        tag = " ".join(str(item).split()).lstrip("@#").strip().lower()
        if not tag:
            continue
        if len(tag) > 40 or '"' in tag or "\\" in tag:
            notices.append(NOTICE_TAGS.format(label=label, tag=str(item)[:60],
                                              why="1–40 characters, no quotes"))
            continue
        if tag not in kept:
            kept.append(tag)
    if len(kept) > MAX_TAGS:
        notices.append(NOTICE_TOO_MANY_TAGS.format(label=label, n=MAX_TAGS))
        kept = kept[:MAX_TAGS]
    return tuple(kept)


def mood_and_tags(mood: object, tags: tuple[str, ...], label: str,
                   notices: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """A source's mood when it is one of the journal's moods; any other becomes a tag."""
    if not isinstance(mood, str) or not mood.strip():
        return None, tags
    word = mood.strip().lower()
    if word in MOODS:
        return word, tags
    notices.append(NOTICE_MOOD.format(label=label, mood=mood))
    return None, clean_tags([*tags, word], label, notices)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Text longer than an entry may be, cut at paragraph (else line, else word) breaks."""
    body = text.strip()
    parts: list[str] = []
    while len(body) > limit:
        window = body[: limit + 1]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) \
            or max(window.rfind(" "), 0) or limit
        parts.append(body[:cut].strip())
        body = body[cut:].strip()
    if body:
        parts.append(body)
    return parts


_NAME_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)[-_.]?(?P<m>[01]\d)[-_.]?(?P<d>[0-3]\d)(?!\d)"
    r"(?:[ T_-]*(?:at[ _]?)?(?P<H>[0-2]\d)[.:h_-]?(?P<M>[0-5]\d)(?:[.:_-]?(?P<S>[0-5]\d))?(?!\d))?"
)
_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WORDY_DATES = (
    re.compile(rf"(?<!\w){_MONTH}\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)", re.I),
    re.compile(rf"(?<!\d)(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+{_MONTH}\s+(?P<y>(?:19|20)\d\d)", re.I),
)
_CLOCK = re.compile(r"(?<!\d)(?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?:\s*(?P<ap>[ap])\.?m\.?)?", re.I)


def _localize(day: date, at: time | None, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at or time(0, 0), tzinfo=zone)


def name_date(name: str, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    for found in _NAME_DATE.finditer(name):
        try:
            day = date(int(found["y"]), int(found["m"]), int(found["d"]))
            at = time(int(found["H"]), int(found["M"]), int(found["S"] or 0)) \
                if found["H"] is not None else None
        except ValueError:
            continue
        return _localize(day, at, zone), at is not None
    return None


def date_from_name(name: str, zone: ZoneInfo) -> datetime | None:
    """A date (and time, when given) in a file name: ``2024-03-05.md``,
    ``2024-03-05 18.22.m4a``, ``20240305_182200.m4a``, ``Recording 2024-03-05 at 18.22``."""
    found = name_date(name, zone)
    return found[0] if found is not None else None


def date_in_text(text: str, zone: ZoneInfo) -> datetime | None:
    """A date written in words or digits (``Tuesday, March 5, 2024 6:22 pm``, ``5 March
    2024``, ``2024-03-05``), as a heading holds it."""
    numeric = date_from_name(text, zone)
    if numeric is not None:
        return numeric
    for pattern in _WORDY_DATES:
        found = pattern.search(text)
        if found is None:
            continue
        month = next(n for m, n in _MONTHS.items() if m.startswith(found["mon"].lower()[:3]))
        try:
            day = date(int(found["y"]), month, int(found["d"]))
        except ValueError:
            continue
        clock = _CLOCK.search(text, found.end())
        at = None
        if clock is not None:
            hour = int(clock["H"]) % 12 + (12 if (clock["ap"] or "").lower() == "p" else 0) \
                if clock["ap"] else int(clock["H"])
            if hour < 24:
                at = time(hour, int(clock["M"]))
        return _localize(day, at, zone)
    return None


def parse_moment(value: object, zone: ZoneInfo) -> datetime | None:
    """An ISO 8601 date or date-time; without an offset it is local time in ``zone``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return _localize(value, None, zone)
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)  # +0100 -> +01:00
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return date_in_text(value, zone)
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def zone_key(moment: datetime, fallback: str | None) -> str | None:
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) else fallback


def list_of(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    return []


def json_doc(data: bytes | str, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{what} is not JSON: {exc}.") from exc


def walk_files(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in a stable order, hidden files and folders left out."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file():
            yield path


def require_folder(folder: Path) -> None:
    if not folder.exists():
        raise InvalidInput(f"{folder}: no such folder.")
    if not folder.is_dir():
        raise InvalidInput(f"{folder}: not a folder.")
