"""A sealed journal with one of everything, for the `confide entries`, export and round-trip
tests: Alex and Sam paired, Lee alone; private, shared, spoken, written, answered, edited."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from confide.cli import app

PASSPHRASES = {"Alex": "correct horse 1", "Sam": "correct horse 2", "Lee": "correct horse 3"}
POSTGRES_URL = os.environ.get("CONFIDE_TEST_POSTGRES_URL")


def tone(seconds: float = 1.0, rate: int = 16000, pitch: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * pitch * t)).astype(np.float32)


@dataclass
class Seeded:
    ids: dict[str, int]
    settings: Any


def when(day: int, hour: int = 18, minute: int = 22, micro: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, 7, micro, tzinfo=UTC)


def seed(settings: Any) -> dict[str, int]:
    """Entries of every kind; returns their ids by name."""
    from confide.models import entries, responses
    from confide.models.accounts import register_person
    from confide.models.couples import create_invite, join_couple
    from confide.models.sealing import use_keys
    from confide.models.transcript import Segment, Transcript
    from confide.wiring import audio_store, cli_session

    store = audio_store(settings)
    ids: dict[str, int] = {}
    with cli_session(settings) as s:
        alex, alex_keys, _ = register_person(s, "Alex", PASSPHRASES["Alex"],
                                             timezone="Europe/Berlin")
        sam, sam_keys, _ = register_person(s, "Sam", PASSPHRASES["Sam"])
        register_person(s, "Lee", PASSPHRASES["Lee"])
        join_couple(s, sam, create_invite(s, alex, timedelta(hours=1)).code)
        s.commit()
        use_keys(s, alex_keys)
        use_keys(s, sam_keys)
        ids["alex_private"] = entries.create_written_entry(
            s, alex, "Über-honest talk 💬 about trust.\n\nWe *listened*, [really].",
            tags=["trust", "starred"], mood="calm", created_at=when(5, micro=123456),
            prompt_id="trust-1", prompt_text="What helped you trust today?").id or 0
        spoken = entries.create_entry_from_audio(
            s, store, alex, tone(1.5), 16000, journal="shared", created_at=when(8, 9, 5),
            tags=["walk"])
        assert spoken.id is not None
        entries.attach_transcript(s, spoken.id, Transcript(
            "We walked and it felt calm.", "en", 1.5,
            (Segment(0.0, 0.8, "We walked", 0.9), Segment(0.8, 1.5, "and it felt calm.", 0.8))))
        ids["alex_spoken"] = spoken.id
        ids["sam_shared"] = entries.create_written_entry(
            s, sam, "Thank you for the garden walk.", journal="shared",
            created_at=when(9, 20)).id or 0
        ids["sam_private"] = entries.create_written_entry(
            s, sam, "My own secret garden words.", created_at=when(9, 21)).id or 0
        ids["sam_reply"] = responses.add_response(s, sam, spoken.id, text="I loved it too.").id or 0
        ids["alex_reply"] = responses.add_response(s, alex, spoken.id,
                                                   text="Let's walk again Sunday.").id or 0
    return ids


def make_env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, backend: str) -> Any:
    """Settings for a fresh data dir on SQLite, or on a fresh PostgreSQL schema."""
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    if backend == "postgres":
        assert POSTGRES_URL is not None
        schema = f"t_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        joiner = "&" if "?" in POSTGRES_URL else "?"
        monkeypatch.setenv("CONFIDE_DATABASE_URL",
                           f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}")
    from confide.settings import load_settings

    settings = load_settings()
    if backend == "sqlite":  # as the CLI's first use would leave it, without the migrations' time
        from tests.conftest import copy_of

        copy_of(_migrated(), Path(settings.db_url.removeprefix("sqlite:///")))
    return settings


@functools.cache
def _migrated() -> Path:
    """One SQLite file migrated to head for the whole run, removed at its end."""
    from tests.conftest import migrated_sqlite_file

    folder = Path(tempfile.mkdtemp(prefix="confide-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return migrated_sqlite_file(folder)


@dataclass
class Journal:
    """A journal seeded once for a module of tests that only read it."""

    settings: Any
    ids: dict[str, int]
    env: dict[str, str]
    """The variables that point a command at it (CONFIDE_DATA_DIR, CONFIDE_DATABASE_URL)."""

    def use(self, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, int]]:
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)
        return self.settings, self.ids

    def release(self) -> None:
        """Close the CLI's pooled connections after a test: another test's ``cleanup``
        forgets every cached engine, and an open one would be dropped unclosed."""
        from confide.wiring import _engine_for

        _engine_for(self.settings.db_url).dispose()


@contextmanager
def seeded_once(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[Journal]:
    """``seed`` for a whole module (module-scoped fixtures): seeding a journal is most of
    a read-only test's time, and reading it leaves it as it was. Isolated and hashed as the
    conftest's fixtures do for each test."""
    from tests.conftest import cheap_passphrase_hashing, isolate_env

    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp, tmp_path_factory.mktemp("home"))
        cheap_passphrase_hashing(mp)
        settings = make_env(tmp_path_factory.mktemp("journal"), mp, backend)
        ids = seed(settings)
        env = {name: os.environ[name] for name in ("CONFIDE_DATA_DIR", "CONFIDE_DATABASE_URL")
               if name in os.environ}
    journal = Journal(settings, ids, env)
    journal.release()
    try:
        yield journal
    finally:
        cleanup(settings)


def cleanup(settings: Any) -> None:
    """Close the CLI's pooled connections; drop the test's PostgreSQL schema."""
    from confide.wiring import _engine_for

    url = settings.db_url
    _engine_for(url).dispose()
    _engine_for.cache_clear()
    if "search_path%3D" in url:
        schema = url.rsplit("search_path%3D", 1)[1]
        admin = sa.create_engine(str(POSTGRES_URL))
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def ok(result: Any) -> Any:
    """The result of a command that must have succeeded (its output shown if not)."""
    assert result.exit_code == 0, result.output
    return result


def listed(cli: Any, *args: str, who: str = "Alex") -> Any:
    """`confide entries list --json` as the person sees it."""
    return json.loads(ok(cli("list", "--json", *args, who=who)).stdout)


def invoker(*prefix: str) -> Any:
    runner = CliRunner()

    def invoke(*args: str, who: str | None = "Alex", passphrase: str | None = None,
               extra: str = "") -> Any:
        secret = passphrase if passphrase is not None else PASSPHRASES.get(who or "", "")
        full = [*prefix, *args] + (["--as", who] if who else [])
        return runner.invoke(app, full, input=f"{secret}\n{extra}")

    return invoke


BACKENDS = ["sqlite", pytest.param("postgres", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="set CONFIDE_TEST_POSTGRES_URL to run "
                       "against PostgreSQL")])]
