"""The API over the real app and a real SQLite file: app factories, signed-in clients, and a
small world of two couples whose entries the privacy tests look for.

Speech engines are the fakes here (their real adapters have their own tests and the
acceptance tests in this folder use them); everything else is the product path.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from confide.api import create_app
from confide.models import accounts, keys
from confide.models.accounts import get_person_by_name, issue_token
from confide.models.db import create_db_engine, migrate, session_scope
from confide.settings import Settings
from confide.voice.speech import FakeSynthesizer
from confide.voice.transcriber import FakeTranscriber
from tests.conftest import CHEAP_KDF

pytestmark = pytest.mark.api

PASSPHRASE = "correct horse battery"


def tone(seconds: float = 1.0, rate: int = 16_000, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.2 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def wav_bytes(seconds: float = 1.0, rate: int = 16_000, fmt: str = "WAV") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, tone(seconds, rate), rate, format=fmt)
    return buf.getvalue()


@contextmanager
def isolated_env(home: Path) -> Iterator[None]:
    """The root conftest's isolation, for fixtures wider than one test."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
        mp.setenv("XDG_DATA_HOME", str(home / "data"))
        mp.setenv("CONFIDE_CONFIG", str(home / "none.toml"))
        for var in [v for v in os.environ if v.startswith("CONFIDE_") and v != "CONFIDE_CONFIG"]:
            mp.delenv(var, raising=False)
        yield


@pytest.fixture(autouse=True, scope="session")
def _quick_passphrase_hashing() -> Iterator[None]:
    """Argon2 at its real cost takes most of a second per sign-in on a busy CI core; these
    tests are about the API, so they hash cheaply (the accounts tests use the real cost)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                       parallelism=1))
        mp.setattr(keys, "DEFAULT_KDF", CHEAP_KDF)
        yield


_TEMPLATE: list[Path] = []


@pytest.fixture(autouse=True, scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Migrate one database per session; each app starts from a copy (Alembic is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
    finally:
        engine.dispose()
    _TEMPLATE[:] = [path]


def make_app(data_dir: Path, *, script: str = "a transcript from the fake", **overrides: Any,
             ) -> FastAPI:
    """The real app over a fresh SQLite file (copied from one migrated once per session)."""
    worker = overrides.pop("start_worker", True)
    synth = overrides.pop("synthesizer", None) or FakeSynthesizer()
    transcriber = overrides.pop("transcriber_factory", None) or (
        lambda: FakeTranscriber(default=script))
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATE[0], data_dir / "confide.db")
    settings = Settings(data_dir=data_dir, **overrides)
    return create_app(settings, transcriber_factory=transcriber,
                      synthesizer_factory=lambda: synth, start_worker=worker)


@dataclass
class User:
    name: str
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Api:
    """A TestClient with the few steps most tests start with."""

    client: TestClient
    app: FastAPI
    users: dict[str, User] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.app.state.runtime.engine

    @property
    def data_dir(self) -> Path:
        settings: Settings = self.app.state.runtime.settings
        return settings.data_dir

    def user(self, name: str, passphrase: str = PASSPHRASE) -> User:
        r = self.client.post("/api/auth/register", json={"name": name, "passphrase": passphrase})
        assert r.status_code == 201, r.text
        token = self.login(name, passphrase)
        self.users[name] = User(name, r.json()["id"], token)
        return self.users[name]

    def login(self, name: str, passphrase: str = PASSPHRASE) -> str:
        r = self.client.post("/api/auth/token", json={"name": name, "passphrase": passphrase})
        assert r.status_code == 200, r.text
        token: str = r.json()["access_token"]
        return token

    def pair(self, a: User, b: User) -> None:
        code = self.client.post("/api/couples", headers=a.headers).json()["invite_code"]
        r = self.client.post("/api/couples/join", json={"invite_code": code}, headers=b.headers)
        assert r.status_code == 200, r.text

    def write(self, who: User, text: str, journal: str = "private") -> dict[str, Any]:
        r = self.client.post("/api/entries", json={"text": text, "journal": journal},
                             headers=who.headers)
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def token_for(self, name: str, ttl: timedelta) -> str:
        """A token issued directly (e.g. already expired), as the journal would issue it."""
        with session_scope(self.engine) as session:
            return issue_token(session, get_person_by_name(session, name), ttl).token

    def wait_for_job(self, who: User, job_id: int, timeout: float = 30.0) -> dict[str, Any]:
        """Poll a transcription job until it is done or failed."""
        deadline = time.monotonic() + timeout
        while True:
            body: dict[str, Any] = self.client.get(f"/api/jobs/{job_id}",
                                                   headers=who.headers).json()
            if body["status"] in ("done", "failed") or time.monotonic() > deadline:
                return body
            time.sleep(0.05)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def stored_files(self) -> list[Path]:
        audio = self.data_dir / "audio"
        return sorted(p for p in audio.rglob("*") if p.is_file()) if audio.exists() else []


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """Build an app (with its lifespan running) over a fresh data folder."""
    stack: list[TestClient] = []

    def build(**overrides: Any) -> Api:
        app = make_app(tmp_path / f"data{len(stack)}", **overrides)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        stack.append(client)
        return Api(client, app)

    yield build
    for client in reversed(stack):
        client.__exit__(None, None, None)


@pytest.fixture
def api(app_factory: Callable[..., Api]) -> Api:
    return app_factory()


@pytest.fixture
def couple(api: Api) -> tuple[Api, User, User]:
    """Alex and Sam, paired."""
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    return api, alex, sam
