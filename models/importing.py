"""Bringing a journal in: Day One JSON exports, jrnl JSON exports, folders of Markdown or
text files, and folders of voice memos.

Reading and writing are apart. Each ``parse_*`` function turns a source into
``Candidate`` entries plus the lines it had to skip, and touches no database, so every
format is tested on its own. ``import_candidates`` then writes the candidates through the
journal's own operations (``models.entries``), each entry with its ``ImportMark`` in one
transaction: an import that stops half-way leaves whole entries only, and running it again
adds nothing. Recordings are decoded by a function the caller passes in (the decoder lives
with the other audio code, which this package does not import).

Importing needs no secret: every entry (a recording's mood and tags too) is sealed for its
readers as it is written. Only what reads the words waits for the person's unlock: the
search index (built now when their keys are in the session) and the transcripts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import crypto
from models.entries import (
    MAX_TAGS,
    MAX_TEXT,
    attach_transcript,
    create_entry_from_audio,
    create_written_entry,
    journal_id_for,
)
from models.errors import ConfideError, InvalidAudio, InvalidInput, TooLarge
from models.import_marks import ImportMark, SourceKind
from models.responses import add_response
from models.storage import AudioStore
from models.tables import MOODS, Entry, Person, TranscriptionJob
from models.transcript import Segment, Transcript

__all__ = [
    "AUDIO_SUFFIXES",
    "SKIP_MESSAGES",
    "TEXT_SUFFIXES",
    "AudioSource",
    "Candidate",
    "Decoder",
    "ImportReport",
    "Imported",
    "Parsed",
    "Skipped",
    "clean_tags",
    "date_from_name",
    "date_in_text",
    "dayone_text",
    "import_candidates",
    "memo_recorded_at",
    "parse_dayone",
    "parse_front_matter",
    "parse_jrnl",
    "parse_memo_folder",
    "parse_text_file",
    "parse_text_folder",
    "queued_transcriptions",
    "read_audio_tags",
    "recording_statuses",
    "split_text",
]

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = frozenset({".wav", ".m4a", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".aac",
                            ".amr", ".3gp", ".webm"})
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
MAX_TEXT_FILE_BYTES = 1_000_000
"""A text file larger than this is not one journal entry."""
MAX_AUDIO_MEMBER_BYTES = 2 * 1024**3
"""A recording inside an export is read into memory; past this it is skipped."""
DAYONE_MEDIA = {"photos": "photo", "videos": "video", "pdfs": "PDF", "pdfAttachments": "PDF"}

# Sentences an import reports, kept together; the key is what --json reports as "reason".
SKIP_MESSAGES: dict[str, str] = {
    "already_imported": "already imported",
    "duplicate_in_source": "the same entry appears earlier in this export",
    "empty": "empty: no text and no recording",
    "only_media": "only {media}, which Confide does not keep",
    "no_date": "no date found (front matter, a heading or the file name)",
    "bad_date": "its date {value!r} cannot be read",
    "missing_audio": "its recording {name} is missing from the export",
    "broken_audio": "the recording cannot be used: {detail}",
    "not_audio": "not a voice memo (Confide reads {suffixes})",
    "not_text": "not a text file",
    "too_large": "too large to import ({detail})",
    "unreadable": "cannot be read: {detail}",
    "rejected": "not accepted: {detail}",
    "failed": "could not be imported: {detail}",
    "partner_entry": "written by {author}, not by you: only your own entries come in",
}
NOTICE_MEDIA = "{count} {media}{s} skipped: Confide keeps text and recordings only."
NOTICE_TAGS = "{label}: tag {tag!r} left out ({why})."
NOTICE_TOO_MANY_TAGS = "{label}: only the first {n} tags kept."
NOTICE_MOOD = "{label}: mood {mood!r} is not one of Confide's, kept as a tag."
NOTICE_SPLIT = "{label}: longer than {limit} characters, imported as {parts} entries."
NOTICE_NO_RESPONSES = "{label}: your {n} response{s} left out: pair with your partner first."


# -- what parsing produces ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AudioSource:
    """A recording to import: a file on disk, or a member of a zip file."""

    name: str
    path: Path
    member: str | None = None

    def load(self) -> Path | bytes:
        """The file itself, or the zip member's bytes (what the decoder takes)."""
        if self.member is None:
            return self.path
        with zipfile.ZipFile(self.path) as archive:
            info = archive.getinfo(self.member)
            if info.file_size > MAX_AUDIO_MEMBER_BYTES:
                raise TooLarge(f"{self.name}: {info.file_size / 1e6:.0f} MB")
            return archive.read(info)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry as a source describes it; ``source_id`` is what makes importing idempotent."""

    source_id: str
    label: str
    created_at: datetime
    timezone: str | None = None
    text: str = ""
    tags: tuple[str, ...] = ()
    mood: str | None = None
    audio: AudioSource | None = None
    # From Confide's own Day One export (its "confide" fields): what Day One cannot say.
    journal: str | None = None
    transcript: Transcript | None = None
    prompt_id: str | None = None
    prompt_text: str | None = None
    edited_at: datetime | None = None
    responses: tuple[tuple[str, datetime | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    label: str
    reason: str
    message: str

    @classmethod
    def of(cls, label: str, reason: str, **detail: object) -> Skipped:
        return cls(label, reason, SKIP_MESSAGES[reason].format(**detail))


@dataclass(slots=True)
class Parsed:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Imported:
    label: str
    entry_ids: tuple[int, ...]
    kind: str  # "written" | "audio"


@dataclass(slots=True)
class ImportReport:
    imported: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def audio_entry_ids(self) -> list[int]:
        return [i for item in self.imported if item.kind == "audio" for i in item.entry_ids]

    def as_dict(self) -> dict[str, Any]:
        """The stable --json shape of an import (documented in README.md)."""
        return {
            "imported": [{"source": i.label, "kind": i.kind, "entry_ids": list(i.entry_ids)}
                         for i in self.imported],
            "skipped": [{"source": s.label, "reason": s.reason, "message": s.message}
                        for s in self.skipped],
            "notices": list(self.notices),
            "interrupted": self.interrupted,
        }


# -- small pure helpers -------------------------------------------------------------------
def _zone(name: str | None) -> ZoneInfo | None:
    if not name or not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
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


def _mood_and_tags(mood: object, tags: tuple[str, ...], label: str,
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


def _name_date(name: str, zone: ZoneInfo) -> tuple[datetime, bool] | None:
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
    found = _name_date(name, zone)
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


def _parse_when(value: object, zone: ZoneInfo) -> datetime | None:
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


def _to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _zone_name(moment: datetime, fallback: str | None) -> str | None:
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) else fallback


# -- Markdown and text files ----------------------------------------------------------------
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


def _list_of(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    return []


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
    local = _zone(tz_name if isinstance(tz_name, str) else None) or zone
    when: datetime | None = None
    for key in ("date", "created", "created_at", "creationdate"):
        if key in meta:
            when = _parse_when(meta[key], local)
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
    tags = clean_tags(_list_of(meta.get("tags", [])), label, notices)
    mood, tags = _mood_and_tags(meta.get("mood"), tags, label, notices)
    # The same words on another day are another entry; the same file copied is not.
    source_id = _sha256(f"{_to_utc(when).isoformat()}\n{content}".encode())
    candidate = Candidate(source_id=source_id, label=label, created_at=_to_utc(when),
                          timezone=_zone_name(when, local.key), text=content, tags=tags,
                          mood=mood)
    return candidate, None, notices


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in a stable order, hidden files and folders left out."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file():
            yield path


def _folder(folder: Path) -> None:
    if not folder.exists():
        raise InvalidInput(f"{folder}: no such folder.")
    if not folder.is_dir():
        raise InvalidInput(f"{folder}: not a folder.")


def parse_text_folder(folder: Path, zone: ZoneInfo) -> Parsed:
    """Every ``.md``/``.markdown``/``.txt`` file under ``folder`` as an entry."""
    _folder(folder)
    parsed = Parsed()
    seen: set[str] = set()
    for path in _walk(folder):
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


# -- jrnl -----------------------------------------------------------------------------------
def _json_doc(data: bytes | str, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{what} is not JSON: {exc}.") from exc


def parse_jrnl(data: bytes | str, zone: ZoneInfo, *, name: str = "jrnl export") -> Parsed:
    """jrnl's ``--export json``: ``{"tags": {...}, "entries": [{"title", "body", "date",
    "time", "tags", "starred"[, "uuid"]}]}``. jrnl writes local times without a zone, so
    they are read in ``zone``; a starred entry gets the tag ``starred``."""
    doc = _json_doc(data, name)
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise InvalidInput(f"{name} is not a jrnl JSON export (no \"entries\" list).")
    parsed = Parsed()
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
        when = _parse_when(f"{day}T{clock}" if clock else str(day), zone)
        if when is None:
            parsed.skipped.append(Skipped.of(label, "bad_date",
                                             value=f"{day} {clock or ''}".strip()))
            continue
        if not text:
            parsed.skipped.append(Skipped.of(label, "empty"))
            continue
        uuid = raw.get("uuid")
        source_id = str(uuid) if isinstance(uuid, str) and uuid.strip() else \
            _sha256(f"{day} {clock}\n{text}".encode())
        if source_id in seen:
            parsed.skipped.append(Skipped.of(label, "duplicate_in_source"))
            continue
        seen.add(source_id)
        notices: list[str] = []
        tags = clean_tags(_list_of(raw.get("tags", [])) + (["starred"] if raw.get("starred")
                                                           is True else []), label, notices)
        mood, tags = _mood_and_tags(raw.get("mood"), tags, label, notices)
        parsed.notices += notices
        parsed.candidates.append(Candidate(source_id=source_id[:160], label=label,
                                           created_at=_to_utc(when),
                                           timezone=_zone_name(when, zone.key), text=text,
                                           tags=tags, mood=mood))
    return parsed


# -- Day One --------------------------------------------------------------------------------
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
            self.names = [p.relative_to(path).as_posix() for p in _walk(path)]
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
        doc = _json_doc(bundle.read(doc_name), doc_name)
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            parsed.skipped.append(Skipped.of(doc_name, "unreadable",
                                             detail="not a Day One export (no \"entries\")"))
            continue
        found_any = True
        for number, raw in enumerate(doc["entries"], start=1):
            _dayone_entry(bundle, doc_name, number, raw, zone, seen, media_counts, parsed)
    if not found_any:
        raise InvalidInput(f"{path}: not a Day One JSON export (no \"entries\" list).")
    for media, count in media_counts.items():
        if count:
            parsed.notices.append(NOTICE_MEDIA.format(count=count, media=media,
                                                      s="" if count == 1 else "s"))
    return parsed


def _dayone_entry(bundle: _Bundle, doc_name: str, number: int, raw: object, zone: ZoneInfo,
                  seen: set[str], media_counts: dict[str, int], parsed: Parsed) -> None:
    label = f"{PurePosixPath(doc_name).name} entry {number}"
    if not isinstance(raw, dict):
        parsed.skipped.append(Skipped.of(label, "unreadable", detail="not an object"))
        return
    given = raw.get("uuid")
    uuid = given.strip() if isinstance(given, str) and given.strip() \
        else _sha256(json.dumps(raw, sort_keys=True, default=str).encode())
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
        if isinstance(name, str) and _zone(name) is not None:
            zone_name = name
            break
    local = _zone(zone_name) or zone
    if "creationDate" not in raw:
        parsed.skipped.append(Skipped.of(label, "no_date"))
        return
    when = _parse_when(raw["creationDate"], local)
    if when is None:
        parsed.skipped.append(Skipped.of(label, "bad_date", value=str(raw["creationDate"])))
        return
    notices: list[str] = []
    tags = clean_tags(_list_of(raw.get("tags", [])) + (["starred"] if raw.get("starred") is True
                                                       else []), label, notices)
    mood, tags = _mood_and_tags(raw.get("mood"), tags, label, notices)
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
            source_id=uuid[:160], label=label, created_at=_to_utc(when), timezone=tz_name,
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
        audio_zone = _zone(audio.get("timeZoneName")) or local
        recorded = _parse_when(audio.get("creationDate"), audio_zone) \
            if audio.get("creationDate") else None
        parsed.candidates.append(Candidate(
            source_id=f"{uuid}/audio/{ident or md5}"[:160], label=audio_label,
            created_at=_to_utc(recorded or when),
            timezone=_zone_name(recorded, tz_name) if recorded else tz_name,
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
    exact = _parse_when(ext.get("created_at"), ZoneInfo("UTC")) if ext.get("created_at") else None
    created = _to_utc(exact or when)
    text = ext["transcript"] if isinstance(ext.get("transcript"), str) else ""
    tags = clean_tags(_list_of(ext["tags"]), label, notices) if isinstance(ext.get("tags"), list) \
        else ()
    mood, tags = _mood_and_tags(ext.get("mood"), tags, label, notices)
    journal = ext.get("journal") if ext.get("journal") in ("private", "shared") else None
    prompt_id = ext.get("prompt_id") if isinstance(ext.get("prompt_id"), str) else None
    prompt_text = ext.get("prompt") if isinstance(ext.get("prompt"), str) else None
    edited = _parse_when(ext.get("edited_at"), ZoneInfo("UTC")) if ext.get("edited_at") else None
    responses = tuple(
        (r["text"], _parse_when(r.get("created_at"), ZoneInfo("UTC")) if r.get("created_at")
         else None)
        for r in ext.get("responses") or [] if isinstance(r, dict) and r.get("mine") is True
        and isinstance(r.get("text"), str) and r["text"].strip())
    audios = [a for a in raw.get("audios", []) if isinstance(a, dict)] \
        if isinstance(raw.get("audios"), list) else []
    common = Candidate(source_id=uuid[:160], label=label, created_at=created,
                       timezone=tz_name, tags=tags, mood=mood, journal=journal,
                       prompt_id=prompt_id, prompt_text=prompt_text,
                       edited_at=_to_utc(edited) if edited else None, responses=responses)
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


# -- voice memos ----------------------------------------------------------------------------
_META_KEYS = ("com.apple.quicktime.creationdate", "creation_time", "date", "tdrc", "tdor",
              "icrd", "year")


def read_audio_tags(path: Path) -> dict[str, str]:
    """The container's and first audio stream's metadata tags, lowercased keys; empty when
    the file cannot be opened (decoding reports why later)."""
    import av  # FFmpeg; only here, so importing this module does not load it

    try:
        with av.open(str(path), mode="r") as container:
            tags = {str(k).lower(): str(v) for k, v in dict(container.metadata).items()}
            if container.streams.audio:
                for k, v in dict(container.streams.audio[0].metadata).items():
                    tags.setdefault(str(k).lower(), str(v))
            return tags
    except Exception:  # any FFmpeg failure: the file is judged when it is decoded
        return {}


def memo_recorded_at(name: str, tags: Mapping[str, str], mtime: datetime,
                     zone: ZoneInfo) -> tuple[datetime, str]:
    """When a memo was recorded, and where that came from: a full date-time in its tags,
    else a date-time in its file name, else a date alone (tags, then name), else the
    file's modification time."""
    dates_only: list[datetime] = []
    for key in _META_KEYS:
        value = tags.get(key)
        if not value or not value.strip():
            continue
        when = _parse_when(value.strip(), zone)
        if when is None:
            continue
        if re.search(r"\d[T ]\d\d:\d\d", value):
            if when.year > 1971:  # some recorders write the epoch when they know nothing
                return when, "metadata"
        else:
            dates_only.append(when)
    from_name = _name_date(name, zone)
    if from_name is not None and from_name[1]:
        return from_name[0], "file name"
    if dates_only:
        return dates_only[0], "metadata"
    if from_name is not None:
        return from_name[0], "file name"
    return mtime, "file time"


def parse_memo_folder(folder: Path, zone: ZoneInfo, *,
                      read_tags: Callable[[Path], Mapping[str, str]] = read_audio_tags) -> Parsed:
    """Every audio file under ``folder`` as a recording to import (WAV, M4A, MP3, OGG,
    Opus, FLAC, AAC...). The same recording under two names is imported once (its id is
    the sha256 of its bytes); files that are not audio are reported, not guessed at."""
    _folder(folder)
    parsed = Parsed()
    seen: set[str] = set()
    for path in _walk(folder):
        label = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            parsed.skipped.append(Skipped.of(label, "not_audio", suffixes=", ".join(
                sorted(s.lstrip(".").upper() for s in AUDIO_SUFFIXES))))
            continue
        try:
            digest = _file_sha256(path)
            stat = path.stat()
        except OSError as exc:
            parsed.skipped.append(Skipped.of(label, "unreadable", detail=exc.strerror or exc))
            continue
        if digest in seen:
            parsed.skipped.append(Skipped.of(label, "duplicate_in_source"))
            continue
        seen.add(digest)
        if stat.st_size == 0:
            parsed.skipped.append(Skipped.of(label, "broken_audio", detail="the file is empty"))
            continue
        mtime = datetime.fromtimestamp(stat.st_mtime, UTC)
        when, _how = memo_recorded_at(path.name, read_tags(path), mtime, zone)
        parsed.candidates.append(Candidate(
            source_id=digest, label=label, created_at=_to_utc(when),
            timezone=_zone_name(when, zone.key),
            audio=AudioSource(name=label, path=path)))
    return parsed


# -- writing --------------------------------------------------------------------------------
Decoder = Callable[[Path | bytes], tuple[np.ndarray, int]]
"""Decodes a recording to float32 samples and their rate; raises ``InvalidAudio``."""


def _no_decoder(_source: Path | bytes) -> tuple[np.ndarray, int]:
    raise InvalidAudio("no audio decoder was given to this import")


def queued_transcriptions(session: Session, author_id: int | None = None) -> int:
    """How many recordings (of ``author_id``, else anyone's) are waiting for their
    transcript."""
    query = (select(sa.func.count()).select_from(TranscriptionJob)
             .where(col(TranscriptionJob.status).in_(("queued", "running"))))
    if author_id is not None:
        query = query.where(col(TranscriptionJob.entry_id).in_(
            select(Entry.id).where(Entry.author_id == author_id)))
    return int(session.exec(query).one())


def _known_sources(session: Session, person_id: int, kind: SourceKind) -> set[str]:
    return set(session.exec(select(ImportMark.source_id).where(
        ImportMark.person_id == person_id, ImportMark.source_kind == kind)))


def import_candidates(
    session: Session,
    store: AudioStore,
    person: Person,
    parsed: Parsed,
    *,
    kind: SourceKind,
    journal: str = "private",
    decode: Decoder = _no_decoder,
    on_step: Callable[[Candidate], None] | None = None,
) -> ImportReport:
    """Write what was parsed, one committed transaction per entry (its audio, row(s) and
    import mark together), skipping what this person already imported from this kind of
    source. Ctrl+C stops after rolling back the entry in progress (``interrupted``)."""
    journal_id_for(session, person, journal)  # unpaired and --journal shared: stop now
    assert person.id is not None
    person_id = person.id
    report = ImportReport(skipped=list(parsed.skipped), notices=list(parsed.notices))
    known = _known_sources(session, person_id, kind)
    session.commit()
    for candidate in parsed.candidates:
        if on_step is not None:
            on_step(candidate)
        if candidate.source_id in known:
            report.skipped.append(Skipped.of(candidate.label, "already_imported"))
            continue
        try:
            done = _write_one(session, store, person, person_id, candidate, kind, journal,
                              decode, report.notices)
        except KeyboardInterrupt:
            report.interrupted = True
            break
        except (InvalidAudio, TooLarge) as exc:
            report.skipped.append(Skipped.of(candidate.label, "broken_audio",
                                             detail=_strip_name(str(exc))))
            continue
        except ConfideError as exc:
            report.skipped.append(Skipped.of(candidate.label, "rejected", detail=str(exc)))
            continue
        except sa.exc.IntegrityError:
            # Another import of the same source committed first.
            report.skipped.append(Skipped.of(candidate.label, "already_imported"))
            continue
        except Exception as exc:  # one bad entry is reported; the rest still come in
            log.warning("import of %s failed", candidate.label, exc_info=True)
            report.skipped.append(Skipped.of(candidate.label, "failed",
                                             detail=str(exc) or type(exc).__name__))
            continue
        known.add(candidate.source_id)
        report.imported.append(done)
    return report


def _strip_name(message: str) -> str:
    """Decoder messages start with the file (``/tmp/x.m4a: corrupt``); the report names it."""
    head, sep, rest = message.partition(": ")
    return rest if sep and ("/" in head or "." in head or head.startswith("the uploaded")) \
        else message


def _write_one(session: Session, store: AudioStore, person: Person, person_id: int,
               candidate: Candidate, kind: SourceKind, journal: str, decode: Decoder,
               notices: list[str]) -> Imported:
    written: list[int] = []
    audio_paths: list[str] = []
    journal = candidate.journal or journal
    try:
        if candidate.audio is not None:
            samples, rate = decode(candidate.audio.load())
            # Mood and tags are sealed with the recording: no unlock needed, and its
            # transcript keeps them whenever it comes.
            data_key = crypto.new_key()
            entry = create_entry_from_audio(session, store, person, samples, rate,
                                            journal=journal, created_at=candidate.created_at,
                                            mood=candidate.mood, tags=candidate.tags,
                                            prompt_id=candidate.prompt_id,
                                            prompt_text=candidate.prompt_text,
                                            data_key=data_key)
            if entry.audio_path:
                audio_paths.append(entry.audio_path)
            assert entry.id is not None
            if candidate.transcript is not None:  # Confide's own export: no second pass
                attach_transcript(session, entry.id, candidate.transcript, data_key)
            written.append(entry.id)
            made = "audio"
        else:
            parts = split_text(candidate.text)
            for part in parts:
                entry = create_written_entry(session, person, part, journal=journal,
                                             mood=candidate.mood, tags=candidate.tags,
                                             created_at=candidate.created_at,
                                             prompt_id=candidate.prompt_id,
                                             prompt_text=candidate.prompt_text)
                assert entry.id is not None
                written.append(entry.id)
            if len(parts) > 1:
                notices.append(NOTICE_SPLIT.format(label=candidate.label, limit=MAX_TEXT,
                                                   parts=len(parts)))
            made = "written"
        _restore_extras(session, person, candidate, written[0], notices)
        session.add(ImportMark(person_id=person_id, source_kind=kind,
                               source_id=candidate.source_id, entry_id=written[0],
                               timezone=candidate.timezone))
        session.flush()
        session.commit()
    except BaseException:
        session.rollback()
        for rel in audio_paths:
            store.delete(rel)
        raise
    return Imported(candidate.label, tuple(written), made)


def _restore_extras(session: Session, person: Person, candidate: Candidate, entry_id: int,
                    notices: list[str]) -> None:
    """What Confide's own export adds: when the words were edited, the person's responses."""
    if candidate.edited_at is not None:
        entry = session.get(Entry, entry_id)
        assert entry is not None
        entry.edited_at = candidate.edited_at
        session.add(entry)
    if candidate.responses and person.couple_id is None:
        n = len(candidate.responses)
        notices.append(NOTICE_NO_RESPONSES.format(label=candidate.label, n=n,
                                                  s="" if n == 1 else "s"))
        return
    for text, at in candidate.responses:
        response = add_response(session, person, entry_id, text=text)
        if at is not None:
            response.created_at = at
            session.add(response)
    session.flush()


def recording_statuses(session: Session, entry_ids: Iterable[int]) -> dict[str, int]:
    """How the recordings of an import stand now: status -> count."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.exec(select(Entry.status, sa.func.count()).where(col(Entry.id).in_(ids))
                        .group_by(col(Entry.status)))
    return {str(status): int(n) for status, n in rows}

