"""Metrics of several API processes (prometheus_client's multiprocess mode): a process that
was killed (uvicorn starts another in its place) no longer counts in the live gauges, so
``confide_in_process_transcribers`` is the API processes running now, while its counters
stay in the totals, as counters must."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from confide.api.metrics import MULTIPROC_ENV, render

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import time
from confide.api.metrics import instruments
instruments().in_process_transcribers.set(1)
instruments().jobs.labels("done").inc()
print("ready", flush=True)
time.sleep(120)
"""


def _value(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert found, text
    return float(found.group(1))


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def test_a_killed_process_leaves_the_live_gauges_and_keeps_its_counts(
        tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{MULTIPROC_ENV: str(folder)})
    procs = [subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        running, reaped, zombie = procs
        reaped.send_signal(signal.SIGKILL)
        reaped.wait(30)
        zombie.send_signal(signal.SIGKILL)  # killed, not yet reaped by its parent
        deadline = time.monotonic() + 30
        while _state(zombie.pid) != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        monkeypatch.setenv(MULTIPROC_ENV, str(folder))
        text = render(engine).decode()
        assert _value(text, "confide_in_process_transcribers") == 1  # the one still running
        assert _value(text, 'confide_transcription_jobs_total{outcome="done"}') == 3
        assert [p.name for p in folder.glob("gauge_*")] == [f"gauge_livesum_{running.pid}.db"]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(30)
            if proc.stdout is not None:
                proc.stdout.close()
