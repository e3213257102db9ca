"""CSRF on every form of the web page: each POST route outside /api refuses a form without
the session's token (403, nothing changed), whatever the path, and the sign-in form refuses
one without its nonce-bound token (login CSRF)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts

from tests.api.conftest import PASSPHRASE, Api, User

pytestmark = pytest.mark.api


def _form_posts(api: Api) -> list[str]:
    paths = sorted({str(route.path) for route in iter_route_contexts(api.app.routes)
                    if route.methods and "POST" in route.methods
                    and not str(route.path).startswith("/api")})
    assert len(paths) >= 5, paths
    return paths


def test_every_form_post_without_the_token_is_refused(couple: tuple[Api, User, User]) -> None:
    api, alex, _ = couple
    entry = api.write(alex, "Our walk by the river.", "shared")
    signed_in = api.client.post("/api/auth/token", json={
        "name": "Alex", "passphrase": PASSPHRASE, "set_cookie": True})
    assert signed_in.status_code == 200
    before = api.client.get(f"/api/entries/{entry['id']}", headers=alex.headers).json()
    checked = []
    for path in _form_posts(api):
        url = re.sub(r"\{[^}]+\}", str(entry["id"]), path)
        for form in ({}, {"csrf_token": "forged"}):
            r = api.client.post(url, data={**form, "text": "x", "journal": "private"},
                                follow_redirects=False)
            assert r.status_code in (400, 403, 422), (path, form, r.status_code)
            assert r.status_code != 422 or "csrf" in r.text.lower(), (path, r.text[:200])
        checked.append(path)
    after = api.client.get(f"/api/entries/{entry['id']}", headers=alex.headers).json()
    assert after == before, "a refused form changed nothing"
    assert checked == _form_posts(api)
