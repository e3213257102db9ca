"""The composition root: builds the database, stores and engines from settings, once each.

Only the entry points (the CLI's commands, the uvicorn factories) import this module; the
engines below never see ``Settings``: they take plain options made here.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from confide.models.accounts import get_person_by_name
from confide.models.db import create_db_engine, migrate, session_scope
from confide.models.errors import NotFound
from confide.models.storage import AudioStore, open_audio_store
from confide.models.tables import Person
from confide.settings import BUNDLED_MODEL, Settings

if TYPE_CHECKING:
    from confide.voice.voices import VoiceRouter
    from confide.voice.whisper import WhisperOptions, WhisperTranscriber

__all__ = ["audio_store", "cli_session", "database", "resolve_person", "synthesizer",
           "transcriber", "whisper_options"]

log = logging.getLogger(__name__)


_engine_lock = threading.Lock()


@functools.cache
def _engine_for(url: str) -> Engine:
    engine = create_db_engine(url)
    migrate(engine)
    return engine


def database(settings: Settings) -> Engine:
    """The migrated engine for the configured database (one per URL per process)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _engine_lock:  # Alembic keeps global state: one migration at a time per process
        return _engine_for(settings.db_url)


@contextmanager
def cli_session(settings: Settings) -> Iterator[Session]:
    with session_scope(database(settings)) as session:
        yield session


def audio_store(settings: Settings) -> AudioStore:
    """The store ``CONFIDE_AUDIO_STORE`` names: with ``database`` every command (the voice
    station, recovery, imports, exports) keeps recordings where the API and the workers of
    other machines find them, not in this machine's folder."""
    if settings.audio_store == "database":
        return open_audio_store("database", settings.audio_dir, database(settings))
    return open_audio_store("folder", settings.audio_dir)


def resolve_person(session: Session, settings: Settings, name: str | None) -> Person:
    """Whose journal a command acts on: ``--as NAME``, then CONFIDE_PERSON, then the only one."""
    chosen = name or settings.person
    if chosen:
        return get_person_by_name(session, chosen)
    people = list(session.exec(select(Person).limit(2)))
    if len(people) == 1:
        return people[0]
    if not people:
        raise NotFound("Nobody uses this journal yet: run `confide people add YOUR-NAME` first.")
    raise NotFound("More than one person uses this journal: say whose with --as NAME "
                   "(or set CONFIDE_PERSON).")


def whisper_options(settings: Settings) -> WhisperOptions:
    """The Whisper adapter's options from the settings ('bundled' is the model it ships with)."""
    from confide.voice.whisper import WhisperOptions

    return WhisperOptions(
        model=None if settings.whisper_model == BUNDLED_MODEL else settings.whisper_model,
        device=settings.whisper_device,
        compute_type=settings.whisper_compute_type,
        threads=settings.whisper_threads,
        beam_size=settings.whisper_beam_size,
        language=settings.whisper_language,
        min_window_s=settings.whisper_min_window_s,
    )


_transcribers: dict[WhisperOptions, WhisperTranscriber] = {}


def transcriber(settings: Settings) -> WhisperTranscriber:
    """The real Whisper transcriber for these settings, one per process (the model itself is
    loaded once and shared by every set of options that names it)."""
    from confide.voice.whisper import WhisperTranscriber

    options = whisper_options(settings)
    with _engine_lock:
        found = _transcribers.get(options)
    if found is None:  # built outside the lock: loading a model takes seconds
        found = WhisperTranscriber(options)
        with _engine_lock:
            found = _transcribers.setdefault(options, found)
    return found


_synthesizers: dict[str | None, VoiceRouter] = {}


def synthesizer(settings: Settings) -> VoiceRouter:
    """Speech out over both engines: the natural voice where installed (loaded on first use,
    once per process), espeak-ng beside it; each call speaks with the voice it names."""
    from confide.voice.neural import get_piper_synthesizer, neural_voice_installed
    from confide.voice.speech import Pyttsx3Synthesizer
    from confide.voice.voices import VoiceRouter

    with _engine_lock:
        found = _synthesizers.get(settings.tts_voice)
        if found is None:
            found = _synthesizers[settings.tts_voice] = VoiceRouter(
                Pyttsx3Synthesizer,
                get_piper_synthesizer if neural_voice_installed() else None,
                default=settings.tts_voice)
        return found
