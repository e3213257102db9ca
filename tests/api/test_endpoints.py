"""Each resource of the API does what the issue says, with the status codes it documents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlmodel import select

from api.deps import get_session
from models.tables import ApiToken, Entry
from tests.api.conftest import PASSPHRASE, Api, User, wav_bytes
from voice.speech import FakeSynthesizer
from voice.transcriber import FakeTranscriber

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


# --- entries --------------------------------------------------------------------------------


def test_written_entries_list_filter_and_paginate(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    ids = [api.write(alex, f"Entry number {i}", "shared" if i % 2 else "private")["id"]
           for i in range(5)]
    tagged = api.client.post("/api/entries", headers=sam.headers, json={
        "text": "Sam's note", "journal": "shared", "tags": ["Dinner"], "mood": "hopeful"}).json()
    assert tagged["tags"] == ["dinner"]
    seen, cursor = [], None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = api.client.get("/api/entries", params=params, headers=alex.headers).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [tagged["id"], *reversed(ids)]
    def ids_for(**params: str) -> list[int]:
        r = api.client.get("/api/entries", params=params, headers=alex.headers)
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]
    assert ids_for(journal="private") == [ids[4], ids[2], ids[0]]
    assert ids_for(author="partner") == [tagged["id"]]
    assert ids_for(tag="dinner") == [tagged["id"]]
    assert ids_for(since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []
    assert len(ids_for(until=(datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)
                       .isoformat())) == 6
    partner_view = api.client.get("/api/entries", headers=sam.headers).json()["items"]
    assert {e["id"] for e in partner_view} == {tagged["id"], ids[1], ids[3]}
    unread = {e["id"]: e["unread"] for e in partner_view}
    assert unread[ids[1]]
    assert not unread[tagged["id"]]
    assert api.client.post(f"/api/entries/{ids[1]}/read", headers=sam.headers).status_code == 204
    assert not api.client.get(f"/api/entries/{ids[1]}", headers=sam.headers).json()["unread"]
    # The list reads the same marks (its own query), and only the reader's own: the author
    # opening an entry does not mark it read for the partner.
    assert api.client.post(f"/api/entries/{ids[3]}/read", headers=alex.headers).status_code == 204
    unread = {e["id"]: e["unread"]
              for e in api.client.get("/api/entries", headers=sam.headers).json()["items"]}
    assert unread == {tagged["id"]: False, ids[1]: False, ids[3]: True}
    assert not any(e["unread"] for e in
                   api.client.get("/api/entries", headers=alex.headers).json()["items"]
                   if e["is_mine"])
    assert api.client.get("/api/entries", params={"cursor": "garbage!"},
                          headers=alex.headers).status_code == 422
    assert api.client.get("/api/entries", params={"limit": "0"},
                          headers=alex.headers).status_code == 422


def test_sharing_and_unsharing_takes_effect_at_once(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    entry = api.write(alex, "Something I was afraid to say.")
    path = f"/api/entries/{entry['id']}"
    assert api.client.get(path, headers=sam.headers).status_code == 404
    r = api.client.patch(path, json={"visibility": "shared"}, headers=alex.headers)
    assert r.json()["journal"] == "shared"
    assert api.client.get(path, headers=sam.headers).status_code == 200
    api.client.patch(path, json={"visibility": "private"}, headers=alex.headers)
    assert api.client.get(path, headers=sam.headers).status_code == 404


def test_edit_transcript_mood_and_tags(couple: tuple[Api, User, User]) -> None:
    api, alex, _ = couple
    entry = api.write(alex, "Frist draft")
    path = f"/api/entries/{entry['id']}"
    r = api.client.patch(path, headers=alex.headers,
                         json={"transcript": "First draft", "mood": "calm", "tags": ["a", "b"]})
    assert r.status_code == 200
    assert (r.json()["transcript"], r.json()["mood"], r.json()["tags"]) == (
        "First draft", "calm", ["a", "b"])
    r = api.client.patch(path, headers=alex.headers, json={"mood": None})
    assert r.json()["mood"] is None
    assert r.json()["transcript"] == "First draft"
    assert api.client.patch(path, headers=alex.headers, json={"mood": "ecstatic"}
                            ).status_code == 422
    assert api.client.patch(path, headers=alex.headers, json={"transcript": "  "}
                            ).status_code == 422


def test_written_entry_with_prompt(couple: tuple[Api, User, User]) -> None:
    api, alex, _ = couple
    prompt = api.client.get("/api/prompts", params={"audience": "private"},
                            headers=alex.headers).json()[0]
    r = api.client.post("/api/entries", headers=alex.headers,
                        json={"text": "My answer", "prompt_id": prompt["id"]})
    assert r.status_code == 201
    assert r.json()["prompt_text"] == prompt["text"]
    assert api.client.post("/api/entries", headers=alex.headers,
                           json={"text": "x", "prompt_id": "no-such-prompt"}).status_code == 404


# --- recordings, audio, speech --------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "OGG"])
def test_uploaded_recording_is_transcribed_by_the_worker(app_factory: AppFactory,
                                                         fmt: str) -> None:
    api = app_factory(script="we had a calm dinner")
    alex = api.user("Alex")
    r = api.client.post("/api/recordings", headers=alex.headers,
                        files={"file": (f"reply.{fmt.lower()}", wav_bytes(1.5, 44_100, fmt),
                                        "application/octet-stream")})
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["status"] == "recorded"
    job = api.wait_for_job(alex, accepted["job_id"])
    assert job["status"] == "done"
    entry = api.client.get(f"/api/entries/{accepted['entry_id']}", headers=alex.headers).json()
    assert entry["transcript"] == "we had a calm dinner"
    assert entry["status"] == "ready"
    assert entry["has_audio"]
    assert entry["audio_duration_s"] == pytest.approx(1.5, abs=0.05)
    assert entry["segments"][0]["text"] == "we had a calm dinner"


def test_audio_supports_range_etag_and_content_type(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    accepted = api.client.post("/api/recordings", headers=alex.headers,
                               data={"journal": "shared"},
                               files={"file": ("a.wav", wav_bytes(2.0), "audio/wav")}).json()
    path = f"/api/entries/{accepted['entry_id']}/audio"
    full = api.client.get(path, headers=sam.headers)
    assert full.status_code == 200
    assert full.headers["content-type"] == "audio/flac"
    assert full.headers["accept-ranges"] == "bytes"
    assert full.content[:4] == b"fLaC"
    etag = full.headers["etag"]
    size = len(full.content)
    part = api.client.get(path, headers=sam.headers | {"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-109/{size}"
    assert part.content == full.content[10:110]
    assert part.headers["etag"] == etag
    tail = api.client.get(path, headers=sam.headers | {"Range": "bytes=-16"})
    assert tail.status_code == 206
    assert tail.content == full.content[-16:]
    same = api.client.get(path, headers=sam.headers | {"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206
    stale = api.client.get(path, headers=sam.headers | {"Range": "bytes=0-9",
                                                        "If-Range": '"other"'})
    assert stale.status_code == 200
    beyond = api.client.get(path, headers=sam.headers | {"Range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416
    cached = api.client.get(path, headers=sam.headers | {"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert api.client.get(path, headers=sam.headers | {"If-None-Match": '"old"'}
                          ).status_code == 200
    assert api.client.get(f"/api/entries/{api.write(alex, 'typed')['id']}/audio",
                          headers=alex.headers).status_code == 404


def test_speech_is_rendered_once_cached_and_removed_with_the_entry(
        app_factory: AppFactory) -> None:
    synth = FakeSynthesizer()
    api = app_factory(synthesizer=synth)
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    entry = api.write(alex, "I want us to walk together on Sundays.", "shared")
    path = f"/api/entries/{entry['id']}/speech"
    first = api.client.get(path, headers=sam.headers)
    assert first.status_code == 200
    assert first.headers["content-type"] == "audio/wav"
    assert first.content[:4] == b"RIFF"
    assert api.client.get(path, headers=sam.headers).content == first.content
    assert synth.spoken == ["I want us to walk together on Sundays."]
    derived = api.data_dir / "audio" / "derived"
    assert [p.name.startswith(f"speech-entry-{entry['id']}-") for p in derived.iterdir()] == [True]
    part = api.client.get(path, headers=sam.headers | {"Range": "bytes=0-43"})
    assert part.status_code == 206
    # A corrected transcript is a new render; the stale one goes.
    api.client.patch(f"/api/entries/{entry['id']}", headers=alex.headers,
                     json={"transcript": "I want us to walk on Sundays."})
    api.client.get(path, headers=sam.headers, params={"rate": "120"})
    assert synth.spoken[-1] == "I want us to walk on Sundays."
    assert len(list(derived.iterdir())) == 1
    assert api.client.get(path, headers=sam.headers, params={"rate": "5"}).status_code == 422
    assert api.client.delete(f"/api/entries/{entry['id']}", headers=alex.headers
                             ).status_code == 204
    assert list(derived.iterdir()) == []
    assert api.client.get(path, headers=sam.headers).status_code == 404


def test_speech_of_an_entry_without_words_is_409(app_factory: AppFactory) -> None:
    api = app_factory(start_worker=False)
    alex = api.user("Alex")
    accepted = api.client.post("/api/recordings", headers=alex.headers,
                               files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")}).json()
    r = api.client.get(f"/api/entries/{accepted['entry_id']}/speech", headers=alex.headers)
    assert r.status_code == 409
    job = api.client.get(f"/api/jobs/{accepted['job_id']}", headers=alex.headers).json()
    assert job["status"] == "queued"


def test_speech_engine_failure_is_503_not_a_trace(app_factory: AppFactory) -> None:
    class Broken(FakeSynthesizer):
        def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                       volume: float = 1.0) -> tuple[np.ndarray, int]:
            raise RuntimeError("espeak exploded at /usr/lib/secret/path")

    api = app_factory(synthesizer=Broken())
    alex = api.user("Alex")
    entry = api.write(alex, "words")
    r = api.client.get(f"/api/entries/{entry['id']}/speech", headers=alex.headers)
    assert r.status_code == 503
    assert "secret" not in r.text
    assert "Traceback" not in r.text


def test_deleting_an_entry_removes_its_recording(couple: tuple[Api, User, User]) -> None:
    api, alex, sam = couple
    accepted = api.client.post("/api/recordings", headers=alex.headers,
                               data={"journal": "shared"},
                               files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")}).json()
    api.wait_for_job(alex, accepted["job_id"])
    reply = api.client.post(f"/api/entries/{accepted['entry_id']}/responses",
                            headers=sam.headers,
                            files={"file": ("r.wav", wav_bytes(1.0), "audio/wav")}).json()
    api.wait_for_job(sam, reply["job_id"])
    assert len(api.stored_files()) == 2
    assert api.client.delete(f"/api/entries/{accepted['entry_id']}",
                             headers=alex.headers).status_code == 204
    assert api.stored_files() == []
    assert api.client.get(f"/api/jobs/{accepted['job_id']}",
                          headers=alex.headers).status_code == 404


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
