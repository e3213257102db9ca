"""Entries, uploaded recordings, audio streaming and rendered speech, end to end over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from confide.voice.speech import FakeSynthesizer
from tests.api.conftest import Api, User, wav_bytes

pytestmark = pytest.mark.api
AppFactory = Callable[..., Api]


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
