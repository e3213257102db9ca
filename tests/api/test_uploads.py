"""Bad uploads and bad bodies: a clear 4xx, nothing stored, no file left behind.

Uploads are judged by decoding, so a text file called ``reply.wav`` sent as audio/wav is
refused and a real recording called ``notes.txt`` is accepted.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import func, select

from confide.models.tables import Entry, GoalCheckIn, Response, TranscriptionJob
from tests.api.conftest import Api, User, wav_bytes

pytestmark = pytest.mark.api


def _png() -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00" * 17)


def _truncated_wav() -> bytes:
    return wav_bytes(1.0)[:4000]


def _corrupt_flac() -> bytes:
    data = bytearray(wav_bytes(1.0, fmt="FLAC"))
    data[200:] = bytes(len(data) - 200)
    return bytes(data)


BAD_UPLOADS = {
    "empty": b"",
    "text": b"I am not audio, just words in a file.\n" * 20,
    "png": _png(),
    "truncated-wav": _truncated_wav(),
    "corrupt-flac": _corrupt_flac(),
    "too-short": wav_bytes(0.02),
    "random-bytes": bytes(range(256)) * 40,
}


@pytest.fixture
def spooled_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the multipart parser spools big uploads, so tests can see it is left empty."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _nothing_stored(api: Api, spool: Path | None = None) -> None:
    with api.session() as s:
        for table in (Entry, Response, TranscriptionJob, GoalCheckIn):
            assert s.exec(select(func.count()).select_from(table)).one() == 0, table
    assert api.stored_files() == []
    if spool is not None:
        assert list(spool.iterdir()) == []


@pytest.mark.parametrize("kind", sorted(BAD_UPLOADS))
def test_bad_recording_is_refused_with_a_message_and_nothing_stored(
        api: Api, kind: str, spooled_tmp: Path) -> None:
    alex = api.user("Alex")
    r = api.client.post("/api/recordings", headers=alex.headers,
                        files={"file": ("reply.wav", BAD_UPLOADS[kind], "audio/wav")})
    assert r.status_code == 422, r.text
    assert set(r.json()) == {"detail"}
    assert len(r.json()["detail"]) > 10
    _nothing_stored(api, spooled_tmp)


@pytest.mark.parametrize("kind", ["text", "corrupt-flac", "empty"])
def test_bad_voice_response_and_mutual_answer_store_nothing(couple: tuple[Api, User, User],
                                                            kind: str) -> None:
    api, alex, sam = couple
    entry = api.write(alex, "Shared words.", "shared")
    r = api.client.post(f"/api/entries/{entry['id']}/responses", headers=sam.headers,
                        files={"file": ("a.ogg", BAD_UPLOADS[kind], "audio/ogg")})
    assert r.status_code == 422, r.text
    r = api.client.post("/api/mutual/trust-feel-trusted/answer", headers=sam.headers,
                        files={"file": ("a.flac", BAD_UPLOADS[kind], "audio/flac")})
    assert r.status_code == 422, r.text
    goal = api.client.post("/api/goals", json={"title": "No phones at dinner"},
                           headers=alex.headers).json()
    r = api.client.post(f"/api/goals/{goal['id']}/checkins", headers=sam.headers,
                        data={"rating": "4"},
                        files={"file": ("a.wav", BAD_UPLOADS[kind], "audio/wav")})
    assert r.status_code == 422, r.text
    with api.session() as s:
        assert s.exec(select(func.count()).select_from(Response)).one() == 0
        assert s.exec(select(func.count()).select_from(GoalCheckIn)).one() == 0
        assert s.exec(select(func.count()).select_from(Entry)).one() == 1
    assert api.stored_files() == []


def test_real_audio_with_a_misleading_name_and_type_is_accepted(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.post("/api/recordings", headers=alex.headers,
                        files={"file": ("notes.txt", wav_bytes(1.0, fmt="FLAC"), "text/plain")})
    assert r.status_code == 202, r.text
    assert len(api.stored_files()) == 1


def test_upload_over_the_size_cap_is_413_and_leaves_nothing(
        app_factory: object, spooled_tmp: Path) -> None:
    api: Api = app_factory(upload_max_bytes=64 * 1024)  # type: ignore[operator]
    alex = api.user("Alex")
    big = wav_bytes(4.0)  # 128 kB of 16-bit PCM, twice the cap
    r = api.client.post("/api/recordings", headers=alex.headers,
                        files={"file": ("big.wav", big, "audio/wav")})
    assert r.status_code == 413, r.text
    assert "limit" in r.json()["detail"]
    _nothing_stored(api, spooled_tmp)


def test_body_sent_in_chunks_past_the_cap_is_cut_off(app_factory: object,
                                                     spooled_tmp: Path) -> None:
    """No Content-Length to refuse up front: the middleware counts bytes as they arrive."""
    api: Api = app_factory(upload_max_bytes=64 * 1024)  # type: ignore[operator]
    alex = api.user("Alex")
    boundary = "confideboundary"

    def chunks() -> Iterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
        for _ in range(400):  # 400 × 4 KiB = 1.6 MiB, over cap + multipart overhead
            yield b"\0" * 4096
        yield f"\r\n--{boundary}--\r\n".encode()

    r = api.client.post("/api/recordings", content=chunks(), headers={
        **alex.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413, r.text
    _nothing_stored(api, spooled_tmp)


def test_a_huge_json_body_is_413(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.post("/api/entries", headers=alex.headers | {"content-type": "application/json"},
                        content=b'{"text": "' + b"a" * (2 * 1024 * 1024) + b'"}')
    assert r.status_code == 413


def test_shared_upload_without_a_partner_is_409_and_the_file_is_removed(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.post("/api/recordings", headers=alex.headers, data={"journal": "shared"},
                        files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")})
    assert r.status_code == 409, r.text
    _nothing_stored(api)


def test_missing_file_or_wrong_media_type_is_4xx(api: Api) -> None:
    alex = api.user("Alex")
    r = api.client.post("/api/recordings", headers=alex.headers, data={"journal": "private"})
    assert r.status_code == 422
    r = api.client.post("/api/recordings", headers=alex.headers, json={"journal": "private"})
    assert r.status_code == 422
    r = api.client.post("/api/recordings", headers=alex.headers, data={"journal": "diary"},
                        files={"file": ("a.wav", wav_bytes(1.0), "audio/wav")})
    assert r.status_code == 422
    _nothing_stored(api)


@pytest.mark.parametrize(("path", "body"), [
    ("/api/entries", b"{not json"),
    ("/api/entries", b'{"text": 5}'),
    ("/api/entries", b'{"text": "hi", "journal": "diary"}'),
    ("/api/entries", b'{"text": "hi", "colour": "blue"}'),
    ("/api/entries", b'["a list"]'),
    ("/api/entries", b'{"text": "hi", "tags": "not-a-list"}'),
    ("/api/auth/register", b'{"name": "Al", "passphrase": "short"}'),
    ("/api/auth/register", b'{"name": "Al", "passphrase": "long enough!", "admin": true}'),
    ("/api/auth/token", b'{"name": ["Alex"], "passphrase": "x"}'),
    ("/api/couples/join", b'{"invite_code": 1234}'),
    ("/api/goals", b'{"title": "x", "why": 3}'),
    ("/api/reminders", b'{"days": [1], "local_time": "25:99:00"}'),
    ("/api/reminders", b'{"days": ["monday"], "local_time": "20:00"}'),
])
def test_malformed_json_wrong_types_and_unknown_fields_are_422(api: Api, path: str,
                                                               body: bytes) -> None:
    alex = api.user("Alex")
    r = api.client.post(path, content=body,
                        headers=alex.headers | {"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert set(r.json()) == {"detail"}
    assert isinstance(r.json()["detail"], str)


@pytest.mark.parametrize("body", [b"{broken", b'{"text": 1}', b'{"text": "hi", "x": 1}',
                                  b'{"text": ""}'])
def test_text_or_audio_endpoints_validate_json_too(couple: tuple[Api, User, User],
                                                  body: bytes) -> None:
    api, alex, sam = couple
    entry = api.write(alex, "Shared words.", "shared")
    for path in (f"/api/entries/{entry['id']}/responses", "/api/mutual/trust-feel-trusted/answer"):
        r = api.client.post(path, content=body,
                            headers=sam.headers | {"content-type": "application/json"})
        assert r.status_code == 422, (path, r.text)
    r = api.client.post(f"/api/entries/{entry['id']}/responses", content=b"text=hi",
                        headers=sam.headers | {"content-type": "text/plain"})
    assert r.status_code == 415


def test_patch_with_unknown_field_changes_nothing(couple: tuple[Api, User, User]) -> None:
    api, alex, _ = couple
    entry = api.write(alex, "Keep me private.")
    r = api.client.patch(f"/api/entries/{entry['id']}", headers=alex.headers,
                         json={"visibility": "shared", "secret": True})
    assert r.status_code == 422
    assert api.client.get(f"/api/entries/{entry['id']}",
                          headers=alex.headers).json()["journal"] == "private"


def test_in_memory_upload_bytes_do_not_reach_disk_under_another_name(api: Api) -> None:
    """A good upload is stored once, as sealed FLAC, under the audio folder and nowhere else."""
    alex = api.user("Alex")
    r = api.client.post("/api/recordings", headers=alex.headers,
                        files={"file": ("a.ogg", wav_bytes(1.0, fmt="OGG"), "audio/ogg")})
    assert r.status_code == 202, r.text
    files = api.stored_files()
    assert len(files) == 1
    assert files[0].suffix == ".sealed"
    assert b"fLaC" not in files[0].read_bytes()  # only the author's key opens it
    played = api.client.get(f"/api/entries/{r.json()['entry_id']}/audio", headers=alex.headers)
    assert played.content[:4] == b"fLaC"
