"""Sealed at rest: with the whole data dir in hand, no private word and no private recording
can be read, by the partner with their own passphrase or by another couple.

Every kind of content is written through the real app (written entries, uploaded
recordings, written and spoken responses, goal check-in notes, mutual answers, rendered
speech, a reply left half-recorded in pending/), the server is stopped, and every byte under
the data dir (database, -wal, -shm, audio, derived, pending, logs) and the temp folder is
scanned for the marker words in UTF-8 and UTF-16 and for decodable audio.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import soundfile as sf
from sqlmodel import Session, select

from confide.models import keys, sealing
from confide.models.accounts import get_person_by_name, sign_in
from confide.models.errors import SealError
from confide.models.tables import Entry
from confide.voice.pending import PendingRecording
from tests.api.conftest import Api, User, tone, wav_bytes

pytestmark = pytest.mark.api

MARKERS = ["zanzibarquietude", "marmaladecourage", "tangerinepromise", "violetharbour",
           "saffronlantern", "cobaltwhisper", "juniperbridge"]


def _scan(folder: Path) -> list[str]:
    """What a person with the folder could read: marker words, or a file that plays."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for word in MARKERS:
            for form in (word.encode(), word.encode("utf-16-le"), word.upper().encode()):
                if form in data:
                    found.append(f"{word} in {path.name}")
        if data[:4] in (b"fLaC", b"RIFF", b"OggS") or b"fLaC" in data:
            found.append(f"audio in {path.name}")
        try:
            sf.info(io.BytesIO(data))
            found.append(f"decodable audio: {path.name}")
        except (sf.LibsndfileError, RuntimeError, TypeError):
            pass
    return found


def test_every_kind_of_content_is_unreadable_at_rest(app_factory: Callable[..., Api]) -> None:
    w = iter(MARKERS)
    api: Api = app_factory(script=f"spoken {next(w)} words")
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    c = api.client
    private = api.write(alex, f"my private {next(w)} thought")
    shared = api.write(alex, f"a shared {next(w)} thought", "shared")
    # An uploaded recording (private), transcribed by the worker into a marker word.
    upload = c.post("/api/recordings", headers=alex.headers,
                    files={"file": ("a.wav", wav_bytes(1.5), "audio/wav")}).json()
    assert api.wait_for_job(alex, upload["job_id"])["status"] == "done"
    assert c.get(f"/api/entries/{upload['entry_id']}", headers=alex.headers
                 ).json()["transcript"].startswith("spoken")
    # Responses: written and spoken, by the partner.
    r = c.post(f"/api/entries/{shared['id']}/responses", headers=sam.headers,
               json={"text": f"I hear the {next(w)}"})
    assert r.status_code == 201, r.text
    spoken = c.post(f"/api/entries/{shared['id']}/responses", headers=sam.headers,
                    files={"file": ("r.wav", wav_bytes(1.0), "audio/wav")})
    assert spoken.status_code in (201, 202), spoken.text
    # A goal check-in note.
    goal = c.post("/api/goals", headers=alex.headers, json={"title": "No phones at dinner"}).json()
    checkin = c.post(f"/api/goals/{goal['id']}/checkins", headers=alex.headers,
                     json={"rating": 4, "reflection": f"it felt {next(w)}"})
    assert checkin.status_code == 201, checkin.text
    # A mutual answer.
    from confide.prompts import load_library

    prompt = next(p.id for p in load_library().prompts.values() if p.audience == "mutual")
    mutual = c.post(f"/api/mutual/{prompt}/answer", headers=alex.headers,
                    json={"text": f"my answer is {next(w)}"})
    assert mutual.status_code == 201, mutual.text
    # Rendered speech of the private entry, cached in derived/.
    assert c.get(f"/api/entries/{private['id']}/speech", headers=alex.headers
                 ).status_code == 200
    # A reply half-recorded when the process died: sealed frame by frame in pending/.
    with Session(api.engine) as s:
        person = get_person_by_name(s, "Alex")
        public = keys.public_key(s, ("person", person.id or 0))
    half = PendingRecording.begin(api.data_dir / "pending", person_id=person.id or 0,
                                  public_key=public, journal="private")
    half.append(tone(1.0))
    half.sync()
    assert half._fh is not None
    half._fh.close()  # no final frame: as a kill -9 mid-reply leaves it
    tmp_before = set(Path(tempfile.gettempdir()).iterdir())
    api.client.__exit__(None, None, None)  # the server stops; the WAL is still there

    leaks = _scan(api.data_dir)
    leaks += _scan_new_temp(tmp_before)
    assert leaks == []
    assert (api.data_dir / "confide.db").exists()


def _scan_new_temp(before: set[Path]) -> list[str]:
    leaks = []
    for path in set(Path(tempfile.gettempdir()).iterdir()) - before:
        if path.is_file() and os.access(path, os.R_OK):
            data = path.read_bytes()
            leaks += [f"{w} in temp {path.name}" for w in MARKERS if w.encode() in data]
    return leaks


def test_the_partner_and_another_couple_cannot_open_what_is_not_theirs(
        couple: tuple[Api, User, User]) -> None:
    api, alex, _sam = couple
    private = api.write(alex, "only mine")
    shared = api.write(alex, "for us both", "shared")
    olive, pat = api.user("Olive"), api.user("Pat")
    api.pair(olive, pat)
    with Session(api.engine) as s:
        # The partner, at the same laptop, with the data dir and their own passphrase.
        sam_p, sam_keys = sign_in(s, "Sam", "correct horse battery")
        row = s.exec(select(Entry).where(Entry.id == private["id"])).one()
        assert row.transcript == "" and row.sealed is not None
        assert sam_keys.data_keys(s, "entry", [private["id"]], sam_p.couple_id) == {}
        with pytest.raises(SealError):
            sam_keys.data_key(s, "entry", private["id"], sam_p.couple_id)
        assert sam_keys.data_keys(s, "entry", [shared["id"]], sam_p.couple_id)
        # Another couple, even claiming this couple's id, holds no wrap of its key.
        olive_p, olive_keys = sign_in(s, "Olive", "correct horse battery")
        alex_p = get_person_by_name(s, "Alex")
        assert olive_keys.data_keys(s, "entry", [shared["id"]], olive_p.couple_id) == {}
        with pytest.raises(SealError):
            olive_keys.secret_for(s, ("couple", alex_p.couple_id or 0))
        opened = sealing.open_entries(s, olive_keys, [row], olive_p.couple_id)
        assert opened[0].transcript == ""


def test_unsharing_removes_the_couples_wrap_at_once(couple: tuple[Api, User, User]) -> None:
    api, alex, _sam = couple
    entry = api.write(alex, "shared for now", "shared")
    assert api.client.patch(f"/api/entries/{entry['id']}", headers=alex.headers,
                            json={"visibility": "private"}).status_code == 200
    with Session(api.engine) as s:
        sam_p, sam_keys = sign_in(s, "Sam", "correct horse battery")
        assert sam_keys.data_keys(s, "entry", [entry["id"]], sam_p.couple_id) == {}
        alex_p, alex_keys = sign_in(s, "Alex", "correct horse battery")
        assert alex_keys.data_keys(s, "entry", [entry["id"]], alex_p.couple_id)


def test_another_process_opens_a_sign_ins_keys_from_its_token_and_only_from_it(
        app_factory: Callable[..., Api]) -> None:
    api = app_factory()
    alex = api.user("Alex")
    api.write(alex, "before the restart")
    api.app.state.runtime.unlocked.clear()  # a restart, or a request reaching another process
    r = api.client.get("/api/entries", headers=alex.headers)
    assert r.status_code == 200
    assert r.json()["items"][0]["transcript"] == "before the restart"
    # The database holds only the token's hash: it opens nothing.
    import hashlib

    from confide.models import crypto
    from confide.models.tables import ApiToken

    with Session(api.engine) as s:
        row = s.exec(select(ApiToken).where(
            ApiToken.token_hash == hashlib.sha256(alex.token.encode()).hexdigest())).one()
        assert row.keys_box is not None
        with pytest.raises(SealError):
            crypto.open_box(hashlib.blake2b(row.token_hash.encode(), person=b"confide-token",
                                            digest_size=32).digest(), row.keys_box)
    assert api.client.post("/api/auth/logout", headers=alex.headers).status_code == 204
    api.app.state.runtime.unlocked.clear()
    with Session(api.engine) as s:
        assert all(t.keys_box is None for t in s.exec(select(ApiToken)))
    assert api.client.get("/api/entries", headers=alex.headers).status_code == 401
