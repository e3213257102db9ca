"""`confide serve --workers 2`: when one API process is SIGKILLed, uvicorn starts another in its
place and ``/metrics`` counts the processes running (2), not every process there ever was; a
clean stop leaves no live gauge behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.api.test_multiprocess_postgres import _free_port

pytestmark = [pytest.mark.api, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _transcribers(url: str) -> float | None:
    try:
        text = httpx.get(f"{url}/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    found = re.search(r"^confide_in_process_transcribers (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


def _live_pids(folder: Path) -> set[int]:
    return {int(p.stem.rpartition("_")[2]) for p in folder.glob("gauge_livesum_*.db")}


def _until(what: str, predicate: Callable[[], bool], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}\n{log.read_text()}"
        time.sleep(0.2)


def test_a_killed_api_process_is_no_longer_counted(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFIDE_", "PROMETHEUS_"))}
    env.update(CONFIDE_DATA_DIR=str(tmp_path / "data"), CONFIDE_CONFIG=str(tmp_path / "none"),
               CONFIDE_WHISPER_MODEL="bundled", CONFIDE_WHISPER_THREADS="1",
               PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "x"))
    folder = tmp_path / "data" / "metrics"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "confide.cli_serve", "--workers", "2",
                                   "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _until("two processes never both reported", lambda: len(_live_pids(folder)) == 2
               and _transcribers(url) == 2, log)
        first = _live_pids(folder)
        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        _until("uvicorn did not start a process in place of the killed one",
               lambda: len(_live_pids(folder) - first) == 1, log)
        _until("the count did not settle at the processes running",
               lambda: _transcribers(url) == 2, log)
        assert killed not in _live_pids(folder)
        for _ in range(5):  # and it stays so, whichever process answers
            assert _transcribers(url) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(30)
    assert _live_pids(folder) == set()  # each process removed its own on the way out
