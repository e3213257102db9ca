"""What reading an import source produces, and what an import reports: the candidates (one
entry each, as the source describes it), the lines skipped with their reasons, the notices,
and every sentence of them, kept together (the keys are what --json reports as "reason").

The parsers (models/import_text.py, import_jrnl.py, import_dayone.py, import_memos.py)
make these; models/importing.py writes them.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from confide.models.errors import TooLarge
from confide.models.transcript import Transcript

__all__ = ["AUDIO_SUFFIXES", "MAX_AUDIO_MEMBER_BYTES", "NOTICE_MEDIA", "NOTICE_MOOD",
           "NOTICE_NO_RESPONSES", "NOTICE_SPLIT", "NOTICE_TAGS", "NOTICE_TOO_MANY_TAGS",
           "SKIP_MESSAGES", "TEXT_SUFFIXES", "AudioSource", "Candidate", "Exporter", "ImportReport",
           "Imported", "Parsed", "Skipped"]

AUDIO_SUFFIXES = frozenset({".wav", ".m4a", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".aac",
                            ".amr", ".3gp", ".webm"})
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
MAX_AUDIO_MEMBER_BYTES = 2 * 1024**3
"""A recording inside an export is read into memory; past this it is skipped."""

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


@dataclass(frozen=True, slots=True)
class Exporter:
    """Whose journal an export is: Confide's own exports name the person and their key's
    fingerprint (models/export_formats.py); older ones only by the author of their
    entries."""

    name: str
    key: str | None = None

    @classmethod
    def from_json(cls, value: object) -> Exporter | None:
        """The ``confide`` object of an export's metadata, when it names someone."""
        if not isinstance(value, dict) or not isinstance(value.get("exported_by"), str):
            return None
        key = value.get("person_key")
        return cls(value["exported_by"], key if isinstance(key, str) else None)


@dataclass(slots=True)
class Parsed:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    exported_by: Exporter | None = None


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
