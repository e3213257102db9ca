"""`confide worker` against the schema it finds: one a later release migrated (an upgrade in
progress, docs/DEPLOY.md) is fine, since migrations only add, so an old worker restarting
then goes on taking jobs; one behind its own code is refused with how to fix it."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("revision", "code"), [("a-later-release", 0), ("0001", 2)])
def test_a_worker_takes_a_later_schema_and_refuses_one_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, revision: str, code: int) -> None:
    from confide.cli import app
    from confide.settings import load_settings
    from confide.wiring import database

    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CONFIDE_WORKER_KEY_FILE", str(tmp_path / "worker.key"))
    monkeypatch.setattr(signal, "signal", lambda *_args: None)  # the test runner's own stay
    runner = CliRunner()
    made = runner.invoke(app, ["worker", "--init", "--name", "gpu-box"])
    assert made.exit_code == 0, made.output
    with database(load_settings()).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    ran = runner.invoke(app, ["worker", "--drain", "--name", "gpu-box"])
    assert ran.exit_code == code, ran.output
    if code:
        assert "confide db upgrade" in ran.output
