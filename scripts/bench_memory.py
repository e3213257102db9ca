#!/usr/bin/env python3
"""Where the voice loop's memory goes: the demo, wired as `confide speak`, with its RSS
sampled every 10 ms and each new high-water step named by what the threads were running.

Run from the repository root (about 3 minutes, a sound server of its own):

    .venv/bin/python scripts/bench_memory.py

The peak of `confide speak` with the natural voice is a target (≤ 500 MB, docs/BENCHMARKS.md);
this names the steps that make it up, which a single peak figure cannot. Printed: one line per
step of at least --step MB (seconds since start, RSS, the innermost frames of ours or of a
library in each other thread), then a summary grouped by engine. The last line on stdout is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]

ENGINES = {
    "whisper": ("transcribe.py", "whisper.py", "streaming.py"),
    "natural voice": ("neural.py", "onnxruntime_inference_collection.py"),
    "passphrase (Argon2id)": ("argon2id.py", "crypto_pwhash.py"),
}
"""What a step is put down to, by the file of a frame running while it happened."""


def _frames(skip: int) -> list[str]:
    """The innermost frames of ours or of a library, per thread but the sampler's own."""
    found = []
    for ident, frame in sys._current_frames().items():
        if ident == skip:
            continue
        stack = [f"{Path(f.filename).name}:{f.name}" for f in traceback.extract_stack(frame)
                 if str(ROOT) in f.filename or "site-packages" in f.filename]
        if stack:
            found.append(" < ".join(reversed(stack[-3:])))
    return found


def _engine(frames: list[str]) -> str:
    for name, files in ENGINES.items():
        if any(frame.split(":")[0] in files for thread in frames for frame in thread.split(" < ")):
            return name
    return "start-up and the rest"


class Sampler(threading.Thread):
    def __init__(self, step_mb: float) -> None:
        super().__init__(daemon=True)
        self.step = step_mb * 2**20
        self.steps: list[tuple[float, float, str, list[str]]] = []
        self.start_s = time.perf_counter()

    def run(self) -> None:
        process, high = psutil.Process(), 0
        while True:
            rss = process.memory_info().rss
            if rss >= high + self.step:
                frames = _frames(threading.get_ident())
                self.steps.append((time.perf_counter() - self.start_s, rss / 2**20,
                                   _engine(frames), frames))
                high = rss
            time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=float, default=8.0, help="MB of growth that makes a step")
    args = parser.parse_args()
    sampler = Sampler(args.step)
    with tempfile.TemporaryDirectory() as data:
        os.environ["CONFIDE_DATA_DIR"] = data
        from confide.cli import app  # every command registered, `confide demo` among them

        sampler.start()
        try:
            app(["demo"], standalone_mode=False)
        finally:
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    previous = 0.0
    grown: dict[str, float] = defaultdict(float)
    for at, mb, engine, frames in sampler.steps:
        print(f"{at:7.2f} s {mb:7.1f} MB  {engine:22s} {' || '.join(frames)[:300]}", file=sys.stderr)
        grown[engine] += mb - previous
        previous = mb
    summary: dict[str, Any] = {
        "bench": "memory", "peak_rss_mb": round(peak_mb, 1), "target_mb": 500,
        "grown_mb_by_engine": {k: round(v, 1) for k, v in sorted(grown.items(), key=lambda i: -i[1])},
        "steps": len(sampler.steps)}
    for engine, mb in summary["grown_mb_by_engine"].items():
        print(f"{engine:24s} {mb:7.1f} MB of the high-water mark")
    print(f"peak RSS {summary['peak_rss_mb']} MB against the target of 500 MB")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
