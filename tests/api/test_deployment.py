"""A deployment of several processes, in one test process: a separate worker opens only the
jobs sealed for its key; recordings in the database store; rate limits, liveness,
readiness and metrics shared through the database; logs that hold no words."""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select

from confide.api.security import RateLimiter
from confide.models import crypto
from confide.models.db import session_scope
from confide.models.errors import ConfideError, RateLimited, SealError
from confide.models.store_database import DatabaseAudioStore
from confide.models.tables import AudioBlob, ItemKey, TranscriptionJob, WorkerJobKey
from confide.models.worker_keys import init_worker_key, load_worker_identity, open_job_key
from confide.transcription_worker import SealedJobWorker, WorkerOptions
from confide.voice.transcriber import FakeTranscriber
from tests.api.conftest import Api, wav_bytes

pytestmark = pytest.mark.api

AppFactory = Callable[..., Api]


def _upload(api: Api, token_headers: dict[str, str], journal: str = "private") -> dict[str, int]:
    r = api.client.post("/api/recordings", headers=token_headers, data={"journal": journal},
                        files={"file": ("reply.wav", wav_bytes(1.0), "audio/wav")})
    assert r.status_code == 202, r.text
    body: dict[str, int] = r.json()
    return body


def _worker(api: Api, key_file: Path, script: str) -> SealedJobWorker:
    with session_scope(api.engine) as s:
        identity = load_worker_identity(s, key_file)
    return SealedJobWorker(api.engine, api.app.state.runtime.store, identity,
                           lambda: FakeTranscriber(default=script), WorkerOptions(lease_s=10))


def test_worker_key_file_is_private_and_init_is_idempotent(api: Api, tmp_path: Path) -> None:
    key_file = tmp_path / "w" / "worker.key"
    with session_scope(api.engine) as s:
        first, made = init_worker_key(s, key_file, "gpu-box")
        again, made_again = init_worker_key(s, key_file, "gpu-box")
    assert made and not made_again and first.id == again.id
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.chmod(0o644)
    with session_scope(api.engine) as s, pytest.raises(ConfideError, match="chmod 600"):
        load_worker_identity(s, key_file)
    with session_scope(api.engine) as s, pytest.raises(ConfideError, match="--init"):
        load_worker_identity(s, tmp_path / "absent.key")


def test_a_separate_worker_transcribes_exactly_the_jobs_sealed_for_it(
        app_factory: AppFactory, tmp_path: Path) -> None:
    api = app_factory(transcribe="separate", audio_store="database")
    assert api.client.get("/readyz").json()["transcription"] == "separate worker"
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    key_file = tmp_path / "worker.key"
    with session_scope(api.engine) as s:
        init_worker_key(s, key_file, "worker")
    written = api.write(alex, "a written entry nobody transcribes", "private")
    accepted = [_upload(api, alex.headers), _upload(api, sam.headers, "shared")]
    with api.session() as s:
        wraps = s.exec(select(WorkerJobKey)).all()
        assert sorted(w.job_id for w in wraps) == sorted(a["job_id"] for a in accepted)
        # The recordings are in the database, sealed: the folder holds none.
        assert len(s.exec(select(AudioBlob)).all()) == 2
        assert all(b.data.startswith(crypto.MAGIC) for b in s.exec(select(AudioBlob)))
    assert api.stored_files() == []
    worker = _worker(api, key_file, "honest words from the worker")
    with api.session() as s:
        # Its secret opens the job wraps and nothing of the journal itself.
        identity = worker.identity
        assert len(open_job_key(s, accepted[0]["job_id"], identity)) == 32
        for row in s.exec(select(ItemKey)):
            with pytest.raises(SealError):
                crypto.unwrap_for(identity.secret, row.wrapped)
    assert worker.run_once() is not None and worker.run_once() is not None
    assert worker.run_once() is None
    for who, item in ((alex, accepted[0]), (sam, accepted[1])):
        job = api.client.get(f"/api/jobs/{item['job_id']}", headers=who.headers).json()
        assert job["status"] == "done" and job["attempts"] == 1
        entry = api.client.get(f"/api/entries/{item['entry_id']}", headers=who.headers).json()
        assert entry["transcript"] == "honest words from the worker"
    with api.session() as s:
        assert s.exec(select(WorkerJobKey)).all() == []  # wraps gone once done
    # The API process indexes what the worker wrote (a worker holds no index key).
    runtime = api.app.state.runtime
    runtime.worker.run_once()
    hits = api.client.get("/api/search", params={"q": "honest"}, headers=alex.headers).json()
    found = {h["entry"]["id"] for h in hits["items"]}
    assert accepted[0]["entry_id"] in found and written["id"] not in found


def test_jobs_queued_while_no_worker_key_existed_are_handed_over(
        app_factory: AppFactory, tmp_path: Path) -> None:
    api = app_factory(transcribe="separate")
    alex = api.user("Alex")
    job_id = _upload(api, alex.headers)["job_id"]  # no worker key yet: nothing sealed
    with api.session() as s:
        assert s.exec(select(WorkerJobKey)).all() == []
        key_file = tmp_path / "worker.key"
    with session_scope(api.engine) as s:
        init_worker_key(s, key_file, "late")
    assert api.app.state.runtime.worker.run_once()  # the handoff thread's pass
    worker = _worker(api, key_file, "late words")
    assert worker.run_once() == job_id
    with api.session() as s:
        job = s.get(TranscriptionJob, job_id)
        assert job is not None and job.status == "done"


def test_a_worker_whose_claim_was_taken_over_writes_nothing(
        app_factory: AppFactory, tmp_path: Path) -> None:
    from confide.models.worker_keys import claim_sealed_job, finish_if_still_mine

    api = app_factory(transcribe="separate")
    alex = api.user("Alex")
    key_file = tmp_path / "worker.key"
    with session_scope(api.engine) as s:
        init_worker_key(s, key_file, "w")
        identity = load_worker_identity(s, key_file)
    job_id = _upload(api, alex.headers)["job_id"]
    with session_scope(api.engine) as s:
        first = claim_sealed_job(s, identity, lease_s=0.001)
        assert first is not None and first.attempts == 1
    import time

    time.sleep(0.05)  # its lease lapses: the worker stalled
    with session_scope(api.engine) as s:
        second = claim_sealed_job(s, identity, lease_s=30)
        assert second is not None and second.id == job_id and second.attempts == 2
    with session_scope(api.engine) as s:
        assert not finish_if_still_mine(s, job_id, 1, 30)  # the stalled one is fenced off
        assert finish_if_still_mine(s, job_id, 2, 30)


def test_database_store_round_trip_and_delete(api: Api) -> None:
    import numpy as np

    store = DatabaseAudioStore(api.data_dir / "audio", api.engine)
    key = crypto.new_key()
    rel = store.write_audio(np.zeros(1600, dtype=np.float32), 16_000, key)
    assert store.exists(rel) and store.is_sealed(rel)
    assert store.read_audio(rel, key)[:4] == b"fLaC"
    store.delete(rel)
    assert not store.exists(rel)
    store.delete(rel)  # already gone is not an error


def test_rate_limits_are_shared_by_every_process(api: Api) -> None:
    one = RateLimiter(limit=3, window_s=3600, engine=api.engine)
    two = RateLimiter(limit=3, window_s=3600, engine=api.engine)  # another process
    one.hit("upload:1")
    two.hit("upload:1")
    one.hit("upload:1")
    with pytest.raises(RateLimited) as refused:
        two.hit("upload:1")
    assert refused.value.retry_after is not None and refused.value.retry_after > 3000
    two.hit("upload:2")  # another key counts apart


def test_healthz_readyz_and_metrics(api: Api) -> None:
    alex = api.user("Alex")
    entry = api.write(alex, "counting words", "private")
    api.client.get(f"/api/entries/{entry['id']}", headers=alex.headers)
    assert api.client.get("/healthz").status_code == 200
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["database"] == "ok" and body["store"] == "folder: ok"
    assert body["transcription"] == "in-process"
    text = api.client.get("/metrics").text
    assert 'route="/api/entries/{entry_id}"' in text
    assert f"/api/entries/{entry['id']}\"" not in text  # templates, never ids
    for name in ("confide_jobs{status=\"queued\"}", "confide_oldest_queued_job_age_seconds",
                 "confide_workers", "confide_request_seconds_bucket"):
        assert name in text, name


MARKERS = ("zanzibar", "quokka", "persimmon")


def test_logs_never_hold_entry_text_or_search_words(api: Api, caplog: pytest.LogCaptureFixture,
                                                    ) -> None:
    caplog.set_level(logging.DEBUG)
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    entry = api.write(alex, f"{MARKERS[0]} on the shared page", "shared")
    api.client.post(f"/api/entries/{entry['id']}/responses", headers=sam.headers,
                    json={"text": f"a {MARKERS[1]} reply"})
    api.client.patch(f"/api/entries/{entry['id']}", headers=alex.headers,
                     json={"transcript": f"{MARKERS[2]} changed"})
    for word in MARKERS:
        api.client.get("/api/search", params={"q": word}, headers=alex.headers)
    api.client.cookies.set("confide_session", sam.token)  # the web page's search too
    for word in MARKERS:
        assert api.client.get("/search", params={"q": word}).status_code == 200
    api.client.cookies.clear()
    api.client.get("/api/search", params={"q": "nothing-found-" + MARKERS[0]},
                   headers=alex.headers)
    _upload(api, alex.headers)
    api.client.get("/metrics")
    # Everything the server side logged (the test's own HTTP client logs the URLs it asks).
    server = [r for r in caplog.records if not r.name.startswith("httpx")]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in server).lower()
    assert server  # something was logged at DEBUG, so the check means something
    for word in MARKERS:
        assert word not in logged, word
