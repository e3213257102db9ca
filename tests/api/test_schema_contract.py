"""What schemathesis found, each at its cause: a 405 names every method of its path, a
literal path beside an id path is not read as an id, a reference to a prompt that does not
exist is a 404, dates are dates and not numbers, and a multipart form offers no null."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from tests.api.conftest import Api, User, wav_bytes

pytestmark = pytest.mark.api


def _methods_by_path(api: Api) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for route in iter_route_contexts(api.app.routes):
        if route.methods:
            found.setdefault(str(route.path), set()).update(route.methods)
    return found


def test_a_405_names_every_method_of_its_path_not_only_one_routes(api: Api) -> None:
    """/api/entries/{id} is three routes (GET, PATCH, DELETE); its Allow lists all three."""
    allow = api.client.request("OPTIONS", "/api/entries/1").headers["allow"]
    assert allow == "DELETE, GET, HEAD, PATCH"
    for path, methods in _methods_by_path(api).items():
        if "{" in path or "docs/assets" in path:
            continue
        r = api.client.request("PUT", path)
        if "PUT" in methods:
            continue
        assert r.status_code == 405, path
        listed = {m.strip() for m in r.headers["allow"].split(",")}
        assert methods - {"HEAD"} <= listed, (path, listed)
        if "GET" in methods:
            assert "HEAD" in listed


def test_patch_on_the_calendar_is_405_not_a_bad_reminder_id(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.patch("/api/reminders/calendar.ics", json={"enabled": False},
                         headers=alex.headers)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert api.client.delete("/api/reminders/calendar.ics", headers=alex.headers
                             ).status_code == 405


@pytest.mark.parametrize("write", ["entry", "recording", "mutual"])
def test_an_unknown_prompt_id_is_404(couple: tuple[Api, User, User], write: str) -> None:
    api, alex, _ = couple
    if write == "entry":
        r = api.client.post("/api/entries", json={"text": "Hello.", "prompt_id": "no-such"},
                            headers=alex.headers)
    elif write == "recording":
        r = api.client.post("/api/recordings", headers=alex.headers,
                            data={"prompt_id": "no-such"},
                            files={"file": ("a.wav", wav_bytes(0.5), "audio/wav")})
    else:
        r = api.client.post("/api/mutual/no-such/answer", json={"text": "Hello."},
                            headers=alex.headers)
    assert r.status_code == 404, r.text
    assert "no prompt" in r.json()["detail"]


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-3", "1e9"])
def test_a_date_filter_takes_a_date_not_a_number(api: Api, value: str) -> None:
    alex = api.user("Alex")
    r = api.client.get("/api/entries", params={"until": value}, headers=alex.headers)
    assert r.status_code == 422
    ok = api.client.get("/api/entries", params={"until": "2030-01-01T00:00:00Z"},
                        headers=alex.headers)
    assert ok.status_code == 200


def _form_schemas(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            schema = content.get("multipart/form-data", {}).get("schema")
            if schema is None:
                continue
            if "$ref" in schema:
                schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            found.append((f"{method.upper()} {path}", schema))
    return found


def test_no_multipart_field_offers_null(api: Api) -> None:
    """A form cannot send null (it arrives as the text "null"): optional means left out."""
    forms = _form_schemas(api.client.get("/openapi.json").json())
    assert len(forms) == 4
    for name, schema in forms:
        for field, prop in schema["properties"].items():
            assert {"type": "null"} not in prop.get("anyOf", []), (name, field)


def test_a_spoken_answer_without_a_parent_is_accepted(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    entry = api.write(alex, "We talked.", "shared")
    r = api.client.post(f"/api/entries/{entry['id']}/responses", headers=sam.headers,
                        files={"file": ("r.wav", wav_bytes(0.5), "audio/wav")})
    assert r.status_code == 201, r.text
