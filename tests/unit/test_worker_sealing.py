"""Every path that queues a transcription seals its job for the registered worker keys at
once, not only the upload route: recordings imported to be transcribed later (and the
voice station's, a recovered reply's, a check-in's, which share the same write path) are
taken by a separate worker straight away, with no API process in between."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf

from tests.unit.test_import_cli import PASSPHRASES, listed, make_cli, tone

pytestmark = pytest.mark.unit


def test_memos_imported_for_later_are_taken_by_a_separate_worker_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from confide.settings import load_settings
    from confide.transcription_worker import SealedJobWorker, WorkerOptions
    from confide.wiring import audio_store, cli_session, database
    from models.db import session_scope
    from models.worker_keys import init_worker_key, load_worker_identity
    from voice.transcriber import FakeTranscriber

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
