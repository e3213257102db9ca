"""The web page's CSRF key outlives a restart, is private to its owner, and is made once."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from api.web.context import SECRET_FILE, WebContext, persistent_secret
from confide.settings import Settings

pytestmark = pytest.mark.unit


def test_a_form_from_before_a_restart_still_posts(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    before, after = WebContext(settings), WebContext(settings)  # two starts of the server
    assert before.csrf_for("session-token") == after.csrf_for("session-token")
    assert before.csrf_for("session-token") != before.csrf_for("another-session")
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
