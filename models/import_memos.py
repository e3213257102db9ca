"""Importing a folder of voice memos (WAV, M4A, MP3, OGG, Opus, FLAC... from phones): when
each was recorded comes from its metadata, else its file name, else the file's time."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from confide.models.import_fields import (
    file_sha256,
    name_date,
    parse_moment,
    require_folder,
    to_utc,
    walk_files,
    zone_key,
)
from confide.models.import_types import AUDIO_SUFFIXES, AudioSource, Candidate, Parsed, Skipped

__all__ = ["memo_recorded_at", "parse_memo_folder", "read_audio_tags"]


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
        when = parse_moment(value.strip(), zone)
        if when is None:
            continue
        if re.search(r"\d[T ]\d\d:\d\d", value):
            if when.year > 1971:  # some recorders write the epoch when they know nothing
                return when, "metadata"
        else:
            dates_only.append(when)
    from_name = name_date(name, zone)
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
    require_folder(folder)
    parsed = Parsed()
    seen: set[str] = set()
    for path in walk_files(folder):
        label = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            parsed.skipped.append(Skipped.of(label, "not_audio", suffixes=", ".join(
                sorted(s.lstrip(".").upper() for s in AUDIO_SUFFIXES))))
            continue
        try:
            digest = file_sha256(path)
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
            source_id=digest, label=label, created_at=to_utc(when),
            timezone=zone_key(when, zone.key),
            audio=AudioSource(name=label, path=path)))
    return parsed
