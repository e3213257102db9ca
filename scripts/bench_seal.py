"""What sealing costs where a person waits: a 5-minute reply sealed on save, and unlocking.

Times, in one process and on the same audio, the FLAC write of a reply without sealing
(encode + fsync) against the sealed write (encode + secretstream + fsync), and Argon2id at
the default cost. Prints a JSON object on its last line.

    .venv/bin/python scripts/bench_seal.py [--seconds 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from confide.models import crypto, keys
from confide.models.storage import AudioStore, flac_bytes


def _plain_write(folder: Path, samples: np.ndarray, rate: int) -> None:
    path = folder / f"plain-{time.monotonic_ns()}.flac"
    with open(path, "wb") as fh:
        fh.write(flac_bytes(samples, rate))
        fh.flush()
        os.fsync(fh.fileno())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rate = 16_000
    rng = np.random.default_rng(1)
    samples = (0.1 * rng.standard_normal(int(args.seconds * rate))).astype(np.float32)
    plain, sealed = [], []
    with tempfile.TemporaryDirectory() as tmp:
        store = AudioStore(Path(tmp))
        for _ in range(args.runs):
            t = time.perf_counter()
            _plain_write(Path(tmp), samples, rate)
            plain.append(time.perf_counter() - t)
            t = time.perf_counter()
            store.write_audio(samples, rate, crypto.new_key())
            sealed.append(time.perf_counter() - t)
    salt = crypto.KdfParams.salt()
    unlock = []
    for _ in range(args.runs):
        t = time.perf_counter()
        crypto.passphrase_key("correct horse battery staple", salt, keys.DEFAULT_KDF)
        unlock.append(time.perf_counter() - t)
    result = {
        "reply_seconds": args.seconds,
        "plain_save_median_s": round(statistics.median(plain), 4),
        "sealed_save_median_s": round(statistics.median(sealed), 4),
        "sealing_adds_s": round(statistics.median(sealed) - statistics.median(plain), 4),
        "target_adds_s": 0.05,
        "argon2id_unlock_median_s": round(statistics.median(unlock), 3),
        "argon2id": {"ops": keys.DEFAULT_KDF.ops, "mem_mib": keys.DEFAULT_KDF.mem // 2**20},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
