"""The soak benchmark's short form (scripts/bench_soak.py), for CI: one station process runs ten
whole sessions back to back on its own virtual sound server (reminder spoken, "yes", a reply,
"share it", the follow-up declined where there is one, a goal check-in, good night) and
nothing is left behind by one.

The station runs in its own process, as it does for real, so its RSS is the station's alone.
(In the pytest process the next station test's reminder used to come out garbled: the speech
engine spoke it at the soak's rate, fixed in voice/speech.py and kept by test_speech_rate.)
The full run (50 sessions, docs/BENCHMARKS.md) is about an hour of real-time speech; here the
waiting that is not Confide's is cut: Confide speaks at the fastest rate a person can choose
(450 wpm) with the shortest pause allowance (0.5 s), the person answers 0.3 s after each
listening turn opens (the sound server's own events, not polling) and replies in one
sentence, and the transcriber is warmed once for the station, not at every hello. A session
is still about 25-30 s of real-time speech and listening, most of it Confide's own.

Exact: no recording or playing stream open after any session, open files and threads no more
after any session than after the second (the first loads the models), every reply saved and
shared. Coarse: the median RSS of sessions 7-10 at most 20 MB (the full run's target) above
that of sessions 3-6. Between sessions RSS swings by 10-25 MB even after the freed heap is
given back (321-347 MB in one run, a drop of 15 MB at session 6 and back by session 9), so a
short run can only catch a leak of about 5 MB a session or more (a model or an engine built
again for every "yes"); slower growth is the full run's to find.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.audio, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 10
RSS_GROWTH_MB = 20.0
REPLY = "We put our phones away at dinner and really talked."


def test_station_sessions_back_to_back_leave_nothing_behind() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_soak.py"), "--only", "station",
         "--sessions", str(SESSIONS), "--first-counted", "3", "--window", "4",
         "--rss-growth-mb", str(RSS_GROWTH_MB), "--rate", "450", "--pause", "0.5",
         "--wpm", "170", "--lead", "0.3", "--reply", REPLY],
        cwd=ROOT, capture_output=True, text=True, timeout=540)  # a stuck turn fails here
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
    assert result["station"]["rss_growth_mb"] <= RSS_GROWTH_MB, result["station"]
    assert result["failures"] == [], (result["failures"], samples)
    assert run.returncode == 0, run.stderr[-3000:]
