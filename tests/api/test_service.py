"""What every route shares: health and readiness, errors without traces, security headers,
CORS, the OpenAPI document and docs page, token expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select

from confide.api.deps import get_session
from confide.models.tables import Entry
from confide.voice.transcriber import FakeTranscriber
from tests.api.conftest import Api

pytestmark = pytest.mark.api
AppFactory = Callable[..., Api]


# --- health, errors, headers, docs ----------------------------------------------------------


def test_healthz_reports_database_model_and_worker(api: Api) -> None:
    r = api.client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "model": "ready", "worker": "alive"}


def test_readyz_is_503_when_the_model_cannot_load_and_healthz_stays_live(
        app_factory: AppFactory) -> None:
    def broken() -> FakeTranscriber:
        raise RuntimeError("model folder is missing")

    api = app_factory(transcriber_factory=broken)
    r = api.client.get("/healthz")
    assert r.status_code == 200  # alive: restarting would not bring the model folder back
    assert r.json()["status"] == "degraded"
    assert r.json()["model"] == "error: model folder is missing"
    r = api.client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["model"] == "error: model folder is missing"


def test_unexpected_errors_are_500_without_a_trace(api: Api) -> None:
    alex = api.user("Alex")

    def exploding_session() -> object:
        raise RuntimeError("database password is hunter2")

    api.app.dependency_overrides[get_session] = exploding_session
    try:
        r = api.client.get("/api/entries", headers=alex.headers)
    finally:
        api.app.dependency_overrides.clear()
    assert r.status_code == 500
    assert r.json() == {"detail": "Something went wrong on the server."}
    assert "hunter2" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/healthz", "/api/entries", "/api/nope", "/openapi.json",
                                  "/docs"])
def test_security_headers_on_every_response(api: Api, path: str) -> None:
    r = api.client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in r.headers


def test_cors_is_off_by_default_and_on_when_configured(app_factory: AppFactory) -> None:
    plain = app_factory()
    r = plain.client.options("/api/entries", headers={
        "Origin": "https://phone.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers
    configured = app_factory(cors_origins=["https://phone.example"])
    r = configured.client.options("/api/entries", headers={
        "Origin": "https://phone.example", "Access-Control-Request-Method": "GET"})
    assert r.headers["access-control-allow-origin"] == "https://phone.example"


def test_openapi_and_docs_are_served(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/auth/token", "/api/entries", "/api/entries/{entry_id}/audio",
                 "/api/recordings", "/api/jobs/{job_id}", "/api/mutual/{prompt_id}/answer",
                 "/api/goals/{goal_id}/checkins", "/api/reminders", "/api/progress",
                 "/api/search", "/api/export", "/api/prompts/next", "/healthz"):
        assert path in paths, path
    body = paths["/api/entries/{entry_id}/responses"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert api.client.get("/docs").status_code == 200


def test_an_expired_token_is_refused(api: Api) -> None:
    api.user("Alex")
    token = api.token_for("Alex", timedelta(seconds=-1))
    r = api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    with api.session() as s:
        assert s.exec(select(Entry)).all() == []


def test_the_web_page_is_served_by_the_same_app(api: Api) -> None:
    r = api.client.get("/signin")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert not any(p.startswith("/signin") for p in api.client.get("/openapi.json").json()["paths"])


def test_malformed_json_says_so(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.post("/api/entries", content=b"{oops",
                        headers=alex.headers | {"content-type": "application/json"})
    assert r.json() == {"detail": "the body is not valid JSON"}


def test_the_api_docs_page_needs_nothing_from_the_internet(api: Api) -> None:
    client = api.client
    page = client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        assert client.get(asset).status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Confide"
