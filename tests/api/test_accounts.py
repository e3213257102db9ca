"""Accounts, sign-in, sessions and couple pairing, with the status codes the API documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from confide.models.tables import ApiToken
from tests.api.conftest import PASSPHRASE, Api

pytestmark = pytest.mark.api
AppFactory = Callable[..., Api]


# --- accounts -------------------------------------------------------------------------------


def test_register_sign_in_and_sign_out(api: Api) -> None:
    r = api.client.post("/api/auth/register", json={"name": "Alex", "passphrase": PASSPHRASE})
    assert r.status_code == 201
    assert r.json()["name"] == "Alex"
    assert "passphrase" not in r.text
    assert api.client.post("/api/auth/register", json={"name": "alex", "passphrase": PASSPHRASE}
                           ).status_code == 409
    r = api.client.post("/api/auth/token", json={"name": "Alex", "passphrase": PASSPHRASE})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer"
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC) + timedelta(days=1)
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert api.client.get("/api/me", headers=headers).json()["name"] == "Alex"
    assert api.client.post("/api/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/api/me", headers=headers).status_code == 401


def test_tokens_are_stored_only_as_hashes(api: Api) -> None:
    alex = api.user("Alex")
    with api.session() as s:
        stored = [t.token_hash for t in s.exec(select(ApiToken))]
    assert alex.token not in stored
    assert len(stored[0]) == 64


def test_wrong_passphrase_is_401_then_rate_limited_per_name(api: Api) -> None:
    api.user("Alex")
    for _ in range(5):
        r = api.client.post("/api/auth/token", json={"name": "Alex", "passphrase": "wrong one!"})
        assert r.status_code == 401
    r = api.client.post("/api/auth/token", json={"name": "Alex", "passphrase": PASSPHRASE})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0


def test_sign_in_attempts_are_limited_per_client_address(api: Api) -> None:
    for i in range(20):
        r = api.client.post("/api/auth/token", json={"name": f"nobody{i}", "passphrase": "x"})
        assert r.status_code == 401
    r = api.client.post("/api/auth/token", json={"name": "someone-new", "passphrase": "x"})
    assert r.status_code == 429


def test_registering_is_limited_per_address(api: Api) -> None:
    codes = [api.client.post("/api/auth/register",
                             json={"name": f"Person {i}", "passphrase": PASSPHRASE}).status_code
             for i in range(21)]
    assert codes[:20] == [201] * 20
    assert codes[20] == 429


def test_cookie_session_works_and_is_httponly_lax(api: Api) -> None:
    api.user("Alex")
    r = api.client.post("/api/auth/token",
                        json={"name": "Alex", "passphrase": PASSPHRASE, "set_cookie": True})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("confide_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert api.client.get("/api/me").json()["name"] == "Alex"
    # A write from another site's page with the cookie is refused.
    r = api.client.post("/api/entries", json={"text": "hi"},
                        headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert api.client.post("/api/entries", json={"text": "hi"}).status_code == 201
    assert api.client.post("/api/auth/logout").status_code == 204
    api.client.cookies.clear()
    assert api.client.get("/api/me").status_code == 401


def test_cookie_is_secure_when_configured(app_factory: AppFactory) -> None:
    api = app_factory(cookie_secure=True)
    api.user("Alex")
    r = api.client.post("/api/auth/token",
                        json={"name": "Alex", "passphrase": PASSPHRASE, "set_cookie": True})
    assert "Secure" in r.headers["set-cookie"]
    assert "strict-transport-security" in r.headers


def test_preferences_update(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.patch("/api/me", json={"tts_rate": 140, "timezone": "Europe/Berlin"},
                         headers=alex.headers)
    assert r.status_code == 200
    assert (r.json()["tts_rate"], r.json()["timezone"]) == (140, "Europe/Berlin")
    assert api.client.patch("/api/me", json={"timezone": "Mars/Olympus"},
                            headers=alex.headers).status_code == 422
    assert api.client.patch("/api/me", json={"tts_rate": 9000},
                            headers=alex.headers).status_code == 422
    # 80-450 words a minute: screen-reader users listen at the top of that range.
    assert api.client.patch("/api/me", json={"tts_rate": 450},
                            headers=alex.headers).json()["tts_rate"] == 450
    assert api.client.patch("/api/me", json={"tts_rate": 451},
                            headers=alex.headers).status_code == 422


# --- couples --------------------------------------------------------------------------------


def test_pairing_by_invite_code(api: Api) -> None:
    alex, sam, olive = api.user("Alex"), api.user("Sam"), api.user("Olive")
    assert api.client.get("/api/couples/me", headers=alex.headers).status_code == 404
    r = api.client.post("/api/couples", headers=alex.headers)
    assert r.status_code == 201
    code = r.json()["invite_code"]
    assert api.client.get("/api/couples/me", headers=alex.headers).json()["waiting_for_partner"]
    assert api.client.post("/api/couples/join", json={"invite_code": "ZZZZ-ZZZZ"},
                           headers=sam.headers).status_code == 404
    r = api.client.post("/api/couples/join", json={"invite_code": code.lower()},
                        headers=sam.headers)
    assert r.status_code == 200
    assert r.json()["partner"]["name"] == "Alex"
    assert api.client.post("/api/couples/join", json={"invite_code": code},
                           headers=olive.headers).status_code == 404
    assert api.client.post("/api/couples", headers=alex.headers).status_code == 409
    me = api.client.get("/api/couples/me", headers=alex.headers).json()
    assert me["partner"]["name"] == "Sam"
    assert not me["waiting_for_partner"]
