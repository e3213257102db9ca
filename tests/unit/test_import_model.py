"""`confide import memos` with the real Whisper model: spoken memos are transcribed from the
job queue (the passphrase given, so the sealed recordings can be opened), and a run stopped
mid-way is carried on by running it again."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.unit.test_import_cli import PASSPHRASES, listed, make_cli

pytestmark = pytest.mark.model


@pytest.fixture
def cli(tmp_path, monkeypatch):
    return make_cli(tmp_path, monkeypatch)


def espeak(folder: Path, name: str, text: str) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path = folder / name
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
    return path


def test_memos_are_transcribed_and_an_interrupted_run_carries_on(cli, tmp_path, monkeypatch):
    from confide.voice import jobs_runner

    monkeypatch.setenv("CONFIDE_WHISPER_MODEL", "bundled")
    folder = tmp_path / "memos"
    folder.mkdir()
    espeak(folder, "2024-03-05 18.22.wav", "We had dinner without our phones tonight.")
    espeak(folder, "2024-03-06 08.10.wav", "This morning we walked to the river together.")
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVE")

    real = jobs_runner.run_one_job
    calls = 0

    def stop_on_second(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs_runner, "run_one_job", stop_on_second)
    first = cli("memos", str(folder), "--as", "Alex", passphrase=PASSPHRASES["Alex"])
    assert first.exit_code == 130, first.output
    assert "still waiting: 1" in first.stderr
    statuses = sorted(e.status for e in listed("Alex"))
    assert statuses == ["ready", "recorded"]

    monkeypatch.setattr(jobs_runner, "run_one_job", real)
    second = cli("memos", str(folder), "--as", "Alex", "--json", passphrase=PASSPHRASES["Alex"])
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report["imported"] == []
    assert sorted(s["reason"] for s in report["skipped"]) == [
        "already_imported", "already_imported", "broken_audio"]
    assert report["transcription"]["transcribed"] == 1
    assert report["transcription"]["waiting"] == 0
    texts = {e.created_at.date().isoformat(): e.transcript.lower() for e in listed("Alex")}
    assert "dinner" in texts["2024-03-05"] and "phones" in texts["2024-03-05"]
    assert "river" in texts["2024-03-06"]
    assert all(e.status == "ready" for e in listed("Alex"))
