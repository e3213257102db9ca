"""Every path that queues a transcription seals its job for the registered worker keys at
once, not only the upload route: recordings imported to be transcribed later (and the
voice station's, a recovered reply's, a check-in's, which share the same write path) are
taken by a separate worker straight away, with no API process in between."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf
from sqlalchemy.engine import Engine

from tests.unit.test_import_cli import PASSPHRASES, listed, make_cli, tone

pytestmark = pytest.mark.unit


def test_memos_imported_for_later_are_taken_by_a_separate_worker_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from confide.models.db import session_scope
    from confide.models.worker_keys import init_worker_key, load_worker_identity
    from confide.settings import load_settings
    from confide.transcription_worker import SealedJobWorker, WorkerOptions
    from confide.voice.transcriber import FakeTranscriber
    from confide.wiring import audio_store, cli_session, database

    cli = make_cli(tmp_path, monkeypatch)
    settings = load_settings()
    key_file = tmp_path / "worker" / "worker.key"
    with cli_session(settings) as s:
        init_worker_key(s, key_file, "gpu-box")
    folder = tmp_path / "memos"
    folder.mkdir()
    for seconds, name in ((1.0, "2024-03-05 18.22.wav"), (1.5, "2024-03-06 09.10.wav")):
        sf.write(folder / name, tone(seconds), 16_000)
    result = cli("memos", str(folder), "--as", "Alex", "--no-transcribe",
                 passphrase=PASSPHRASES["Alex"])
    assert result.exit_code == 0, result.output

    engine = database(settings)
    with session_scope(engine) as s:
        identity = load_worker_identity(s, key_file)
    worker = SealedJobWorker(engine, audio_store(settings), identity,
                             lambda: FakeTranscriber(default="words the worker heard"),
                             WorkerOptions(lease_s=10))
    taken = [worker.run_once(), worker.run_once()]
    assert None not in taken and worker.run_once() is None
    assert [(e.status, e.transcript) for e in listed("Alex")] == [
        ("ready", "words the worker heard")] * 2


def test_a_job_finished_in_process_leaves_no_wrap_for_the_workers(
        tmp_path: Path, engine: Engine) -> None:
    """The voice station (or a server transcribing in-process) files a reply and its words at
    once: the job it queued ends there, and the workers' wrap of it goes with it, so a
    worker's secret never opens a finished recording."""
    import numpy as np
    from sqlmodel import select

    from confide.models import entries, jobs
    from confide.models.accounts import register_person
    from confide.models.db import session_scope
    from confide.models.sealing import use_keys
    from confide.models.storage import AudioStore
    from confide.models.tables import TranscriptionJob, WorkerJobKey
    from confide.models.worker_keys import init_worker_key
    from confide.voice.transcriber import Transcript

    store = AudioStore(tmp_path / "audio")
    with session_scope(engine) as s:
        init_worker_key(s, tmp_path / "worker.key", "gpu-box")
        person, keys, _words = register_person(s, "Robin", "robin passphrase")
        use_keys(s, keys)  # the station holds the person's keys while they speak
        entry = entries.create_entry_from_audio(s, store, person,
                                                np.full(16_000, 0.1, np.float32), 16_000)
        assert entry.id is not None
        assert len(s.exec(select(WorkerJobKey)).all()) == 1  # sealed for the worker at once
        entries.attach_transcript(s, entry.id, Transcript("I was saying that", "en", 1.0, ()))
        assert s.exec(select(WorkerJobKey)).all() == []
        (job,) = s.exec(select(TranscriptionJob)).all()
        assert job.status == "done"
        # A job that ran out of attempts (its workers kept dying) ends without its wrap too.
        again = entries.create_entry_from_audio(s, store, person,
                                                np.full(16_000, 0.2, np.float32), 16_000)
        (stuck,) = s.exec(select(TranscriptionJob).where(
            TranscriptionJob.entry_id == again.id)).all()
        stuck.status, stuck.attempts, stuck.lease_until = "running", jobs.MAX_ATTEMPTS, None
        s.add(stuck)
        s.flush()
        jobs.requeue_stale(s)
        assert s.exec(select(WorkerJobKey)).all() == []
        s.refresh(stuck)
        assert stuck.status == "failed"
