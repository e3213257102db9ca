#!/usr/bin/env python3
"""Whisper passes with glibc's stock heap against Confide's kept inference buffers.

Run from the repository root (about 2 minutes):

    .venv/bin/python scripts/bench_heap.py --corpus ../shared/audio/human

Each arm runs in its own process (the heap settings are process-wide and cannot be undone):
the same clips, the same model and options, passes alternating between the two processes.
Printed per arm: median and p95 seconds per pass, page faults and kernel CPU per pass. The
last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

_WORKER = """
import json, resource, sys, time
from pathlib import Path
from confide.settings import load_settings
from confide.wiring import transcriber
from confide.voice import whisper
from confide.voice.audio_file import decode_audio
if sys.argv[1] == "stock":
    whisper.keep_inference_buffers = lambda: False  # what faster-whisper gets on its own
tr = transcriber(load_settings())
clips = [decode_audio(Path(p)).samples for p in sys.argv[2:]]
tr.transcribe(clips[0])
print("ready", flush=True)
for line in sys.stdin:
    audio = clips[int(line)]
    before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    tr.transcribe(audio)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps([seconds, after.ru_minflt - before.ru_minflt,
                      after.ru_stime - before.ru_stime]), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/audio/human"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    clips = sorted(str(p) for p in args.corpus.iterdir() if p.suffix in {".wav", ".flac"})
    arms = ("stock", "kept")
    procs = {arm: subprocess.Popen([sys.executable, "-c", _WORKER, arm, *clips],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for arm in arms}
    for proc in procs.values():
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    rows: dict[str, list[list[float]]] = {arm: [] for arm in arms}
    for rnd in range(args.rounds):
        for i in range(len(clips)):
            order = arms if (i + rnd) % 2 == 0 else arms[::-1]
            for arm in order:
                proc = procs[arm]
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(f"{i}\n")
                proc.stdin.flush()
                rows[arm].append(json.loads(proc.stdout.readline()))
        print(f"round {rnd + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)
    result: dict[str, Any] = {"passes_per_arm": len(rows["stock"])}
    for arm in arms:
        seconds, faults, system = (np.array(col) for col in zip(*rows[arm], strict=True))
        result[arm] = {"median_s": round(float(np.median(seconds)), 3),
                       "p95_s": round(float(np.percentile(seconds, 95)), 3),
                       "page_faults_per_pass": int(np.median(faults)),
                       "kernel_cpu_s_per_pass": round(float(np.median(system)), 3)}
        print(f"{arm:>5}: {result[arm]}", file=sys.stderr)
    result["speedup_median"] = round(result["stock"]["median_s"] / result["kept"]["median_s"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
