"""The soak benchmark's short form (scripts/bench_soak.py), for CI: one station process runs
whole sessions back to back on its own virtual sound server (reminder spoken, "yes", a reply,
"share it", no follow-up, a goal check-in, good night) and nothing is left behind by one.

The station runs in its own process, as it does for real: its RSS is the station's alone, and
nothing it leaves in a process (PortAudio, the speech engine) can reach the tests after it
(in the pytest process, test_station's reminder was heard garbled or not at all in 2 of 3 runs
after it). The full run (50 sessions, RSS growth at most 20 MB from session 5,
docs/BENCHMARKS.md) is about an hour of real-time speech, so here Confide speaks at the fastest
rate a person can choose, the person replies in one sentence, and three sessions (about 30 s
each) are judged from the second (the first warms up). Exact: no recording or playing stream
open after any session, open files and threads no more after the third than after the second,
every reply saved and shared. Coarse: RSS at most 8 MB higher after the third than after the
second (one session's transient buffers stay under 5 MB); a slow leak is the full run's to find.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 3
REPLY = "We put our phones away at dinner and really talked."


def test_station_sessions_back_to_back_leave_nothing_behind() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_soak.py"), "--only", "station",
         "--sessions", str(SESSIONS), "--first-counted", "2", "--window", "1",
         "--rss-growth-mb", "8", "--rate", "400", "--wpm", "170", "--reply", REPLY],
        cwd=ROOT, capture_output=True, text=True, timeout=240)  # a stuck turn fails here
    assert run.stdout.strip(), run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    samples = result["samples"]["station"]
    assert [s["n"] for s in samples] == list(range(1, SESSIONS + 1)), (samples, run.stderr[-3000:])
    assert all(s["saved"] == 1 for s in samples), samples
    assert result["station"]["shared"] == SESSIONS, result["station"]
    assert all(s["source_outputs"] == 0 and s["sink_inputs"] == 0 for s in samples), samples
    counted = [s for s in samples if s["n"] >= 2]
    assert max(s["fds"] for s in counted) <= counted[0]["fds"], samples
    assert max(s["threads"] for s in counted) <= counted[0]["threads"], samples
    assert result["failures"] == [], (result["failures"], samples)
    assert run.returncode == 0, run.stderr[-3000:]
