"""The privacy matrix: every endpoint that can reveal an entry, a response or a mutual
answer, called by everyone who might ask, over the real app and a real SQLite file.

Alex (the author) has a private entry, a shared entry with Sam's response under it, an
unanswered-by-Sam mutual answer, and an entry that was shared, answered by Sam, then taken
back. Each carries a word nobody else uses, so "reveals any part" is checked by looking for
that word anywhere in what comes back (JSON, audio listing, zip). Sam is the partner, Olive
a person of another couple; the anonymous client, an expired token and a revoked token get
401 everywhere. Absent things are 404 (never 403), so ids do not leak.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from confide.models import responses
from confide.models.accounts import get_person_by_name
from confide.models.db import session_scope
from confide.models.entries import attach_transcript, create_entry_from_audio, set_visibility
from confide.models.mutual import answer_mutual
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.tables import TranscriptionJob
from confide.models.transcript import Segment, Transcript
from confide.prompts import load_library
from tests.api.conftest import PASSPHRASE, Api, isolated_env, make_app, tone

if TYPE_CHECKING:
    import httpx2  # what Starlette's TestClient speaks

pytestmark = pytest.mark.api

VIEWERS = ("author", "partner", "outsider", "anonymous", "expired", "revoked")
SIGNED_OUT = ("anonymous", "expired", "revoked")

PRIVATE_WORD = "marmalade"
SHARED_WORD = "lighthouse"
MUTUAL_WORD = "tangerine"
RESPONSE_WORD = "walrus"
UNSHARED_WORD = "cinnamon"
UNSHARED_RESPONSE_WORD = "origami"
SECRET_WORDS = (PRIVATE_WORD, SHARED_WORD, MUTUAL_WORD, RESPONSE_WORD, UNSHARED_WORD,
                UNSHARED_RESPONSE_WORD)

# Which secret words each viewer may come across anywhere.
MAY_SEE = {
    "author": set(SECRET_WORDS),
    "partner": {SHARED_WORD, RESPONSE_WORD},
    "outsider": set(),
}


@dataclass
class World:
    client: TestClient
    api: Api
    headers: dict[str, dict[str, str]]
    private_id: int
    shared_id: int
    mutual_id: int
    unshared_id: int
    response_id: int
    unshared_response_id: int
    mutual_prompt: str
    private_job: int

    def get(self, viewer: str, path: str, params: dict[str, str] | None = None) -> httpx2.Response:
        return self.client.get(path, headers=self.headers[viewer], params=params)


def _audio_entry(session: Session, store: AudioStore, name: str, words: str,
                 journal: str) -> int:
    person = get_person_by_name(session, name)
    entry = create_entry_from_audio(session, store, person, tone(1.0), 16_000, journal=journal)
    assert entry.id is not None
    attach_transcript(session, entry.id, Transcript(
        text=f"Today I thought about the {words} again.", language="en", duration=1.0,
        segments=(Segment(0.0, 1.0, f"Today I thought about the {words} again.", 0.9),)))
    return entry.id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("home")
    with isolated_env(home):
        app = make_app(home / "data", start_worker=False)
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client, app)
            alex, sam = api.user("Alex"), api.user("Sam")
            olive, pat = api.user("Olive"), api.user("Pat")
            api.pair(alex, sam)
            api.pair(olive, pat)
            store = app.state.runtime.store
            mutual_prompt = next(p.id for p in load_library().prompts.values()
                                 if p.audience == "mutual")
            with session_scope(api.engine) as s:
                for keys in app.state.runtime.unlocked.people().values():
                    use_keys(s, keys)  # as their sign-ins unlocked them
                private_id = _audio_entry(s, store, "Alex", PRIVATE_WORD, "private")
                shared_id = _audio_entry(s, store, "Alex", SHARED_WORD, "shared")
                unshared_id = _audio_entry(s, store, "Alex", UNSHARED_WORD, "shared")
                alex_p, sam_p = get_person_by_name(s, "Alex"), get_person_by_name(s, "Sam")
                mutual = answer_mutual(s, alex_p, mutual_prompt,
                                       text=f"My answer mentions the {MUTUAL_WORD}.")
                reply = responses.add_response(s, sam_p, shared_id,
                                               text=f"I hear you about the {RESPONSE_WORD}.")
                later = responses.add_response(s, sam_p, unshared_id,
                                               text=f"Thank you, {UNSHARED_RESPONSE_WORD}.")
                set_visibility(s, alex_p, unshared_id, "private")
                assert mutual.id is not None
                assert reply.id is not None
                assert later.id is not None
                ids = (mutual.id, reply.id, later.id)
            r = client.get(f"/api/entries/{private_id}", headers=alex.headers)
            assert r.status_code == 200
            revoked = api.login("Alex")
            assert client.post("/api/auth/logout",
                               headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
            with api.session() as s:
                job = s.exec(select(TranscriptionJob.id)
                             .where(TranscriptionJob.entry_id == private_id)).one()
            assert job is not None
            yield World(
                client=client, api=api,
                headers={
                    "author": alex.headers, "partner": sam.headers, "outsider": olive.headers,
                    "anonymous": {},
                    "expired": {"Authorization":
                                f"Bearer {api.token_for('Alex', timedelta(seconds=-1))}"},
                    "revoked": {"Authorization": f"Bearer {revoked}"},
                },
                private_id=private_id, shared_id=shared_id, mutual_id=ids[0],
                unshared_id=unshared_id, response_id=ids[1], unshared_response_id=ids[2],
                mutual_prompt=mutual_prompt, private_job=job,
            )
            del pat


def _leaks(viewer: str, text: str) -> set[str]:
    lowered = text.lower()
    return {w for w in SECRET_WORDS if w in lowered} - MAY_SEE[viewer]


def _visible_entries(w: World, viewer: str) -> set[int]:
    return {w.private_id, w.shared_id, w.mutual_id, w.unshared_id} if viewer == "author" \
        else {w.shared_id} if viewer == "partner" else set()


@pytest.mark.parametrize("viewer", SIGNED_OUT)
@pytest.mark.parametrize("path", [
    "/api/entries", "/api/entries/{private_id}", "/api/entries/{shared_id}",
    "/api/entries/{shared_id}/audio", "/api/entries/{private_id}/speech",
    "/api/entries/{shared_id}/responses", "/api/responses/{response_id}/audio",
    "/api/search?q=lighthouse", "/api/export", "/api/progress", "/api/mutual/{mutual_prompt}",
    "/api/jobs/{private_job}", "/api/me", "/api/goals", "/api/reminders", "/api/prompts",
])
def test_signed_out_callers_get_401_everywhere(world: World, viewer: str, path: str) -> None:
    r = world.get(viewer, path.format(**world.__dict__))
    assert r.status_code == 401
    assert set(r.json()) == {"detail"}
    assert "Sign in" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert not _leaks("outsider", r.text)


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
def test_list_shows_exactly_the_visible_entries(world: World, viewer: str) -> None:
    seen: set[int] = set()
    text = ""
    for query in ("", "?journal=shared", "?journal=private", "?author=partner", "?author=me",
                  f"?prompt_id={world.mutual_prompt}", "?limit=1"):
        r = world.get(viewer, f"/api/entries{query}")
        assert r.status_code == 200
        seen |= {e["id"] for e in r.json()["items"]}
        text += r.text
    assert seen == _visible_entries(world, viewer)
    assert not _leaks(viewer, text)


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
@pytest.mark.parametrize("which", ["private_id", "shared_id", "mutual_id", "unshared_id"])
@pytest.mark.parametrize("suffix", ["", "/audio", "/speech", "/responses"])
def test_entry_endpoints_answer_200_or_404(world: World, viewer: str, which: str,
                                           suffix: str) -> None:
    entry_id = getattr(world, which)
    r = world.get(viewer, f"/api/entries/{entry_id}{suffix}")
    visible = entry_id in _visible_entries(world, viewer)
    if suffix == "/audio" and which == "mutual_id":
        visible = False  # a written answer has no recording
    assert r.status_code == (200 if visible else 404), r.text
    if r.status_code == 404:
        assert set(r.json()) == {"detail"}
    if suffix != "/audio" and suffix != "/speech":
        assert not _leaks(viewer, r.text)


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
def test_responses_and_their_audio_follow_the_entry(world: World, viewer: str) -> None:
    r = world.get(viewer, f"/api/entries/{world.shared_id}/responses")
    if viewer == "outsider":
        assert r.status_code == 404
    else:
        assert [x["id"] for x in r.json()] == [world.response_id]
    r = world.get(viewer, f"/api/entries/{world.unshared_id}/responses")
    assert r.status_code == (200 if viewer == "author" else 404)
    # Text responses have no recording: 404 for everyone, so nothing tells them apart.
    for rid in (world.response_id, world.unshared_response_id):
        assert world.get(viewer, f"/api/responses/{rid}/audio").status_code == 404


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
@pytest.mark.parametrize("word", SECRET_WORDS)
def test_search_finds_only_what_the_viewer_may_see(world: World, viewer: str,
                                                   word: str) -> None:
    r = world.get(viewer, "/api/search", params={"q": word})
    assert r.status_code == 200
    hits = r.json()["items"]
    assert bool(hits) == (word in MAY_SEE[viewer])
    assert not _leaks(viewer, json.dumps(hits))  # the query itself is echoed back


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
def test_export_holds_only_what_the_viewer_may_see(world: World, viewer: str) -> None:
    r = world.get(viewer, "/api/export")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        doc = zf.read("journal.json").decode()
        text = doc + zf.read("journal.md").decode()
    exported = {e["id"] for e in json.loads(doc)["entries"]}
    assert exported == _visible_entries(world, viewer)
    assert not _leaks(viewer, text)
    audio = {n for n in names if n.startswith("audio/")}
    expected = {f"audio/entry-{i}.flac" for i in _visible_entries(world, viewer)
                if i != world.mutual_id}
    assert audio == expected


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
def test_progress_counts_only_the_viewers_own_entries(world: World, viewer: str) -> None:
    r = world.get(viewer, "/api/progress")
    assert r.status_code == 200
    body = r.json()
    assert body["total_entries"] == (4 if viewer == "author" else 0)
    assert body["private_count"] == (1 + 1 if viewer == "author" else 0)
    assert not _leaks("outsider", r.text)


@pytest.mark.parametrize("viewer", ["author", "partner", "outsider"])
def test_mutual_answer_stays_hidden_until_both_answered(world: World, viewer: str) -> None:
    r = world.get(viewer, f"/api/mutual/{world.mutual_prompt}")
    assert r.status_code == 200
    body = r.json()
    assert body["revealed"] is False
    assert body["partner"] is None
    assert (body["mine"] is not None) == (viewer == "author")
    assert body["partner_answered"] == (viewer == "partner")
    assert not _leaks(viewer, r.text)


@pytest.mark.parametrize("viewer", ["partner", "outsider"])
def test_changing_someone_elses_entry_is_404_unless_visible(world: World, viewer: str) -> None:
    h = world.headers[viewer]
    c = world.client
    for entry_id in (world.private_id, world.mutual_id, world.unshared_id):
        assert c.patch(f"/api/entries/{entry_id}", json={"mood": "calm"},
                       headers=h).status_code == 404
        assert c.delete(f"/api/entries/{entry_id}", headers=h).status_code == 404
        assert c.post(f"/api/entries/{entry_id}/responses", json={"text": "hello"},
                      headers=h).status_code == 404
        assert c.post(f"/api/entries/{entry_id}/read", headers=h).status_code == 404
    shared = world.shared_id
    expected = 403 if viewer == "partner" else 404
    assert c.patch(f"/api/entries/{shared}", json={"visibility": "private"},
                   headers=h).status_code == expected
    assert c.delete(f"/api/entries/{shared}", headers=h).status_code == expected
    assert c.get(f"/api/jobs/{world.private_job}", headers=h).status_code == 404


def test_the_author_sees_their_job_and_files_exist(world: World) -> None:
    r = world.get("author", f"/api/jobs/{world.private_job}")
    assert r.status_code == 200
    assert r.json()["status"] == "done"
    assert Path(world.api.data_dir / "audio").exists()


def test_passphrase_never_appears_in_responses(world: World) -> None:
    r = world.client.post("/api/auth/token", json={"name": "Alex", "passphrase": 12345678})
    assert r.status_code == 422
    r2 = world.client.post("/api/auth/register", json={"name": "", "passphrase": PASSPHRASE})
    assert PASSPHRASE not in r2.text
