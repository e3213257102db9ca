"""A spoken answer to a partner's entry is sealed for the separate workers in the request
that stores it, as an upload is: a worker takes it at once, without waiting for the API
process's background pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from confide.models.db import session_scope
from confide.models.worker_keys import init_worker_key, load_worker_identity
from confide.transcription_worker import SealedJobWorker, WorkerOptions
from confide.voice.transcriber import FakeTranscriber
from tests.api.conftest import Api, wav_bytes

pytestmark = pytest.mark.api


def test_a_spoken_answer_is_taken_by_a_separate_worker_at_once(
        app_factory: Callable[..., Api], tmp_path: Path) -> None:
    api = app_factory(transcribe="separate", audio_store="database", start_worker=False)
    alex, sam = api.user("Alex"), api.user("Sam")
    api.pair(alex, sam)
    key_file = tmp_path / "worker.key"
    with session_scope(api.engine) as s:
        init_worker_key(s, key_file, "gpu-box")
    shared = api.write(alex, "we walked by the river", "shared")
    r = api.client.post(f"/api/entries/{shared['id']}/responses", headers=sam.headers,
                        files={"file": ("answer.wav", wav_bytes(1.0), "audio/wav")})
    assert r.status_code == 201, r.text
    answer = r.json()
    with session_scope(api.engine) as s:
        identity = load_worker_identity(s, key_file)
    worker = SealedJobWorker(api.engine, api.app.state.runtime.store, identity,
                             lambda: FakeTranscriber(default="thank you for the walk"),
                             WorkerOptions(lease_s=10))
    assert worker.run_once() is not None
    listed = api.client.get(f"/api/entries/{shared['id']}/responses", headers=alex.headers)
    (got,) = [x for x in listed.json() if x["id"] == answer["id"]]
    assert got["text"] == "thank you for the walk", got
