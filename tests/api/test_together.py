"""What a couple does together over the API: responses, mutual prompts, goals, reminders,
progress, search, export and prompts."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from tests.api.conftest import Api, User, wav_bytes

pytestmark = pytest.mark.api
AppFactory = Callable[..., Api]


# --- responses, mutual ----------------------------------------------------------------------


def test_responses_by_text_and_voice_threaded(app_factory: AppFactory) -> None:
    api = app_factory(script="what I heard you say")
    alex, sam, olive = api.user("Alex"), api.user("Sam"), api.user("Olive")
    api.pair(alex, sam)
    entry = api.write(alex, "It hurt when you left early.", "shared")
    path = f"/api/entries/{entry['id']}/responses"
    first = api.client.post(path, json={"text": "I hear that it hurt."}, headers=sam.headers)
    assert first.status_code == 201
    assert first.json()["job_id"] is None
    threaded = api.client.post(path, headers=alex.headers,
                               json={"text": "Thank you.", "parent_id": first.json()["id"]})
    assert threaded.json()["parent_id"] == first.json()["id"]
    spoken = api.client.post(path, headers=sam.headers, data={"parent_id": str(first.json()["id"])},
                             files={"file": ("r.ogg", wav_bytes(1.0, fmt="OGG"), "audio/ogg")})
    assert spoken.status_code == 201, spoken.text
    assert spoken.json()["status"] == "recorded"
    assert api.wait_for_job(sam, spoken.json()["job_id"])["status"] == "done"
    thread = api.client.get(path, headers=alex.headers).json()
    assert [r["text"] for r in thread] == ["I hear that it hurt.", "Thank you.",
                                           "what I heard you say"]
    assert [r["is_mine"] for r in thread] == [False, True, False]
    audio = api.client.get(thread[2]["audio_url"], headers=alex.headers)
    assert audio.status_code == 200
    assert audio.content[:4] == b"fLaC"
    assert api.client.get(path, headers=olive.headers).status_code == 404
    assert api.client.get(thread[2]["audio_url"], headers=olive.headers).status_code == 404
    assert api.client.post(path, json={"text": "x", "parent_id": 999},
                           headers=sam.headers).status_code == 404


def test_mutual_prompt_reveals_only_when_both_answered(app_factory: AppFactory) -> None:
    api = app_factory(script="i feel trusted when you call")
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    prompt = "trust-feel-trusted"
    r = api.client.post(f"/api/mutual/{prompt}/answer", json={"text": "When you listen."},
                        headers=alex.headers)
    assert r.status_code == 201, r.text
    assert r.json()["status"]["revealed"] is False
    assert api.client.post(f"/api/mutual/{prompt}/answer", json={"text": "Again"},
                           headers=alex.headers).status_code == 409
    sam_view = api.client.get(f"/api/mutual/{prompt}", headers=sam.headers).json()
    assert sam_view["partner_answered"]
    assert sam_view["partner"] is None
    r = api.client.post(f"/api/mutual/{prompt}/answer", headers=sam.headers,
                        files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")})
    assert r.status_code == 201, r.text
    assert api.wait_for_job(sam, r.json()["job_id"])["status"] == "done"
    both = api.client.get(f"/api/mutual/{prompt}", headers=alex.headers).json()
    assert both["revealed"]
    assert both["partner"]["transcript"] == "i feel trusted when you call"
    assert api.client.get(f"/api/mutual/{prompt}", headers=sam.headers).json()["partner"][
        "transcript"] == "When you listen."
    assert api.client.post("/api/mutual/no-such-prompt/answer", json={"text": "x"},
                           headers=alex.headers).status_code == 404


# --- goals, reminders, progress, search, export, prompts ------------------------------------


def test_goals_and_checkins(couple: tuple[Api, User, User], app_factory: AppFactory) -> None:
    api, alex, sam = couple
    r = api.client.post("/api/goals", json={"title": "No phones at dinner", "why": "To talk"},
                        headers=alex.headers)
    assert r.status_code == 201
    goal = r.json()
    assert [g["id"] for g in api.client.get("/api/goals", headers=sam.headers).json()] == [
        goal["id"]]
    r = api.client.patch(f"/api/goals/{goal['id']}", json={"status": "paused"},
                         headers=sam.headers)
    assert r.json()["status"] == "paused"
    path = f"/api/goals/{goal['id']}/checkins"
    assert api.client.post(path, json={"rating": 4, "reflection": "Better"},
                           headers=sam.headers).status_code == 201
    r = api.client.post(path, data={"rating": "5"}, headers=alex.headers,
                        files={"file": ("c.wav", wav_bytes(1.0), "audio/wav")})
    assert r.status_code == 201, r.text
    assert r.json()["has_audio"]
    assert api.client.post(path, json={"rating": 6}, headers=sam.headers).status_code == 422
    assert [c["rating"] for c in api.client.get(path, headers=alex.headers).json()] == [4, 5]
    other = api.user("Olive")
    assert api.client.get(path, headers=other.headers).status_code == 404
    assert api.client.patch(f"/api/goals/{goal['id']}", json={"title": "Mine now"},
                            headers=other.headers).status_code == 404
    assert api.client.post("/api/goals", json={"title": "Alone"},
                           headers=other.headers).status_code == 409
    progress = api.client.get("/api/progress", headers=alex.headers).json()
    assert progress["goals"][0]["latest"] == 5


def test_reminders_crud_and_calendar(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    r = api.client.post("/api/reminders", headers=alex.headers,
                        json={"days": [0, 2, 4], "local_time": "20:30",
                              "timezone": "Europe/Berlin"})
    assert r.status_code == 201, r.text
    rem = r.json()
    assert api.client.get("/api/reminders", headers=sam.headers).json() == []
    assert api.client.patch(f"/api/reminders/{rem['id']}", json={"enabled": False},
                            headers=sam.headers).status_code == 404
    r = api.client.patch(f"/api/reminders/{rem['id']}", json={"local_time": "21:00"},
                         headers=alex.headers)
    assert r.json()["local_time"] == "21:00"
    ics = api.client.get("/api/reminders/calendar.ics", headers=alex.headers)
    assert ics.headers["content-type"].startswith("text/calendar")
    assert b"RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR" in ics.content
    assert api.client.post("/api/reminders", json={"days": [9], "local_time": "20:00"},
                           headers=alex.headers).status_code == 422
    assert api.client.delete(f"/api/reminders/{rem['id']}", headers=sam.headers
                             ).status_code == 404
    assert api.client.delete(f"/api/reminders/{rem['id']}", headers=alex.headers
                             ).status_code == 204
    assert api.client.get("/api/reminders", headers=alex.headers).json() == []


def test_progress_search_snippet_and_export(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    long = ("We talked for a long time about the week. " * 6
            + "The moment that mattered was the apology at the lake. " + "Then we ate. " * 10)
    entry = api.write(alex, long, "shared")
    progress = api.client.get("/api/progress", headers=alex.headers).json()
    assert progress["total_entries"] == 1
    assert progress["journaled_today"]
    assert progress["summary"]
    found = api.client.get("/api/search", params={"q": "apology lake"}, headers=sam.headers)
    assert found.status_code == 200
    hit = found.json()["items"][0]
    assert hit["entry"]["id"] == entry["id"]
    assert "apology at the lake" in hit["snippet"]
    assert len(hit["snippet"]) < len(long)
    assert api.client.get("/api/search", params={"q": "!!!"}, headers=sam.headers
                          ).status_code == 422
    assert api.client.get("/api/search", headers=sam.headers).status_code == 422
    r = api.client.get("/api/export", headers=alex.headers)
    assert "attachment" in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert {"journal.json", "journal.md"} <= set(zf.namelist())


def test_prompts_list_and_next(couple: tuple[Api, User, User]) -> None:
    api, alex, _ = couple
    every = api.client.get("/api/prompts", headers=alex.headers).json()
    assert len(every) > 10
    themed = api.client.get("/api/prompts", params={"theme": "active-listening"},
                            headers=alex.headers).json()
    assert themed
    assert {p["theme"] for p in themed} == {"active-listening"}
    assert api.client.get("/api/prompts", params={"theme": "nope"},
                          headers=alex.headers).status_code == 404
    for context in ("private", "shared", "mutual"):
        r = api.client.get("/api/prompts/next", params={"context": context},
                           headers=alex.headers)
        assert r.status_code == 200, r.text
        assert r.json()["prompt"]["id"] in {p["id"] for p in every}


def test_next_shared_prompt_needs_a_partner(api: Api) -> None:
    alex = api.user("Alex")
    assert api.client.get("/api/prompts/next", params={"context": "shared"},
                          headers=alex.headers).status_code == 409
