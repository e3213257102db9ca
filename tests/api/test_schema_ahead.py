"""During an upgrade the new release migrates the database while the old one serves
(docs/DEPLOY.md): a process of the old release must go on serving on the newer schema,
report ready (a proxy routing on /readyz would otherwise drop every old process at once),
and start again if it restarts before it is replaced. A schema behind the code is not
ready."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from confide.api import create_app
from confide.models.db import current_revision, migrate
from confide.voice.transcriber import FakeTranscriber
from tests.api.conftest import PASSPHRASE, Api

pytestmark = pytest.mark.api

LATER = "a-later-release"  # a revision this release's migrations do not know


def _stamp(api: Api, revision: str) -> None:
    with api.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_this_release_serves_restarts_and_is_ready_on_a_later_schema(
        app_factory: Callable[..., Api]) -> None:
    api = app_factory()
    alex = api.user("Alex")
    _stamp(api, LATER)
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["schema_revision"] == LATER
    assert api.write(alex, "written after the later migration")["id"]
    # A process of this release started now (a restart, a replaced uvicorn worker).
    again = create_app(api.app.state.runtime.settings, start_worker=False,
                       transcriber_factory=lambda: FakeTranscriber(default="words"))
    with TestClient(again) as client:
        assert client.get("/readyz").status_code == 200
        r = client.post("/api/auth/token", json={"name": "Alex", "passphrase": PASSPHRASE})
        assert r.status_code == 200, r.text
        listed = client.get("/api/entries",
                            headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert [e["transcript"] for e in listed.json()["items"]] == [
            "written after the later migration"]
    migrate(api.engine)
    assert current_revision(api.engine) == LATER  # left as the later release made it


def test_a_schema_behind_this_release_is_not_ready(api: Api) -> None:
    _stamp(api, "0001")
    body = api.client.get("/readyz")
    assert body.status_code == 503 and body.json()["schema_revision"] == "0001"
