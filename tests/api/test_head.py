"""HEAD on every GET route answers what GET would, headers only: media players and caches
probe recordings with HEAD before they fetch them."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tests.api.conftest import Api, wav_bytes
from tests.api.server import serve_in_thread

pytestmark = pytest.mark.api

# Headers that describe the representation; HEAD must send them exactly as GET does.
SAME_HEADERS = ("content-type", "content-length", "etag", "accept-ranges", "cache-control",
                "content-disposition")


def get_paths(app: FastAPI) -> list[str]:
    """Every GET route of the app (API, web pages, docs), as declared."""
    paths = {str(route.path) for route in iter_route_contexts(app.routes)
             if route.methods and "GET" in route.methods}
    assert len(paths) > 30
    return sorted(paths)


@pytest.fixture
def world(app_factory: Callable[..., Api]) -> tuple[Api, dict[str, str]]:
    """A couple with a spoken shared entry, a spoken answer, a goal and a reminder, signed
    in by cookie (so the web pages answer too); the ids to put in the paths."""
    api = app_factory(script="we walked by the river")
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    client = api.client
    accepted = client.post("/api/recordings", headers=alex.headers, data={"journal": "shared"},
                           files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")}).json()
    entry_id = accepted["entry_id"]  # its recording is kept before it is transcribed
    answer = client.post(f"/api/entries/{entry_id}/responses", headers=sam.headers,
                         files={"file": ("b.wav", wav_bytes(1.0), "audio/wav")}).json()
    typed = api.write(alex, "We talked about the weekend.", "shared")
    goal = client.post("/api/goals", json={"title": "No phones at dinner"},
                       headers=alex.headers).json()
    reminder = client.post("/api/reminders", json={"days": [1], "local_time": "20:00"},
                           headers=alex.headers).json()
    prompt_id = client.get("/api/prompts", headers=alex.headers).json()[0]["id"]
    signed_in = client.post("/api/auth/token", json={"name": "Alex", "passphrase":
                            "correct horse battery", "set_cookie": True})
    assert signed_in.status_code == 200
    ids = {"entry_id": str(entry_id), "response_id": str(answer["id"]),
           "job_id": str(accepted["job_id"]), "goal_id": str(goal["id"]),
           "reminder_id": str(reminder["id"]), "prompt_id": prompt_id, "name": "confide.css",
           "typed_entry_id": str(typed["id"])}
    return api, ids


LIVE = {"/metrics"}
"""Routes whose body changes from one request to the next (the metrics count requests)."""


def _fill(path: str, ids: dict[str, str]) -> str:
    if path.endswith("/speech"):  # read aloud: an entry with words, whatever the worker does
        path = path.replace("{entry_id}", "{typed_entry_id}")
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def test_head_answers_every_get_route_with_its_headers_and_no_body(
        world: tuple[Api, dict[str, str]]) -> None:
    api, ids = world
    answered = []
    for path in get_paths(api.app):
        url = _fill(path, ids)
        got = api.client.get(url, params={"q": "river"} if "search" in path else None)
        head = api.client.head(url, params={"q": "river"} if "search" in path else None)
        assert got.status_code < 500, (url, got.status_code, got.text[:200])
        assert head.status_code == got.status_code, (url, head.status_code)
        assert head.content == b"", url
        if path in LIVE:  # counts the very requests that read it: only the type must match
            assert head.headers["content-type"] == got.headers["content-type"], url
            answered.append(url)
            continue
        for name in SAME_HEADERS:
            assert head.headers.get(name) == got.headers.get(name), (url, name)
        if "content-length" in got.headers:
            assert int(head.headers["content-length"]) == len(got.content), url
        if got.status_code == 200:
            answered.append(url)
    # The routes really answered (not only refused), the recordings above all.
    assert len(answered) >= 0.8 * len(get_paths(api.app)), answered
    assert f"/api/entries/{ids['entry_id']}/audio" in answered
    assert f"/api/responses/{ids['response_id']}/audio" in answered


def test_head_on_a_recording_over_http_gives_its_size_and_type(
        world: tuple[Api, dict[str, str]]) -> None:
    api, ids = world
    path = f"/api/entries/{ids['entry_id']}/audio"
    size = len(api.client.get(path).content)
    token = api.login("Alex")
    with serve_in_thread(api.app) as base:
        request = urllib.request.Request(base + path, method="HEAD",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "audio/flac"
            assert int(response.headers["Content-Length"]) == size
            assert response.read() == b""


def test_head_where_there_is_no_get_is_still_refused(world: tuple[Api, dict[str, str]]) -> None:
    api, _ids = world
    r = api.client.head("/api/recordings")
    assert r.status_code == 405
