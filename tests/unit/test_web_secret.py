"""The web page's CSRF key outlives a restart, is shared by every process of a deployment
(it lives in the database), and is made once."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from confide.api.web.context import (
    CSRF_SECRET_NAME,
    SECRET_FILE,
    WebContext,
    persistent_secret,
    shared_secret,
)
from confide.settings import Settings

pytestmark = pytest.mark.unit


def test_a_form_from_before_a_restart_or_from_another_process_still_posts(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    before, after = WebContext(settings), WebContext(settings)  # two processes, or two starts
    assert before.csrf_for("session-token") == after.csrf_for("session-token")
    assert before.csrf_for("session-token") != before.csrf_for("another-session")
    assert not (settings.data_dir / SECRET_FILE).exists()  # in the database, not on one disk


def test_processes_asking_together_agree_on_one_database_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    shared_secret(url, "warm-up")  # the schema first, so the race is over the row only
    with ThreadPoolExecutor(6) as pool:
        keys = set(pool.map(lambda _: shared_secret(url, CSRF_SECRET_NAME), range(12)))
    assert len(keys) == 1 and len(next(iter(keys))) == 32


def test_an_upgraded_deployment_keeps_its_old_file_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    old = persistent_secret(settings.data_dir)
    assert WebContext(settings).secret == b""  # read lazily, once the app has migrated
    web = WebContext(settings)
    web.csrf_for("x")
    assert web.secret == old
    mode = stat.S_IMODE((settings.data_dir / SECRET_FILE).stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_another_data_dir_has_another_key(tmp_path: Path) -> None:
    assert persistent_secret(tmp_path / "a") != persistent_secret(tmp_path / "b")


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: persistent_secret(tmp_path), range(32)))
    assert len(keys) == 1 and len(next(iter(keys))) == 32


def test_no_scratch_file_is_left_and_a_damaged_key_is_named(tmp_path: Path) -> None:
    persistent_secret(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]
    (tmp_path / SECRET_FILE).write_bytes(b"short")
    with pytest.raises(RuntimeError, match="delete it"):
        persistent_secret(tmp_path)
