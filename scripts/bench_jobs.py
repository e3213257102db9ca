#!/usr/bin/env python3
"""Benchmark transcription throughput: jobs per minute for 1 and 2 separate workers.

For each worker count: a fresh journal (SQLite, or ``--database-url``), a worker key pair,
N `confide worker` processes started as a deployment starts them (each with
cores / N CTranslate2 threads, the bundled model); once every worker has loaded its model
and reported in, a queue of real speech uploads (the human recordings in
../shared/audio/human, repeated to ``--jobs``) is committed at once, sealed for the worker
key as the API seals an upload, and the clock runs until the last job is done. The last
line printed is one JSON object for docs/BENCHMARKS.md.

    .venv/bin/python scripts/bench_jobs.py                    # 40 jobs, 1 and 2 workers
    .venv/bin/python scripts/bench_jobs.py --jobs 20 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from confide.models.accounts import register_person  # noqa: E402
from confide.models.db import create_db_engine, migrate, session_scope  # noqa: E402
from confide.models.entries import create_entry_from_audio  # noqa: E402
from confide.models.sealing import use_keys  # noqa: E402
from confide.models.storage import open_audio_store  # noqa: E402
from confide.models.tables import TranscriptionJob  # noqa: E402
from confide.models.worker_keys import init_worker_key, seal_new_job  # noqa: E402
from confide.voice.audio_file import decode_audio  # noqa: E402

SPEECH = ROOT.parent / "shared" / "audio" / "human"


def clips() -> list[tuple[str, Any]]:
    names = [line.split("\t", 1)[0] for line in (SPEECH / "refs.tsv").read_text().splitlines()
             if line.strip()]
    return [(name, decode_audio(SPEECH / name).samples) for name in names]


def run(workers: int, jobs: int, db_url: str | None, store: str, lease_s: float) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="confide-bench-jobs-"))
    url = db_url or f"sqlite:///{data / 'confide.db'}"
    schema = ""
    if db_url:  # a server database: a schema of its own, dropped afterwards
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with sa.create_engine(db_url).begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{db_url}{'&' if '?' in db_url else '?'}options=-csearch_path%3D{schema}"
    engine = create_db_engine(url)
    migrate(engine)
    key_file = data / "worker.key"
    with session_scope(engine) as s:
        init_worker_key(s, key_file, "bench")
        person, unlocked, _words = register_person(s, "Bench", "a bench passphrase")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFIDE_", "PROMETHEUS_"))}
    threads = max(1, (os.cpu_count() or 1) // workers)
    env.update(CONFIDE_DATA_DIR=str(data), CONFIDE_CONFIG=str(data / "none.toml"),
               CONFIDE_DATABASE_URL=url, CONFIDE_AUDIO_STORE=store,
               CONFIDE_WORKER_KEY_FILE=str(key_file), CONFIDE_WHISPER_MODEL="bundled",
               CONFIDE_WHISPER_THREADS=str(threads), PYTHONPATH=str(ROOT))
    procs = []
    for i in range(workers):
        with open(data / f"worker{i}.log", "wb") as log:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "confide.cli_worker", "--name", f"w{i}",
                 "--lease-seconds", str(lease_s)], cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 180
        while True:
            with engine.connect() as conn:
                seen = conn.execute(sa.text("SELECT count(*) FROM workerseen")).scalar()
            if seen == workers:
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit((data / "worker0.log").read_text())
            time.sleep(0.2)
        audio = clips()
        audio_s = 0.0
        file_store = open_audio_store(store, data / "audio", engine)
        started = time.perf_counter()  # the workers start on the first job committed
        for i in range(jobs):
            # One transaction per upload, as the API commits each (SQLite has one writer).
            with session_scope(engine) as s:
                use_keys(s, unlocked)
                _name, samples = audio[i % len(audio)]
                audio_s += len(samples) / 16_000
                entry = create_entry_from_audio(s, file_store, person, samples, 16_000)
                assert entry.id is not None
                job: int = s.connection().execute(
                    sa.select(TranscriptionJob.id)  # type: ignore[call-overload]
                    .where(TranscriptionJob.entry_id == entry.id)).scalar_one()
                seal_new_job(s, person, "entry", entry.id, job)
        while True:
            with engine.connect() as conn:
                done = conn.execute(sa.text("SELECT count(*) FROM transcriptionjob WHERE "
                                            "status IN ('done', 'failed')")).scalar() or 0
                failed = conn.execute(sa.text("SELECT count(*) FROM transcriptionjob WHERE "
                                              "status = 'failed'")).scalar() or 0
            if done >= jobs:
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        engine.dispose()
        shutil.rmtree(data, ignore_errors=True)
        if schema and db_url:
            with sa.create_engine(db_url).begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    return {
        "workers": workers, "threads_per_worker": threads, "jobs": jobs, "failed": failed,
        "audio_s": round(audio_s, 1), "wall_s": round(wall, 2),
        "jobs_per_minute": round(jobs / wall * 60, 1),
        "audio_minutes_per_minute": round(audio_s / wall, 2),
        "real_time_factor": round(wall / audio_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL URL (a fresh schema per run); default SQLite")
    parser.add_argument("--store", choices=("folder", "database"), default="database")
    parser.add_argument("--lease-seconds", type=float, default=60.0)
    args = parser.parse_args()
    results = []
    for count in (int(n) for n in args.workers.split(",")):
        got = run(count, args.jobs, args.database_url, args.store, args.lease_seconds)
        results.append(got)
        print(f"{count} worker(s), {got['threads_per_worker']} thread(s) each: "
              f"{got['jobs_per_minute']} jobs/min, {got['audio_minutes_per_minute']} min of "
              f"speech per minute, {got['failed']} failed", flush=True)
    print(json.dumps({
        "bench": "jobs",
        "when": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(terse=True)},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "database": "postgresql" if args.database_url else "sqlite",
        "store": args.store, "clips": len(clips()),
        "results": results,
    }, separators=(",", ":")))


if __name__ == "__main__":
    main()
