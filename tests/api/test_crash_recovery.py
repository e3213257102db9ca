"""Killing the server mid-transcription loses nothing: the recording and its job are
durable, and the next start finishes the job.

The server runs as `confide serve` does (``python -m confide.cli_serve``) with the real
Whisper model, in a subprocess that is SIGKILLed while its job is 'running'.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from confide.voice.transcriber import normalized_words

pytestmark = [pytest.mark.api, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
STORY = ("Tonight we sat in the garden after dinner. I told you about the letter from my "
         "sister and you listened without looking at your phone. ") * 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """`confide serve` in a subprocess over one data folder; start, kill, start again."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_")}
        self.env.update(CONFIDE_DATA_DIR=str(data_dir), CONFIDE_CONFIG=str(data_dir / "no.toml"),
                        CONFIDE_WHISPER_MODEL="bundled", CONFIDE_WHISPER_THREADS="1",
                        PYTHONPATH=str(ROOT))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "confide.cli_serve", "--host", "127.0.0.1",
                 "--port", str(self.port)], cwd=ROOT, env=self.env, stdout=out,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                health = httpx.get(f"{self.url}/healthz", timeout=2).json()
                if health.get("model") == "ready":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not become ready:\n" + self.log.read_text())

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "data", tmp_path / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def _job_row(data_dir: Path, job_id: int) -> tuple[str, int]:
    with sqlite3.connect(data_dir / "confide.db") as db:
        status, attempts = db.execute("SELECT status, attempts FROM transcriptionjob WHERE id = ?",
                                      (job_id,)).fetchone()
    return str(status), int(attempts)


def test_killed_mid_job_the_next_start_finishes_it(server: Server, tmp_path: Path) -> None:
    """The dead process's job is taken again once its lease lapses (models/jobs.py), and
    finished once: attempts 2, one transcript."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    speech = tmp_path / "story.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(speech), STORY], check=True)
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.post("/api/auth/register", json={"name": "Alex", "passphrase": "correct horse 1"})
        token = client.post("/api/auth/token", json={"name": "Alex",
                                                     "passphrase": "correct horse 1"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        r = client.post("/api/recordings", headers=headers,
                        files={"file": ("story.wav", speech.read_bytes(), "audio/wav")})
        assert r.status_code == 202, r.text
        job_id, entry_id = r.json()["job_id"], r.json()["entry_id"]
        deadline = time.monotonic() + 60
        while client.get(f"/api/jobs/{job_id}", headers=headers).json()["status"] != "running":
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.01)
    server.kill()
    data_dir = tmp_path / "data"
    assert _job_row(data_dir, job_id) == ("running", 1)
    assert len(list((data_dir / "audio").rglob("*.sealed"))) == 1

    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        token = client.post("/api/auth/token", json={"name": "Alex",
                                                     "passphrase": "correct horse 1"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        deadline = time.monotonic() + 300
        while (job := client.get(f"/api/jobs/{job_id}", headers=headers).json())["status"] \
                not in ("done", "failed"):
            assert time.monotonic() < deadline, "the job was not finished after the restart"
            time.sleep(0.2)
        assert job["status"] == "done", (job, server.log.read_text()[-3000:])
        assert job["attempts"] == 2
        entry = client.get(f"/api/entries/{entry_id}", headers=headers).json()
    words = set(normalized_words(entry["transcript"]))
    assert {"garden", "dinner", "sister", "phone"} <= words, entry["transcript"]
    assert "requeued 1 transcription job" in server.log.read_text()
