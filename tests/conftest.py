"""Shared fixtures: a real SQLite file per test (a copy of one the migrations brought to head
at the start of the run), and people in couples."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from confide.models.accounts import register_person
from confide.models.couples import create_invite, join_couple
from confide.models.crypto import KdfParams
from confide.models.db import create_db_engine, migrate
from confide.models.keys import Keys
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.tables import Person
from confide.settings import Settings

CHEAP_KDF = KdfParams(ops=1, mem=1024 * 1024)
"""Argon2id at its floor: the tests about sealing run through the same code, faster."""


def isolate_env(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No test reads the developer's own config or data folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("CONFIDE_CONFIG", str(home / "none.toml"))
    for var in ("CONFIDE_DATA_DIR", "CONFIDE_DATABASE_URL", "CONFIDE_PERSON"):
        monkeypatch.delenv(var, raising=False)


def cheap_passphrase_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at production cost takes most of a second per hash on 2 cores; tests that
    check hashing itself still go through the same code, only with cheaper parameters."""
    from argon2 import PasswordHasher

    from confide.models import accounts, keys

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                             parallelism=1))
    monkeypatch.setattr(keys, "DEFAULT_KDF", CHEAP_KDF)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_env(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_passphrase_hashing(monkeypatch)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def migrated_sqlite_file(folder: Path) -> Path:
    """A SQLite file the real migrations brought to head, alone on disk (no -wal file)."""
    path = folder / "migrated.db"
    eng = create_db_engine(f"sqlite:///{path}")
    migrate(eng)
    eng.dispose()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run and copied for each test: running the migrations took longer
    than most tests that need a database (Alembic reads every revision each time)."""
    return migrated_sqlite_file(tmp_path_factory.mktemp("template"))


def copy_of(template: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


@pytest.fixture
def engine(tmp_path: Path, migrated_template: Path) -> Iterator[Engine]:
    eng = create_db_engine(f"sqlite:///{copy_of(migrated_template, tmp_path / 'test.db')}")
    migrate(eng)  # at head already: this only reads the revision
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.rollback()


@pytest.fixture
def store(tmp_path: Path) -> AudioStore:
    return AudioStore(tmp_path / "audio")


class Cast:
    """Two partners and an outsider (in another couple), as most privacy tests need."""

    def __init__(self, session: Session) -> None:
        self.keys: dict[str, Keys] = {}
        self.alex: Person = self._add(session, "Alex", "correct horse 1")
        self.sam: Person = self._add(session, "Sam", "correct horse 2")
        self.olive: Person = self._add(session, "Olive", "correct horse 3")
        self.pat: Person = self._add(session, "Pat", "correct horse 4")
        invite = create_invite(session, self.alex, timedelta(hours=1))
        join_couple(session, self.sam, invite.code)
        other = create_invite(session, self.olive, timedelta(hours=1))
        join_couple(session, self.pat, other.code)
        session.commit()

    def _add(self, session: Session, name: str, passphrase: str) -> Person:
        """Registered and unlocked in this session, as if each had signed in."""
        person, unlocked, _words = register_person(session, name, passphrase)
        use_keys(session, unlocked)
        self.keys[name] = unlocked
        return person


@pytest.fixture
def cast(session: Session) -> Cast:
    return Cast(session)
