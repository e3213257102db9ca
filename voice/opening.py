"""The first words of a session, spoken before the journal's database layer has loaded.

Importing SQLAlchemy, SQLModel and the tables takes about a second on a small machine, and a
person who has just started Confide, perhaps by a switch they cannot see, should hear it at
once. The greeting needs only the person's name, voice and time zone: they are read here
from the SQLite file with the standard library, read-only. Whenever that is not certain
(PostgreSQL, no database yet, an older schema, several people and no name given) there is
no early greeting and the session greets as usual, a moment later. Only the greeting is
said this way; everything else goes through the journal operations.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confide.settings import Settings
from confide.voice import phrases
from confide.voice.ports import Speaker, SpeechSynthesizer

__all__ = ["PersonCard", "local_time", "read_person", "speak_greeting"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PersonCard:
    """What the greeting needs to know about the person."""

    id: int
    name: str
    voice: str | None
    rate: int | None
    volume: float | None
    timezone: str


def local_time(moment: datetime, timezone: str) -> datetime:
    """``moment`` on the person's clock ("good evening" is about their evening)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return moment
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def _sqlite_file(settings: Settings) -> Path | None:
    prefix = "sqlite:///"
    url = settings.db_url
    if not url.startswith(prefix) or "?" in url:
        return None
    path = Path(url[len(prefix):]).resolve()
    return path if path.is_file() else None


def read_person(settings: Settings, name: str | None) -> PersonCard | None:
    """The person a session is for, as ``resolve_person`` would choose them, or None."""
    path = _sqlite_file(settings)
    if path is None:
        return None
    chosen = name or settings.person
    query = "SELECT id, name, tts_voice, tts_rate, tts_volume, timezone FROM person"
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.2)) as db:
            if chosen:
                rows = db.execute(f"{query} WHERE lower(name) = ?",
                                  (" ".join(chosen.split()).lower(),)).fetchall()
            else:
                rows = db.execute(f"{query} LIMIT 2").fetchall()
    except sqlite3.Error as exc:  # locked, older schema, not a database: greet later
        log.debug("no early greeting: %s", exc)
        return None
    if len(rows) != 1:
        return None
    pid, pname, voice, rate, volume, timezone = rows[0]
    return PersonCard(int(pid), str(pname), voice, rate, volume, str(timezone or "UTC"))


def speak_greeting(card: PersonCard, settings: Settings, speaker: Speaker,
                   synthesizer: SpeechSynthesizer, now: datetime) -> str:
    """Start saying hello (without waiting for it to end); returns what is being said."""
    text = phrases.greeting(card.name, local_time(now, card.timezone))
    samples, rate = synthesizer.synthesize(
        text, voice=card.voice or settings.tts_voice, rate=card.rate or settings.tts_rate,
        volume=card.volume if card.volume is not None else settings.tts_volume)
    speaker.play(samples, rate, wait=False)
    return text
