#!/usr/bin/env python3
"""Benchmark the HTTP API: list, get and search latency under concurrent clients.

Seeds a fresh SQLite journal with many couples and entries, sealed as the product seals them
(bulk inserts through SQL Core, see scripts/sealed_seed.py), starts the server as `confide
serve` does (uvicorn in a subprocess, on loopback), then runs CLIENTS concurrent clients
(lean keep-alive HTTP/1.1, or httpx), each signed in as a different person (which unlocks
that person's journal on the server), and measures each operation separately. The last line
printed is one JSON object with the figures (milliseconds), for docs/BENCHMARKS.md.

    .venv/bin/python scripts/bench_api.py                 # 100k entries, 32 clients
    .venv/bin/python scripts/bench_api.py --entries 20000 --requests 500   # quicker
    .venv/bin/python scripts/bench_api.py --processes 1,2   # saturated, 1 and 2 API processes

``--processes`` runs the saturated load once per count, the server started as
``confide serve --workers N`` (N uvicorn processes on one port; the kernel spreads the
connections); server CPU is summed over the process tree.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from confide.models.db import create_db_engine, migrate  # noqa: E402
from confide.models.tables import Couple, Entry, Person, Response  # noqa: E402
from scripts.sealed_seed import PASSPHRASE, seed_sealed  # noqa: E402

_COMMON_TEXT = (
    "today felt heavy light trust listen listened dinner walk garden phone talk talked sorry "
    "thank grateful hurt angry calm hopeful morning evening work kids sister mother father "
    "promise honest honesty apology forgive forgave remember week weekend together apart "
    "quiet loud laugh cried hug tired rested river park coffee letter message late early "
    "afraid safe open closed closer distance patience small victory proud notice noticed home "
    "car train rain sun kitchen table bed phone screen music song book friend friends"
)
COMMON = tuple(_COMMON_TEXT.split(" "))


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "su", "ra", "ti", "po", "ve", "da", "shi", "or",
                 "an", "el", "um", "ber", "gan", "tor", "lin", "mar"]
    words = set(COMMON)
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _text(rng: random.Random, vocab: list[str], weights: list[float]) -> str:
    words = rng.choices(vocab, weights=weights, k=rng.randint(25, 110))
    return " ".join(words).capitalize() + "."


def _segments(body: str) -> list[dict[str, Any]]:
    """Timed segments as a transcribed reply carries them: about 12 words (4 s) each."""
    words = body.split()
    return [{"start": i / 3.0, "end": (i + len(words[i:i + 12])) / 3.0,
             "text": " ".join(words[i:i + 12]), "confidence": 0.9}
            for i in range(0, len(words), 12)]


def seed(engine: sa.Engine, entries: int, couples: int, seed_value: int) -> dict[str, Any]:
    """Couples, people, journals, entries and some responses, sealed as the product seals
    them (scripts/sealed_seed.py); returns timings."""
    rng = random.Random(seed_value)
    vocab = _vocabulary(rng)
    weights = [1.0 / (i + 1) for i in range(len(vocab))]  # Zipf-like: some words are common
    rng.shuffle(weights)
    started = time.perf_counter()
    world = seed_sealed(engine, entries, couples, rng, lambda r: _text(r, vocab, weights),
                        segments=_segments)
    return {"seed_s": round(time.perf_counter() - started, 1), "people": world.people,
            "couples": couples, "entries": entries, "responses": world.responses,
            "sealed": True, "search_words": list(COMMON)}


def existing(engine: sa.Engine) -> dict[str, Any]:
    """The counts of a journal seeded by an earlier run (``--reuse``)."""
    with Session(engine) as session:
        def count(table: Any) -> int:
            return int(session.exec(select(sa.func.count()).select_from(table)).one())

        people = count(Person)
        return {"seed_s": 0.0, "people": people, "couples": count(Couple),
                "entries": count(Entry), "responses": count(Response), "sealed": True,
                "search_words": list(COMMON), "reused": True}


def targets_for(engine: sa.Engine, clients: int, rng: random.Random) -> list[dict[str, Any]]:
    """One person per client, with the entry ids that person may see."""
    chosen = []
    with Session(engine, expire_on_commit=False) as session:
        total = session.exec(select(sa.func.count()).select_from(Person)).one()
        for pid in rng.sample(range(1, total + 1), clients):
            partner = pid + 1 if pid % 2 == 1 else pid - 1
            shared_journal = total + (pid - 1) // 2 + 1
            visible = list(session.exec(select(Entry.id).where(sa.or_(
                col(Entry.journal_id) == pid,
                sa.and_(col(Entry.journal_id) == shared_journal,
                        col(Entry.author_id).in_([pid, partner]))))))
            chosen.append({"name": f"person-{pid}", "entries": visible})
    return chosen


def sign_in_all(base_url: str, targets: list[dict[str, Any]]) -> None:
    """Each client signs in as a person would, which unlocks their journal on the server."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for target in targets:
            r = client.post("/api/auth/token", json={"name": target["name"],
                                                     "passphrase": PASSPHRASE})
            r.raise_for_status()
            target["token"] = r.json()["access_token"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(data_dir: Path, port: int, log: Path,
                 processes: int = 1) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CONFIDE_", "PROMETHEUS_"))}
    env.update(CONFIDE_DATA_DIR=str(data_dir), CONFIDE_CONFIG=str(data_dir / "none.toml"),
               PYTHONPATH=str(ROOT))
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "confide.cli_serve", "--host",
                                 "127.0.0.1", "--port", str(port), "--workers",
                                 str(processes)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited:\n" + log.read_text())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 503):
                time.sleep(2)  # let the worker finish loading its model before measuring
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start:\n" + log.read_text())


def _path(op: str, target: dict[str, Any], rng: random.Random, words: list[str]) -> str:
    if op == "list":
        return "/api/entries?limit=20"
    if op == "get":
        return f"/api/entries/{rng.choice(target['entries'])}"
    return f"/api/search?q={rng.choice(words)}&limit=20"


class LeanClient:
    """One keep-alive HTTP/1.1 connection doing plain GETs: the least client work per request.

    The clients share this machine's two cores with the server, and httpx spends about as
    much CPU per request as the server does, so with it the figures measure the load
    generator as much as Confide (``--client httpx`` shows by how much). The response is
    read whole (status line, headers, Content-Length body) and the status checked.
    """

    def __init__(self, base_url: str, token: str) -> None:
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.prefix = f"Host: {host}\r\nAuthorization: Bearer {token}\r\nAccept: */*\r\n\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> LeanClient:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.writer is not None:
            self.writer.close()

    async def get(self, path: str) -> int:
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\n{self.prefix}".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError("response without Content-Length")
        await self.reader.readexactly(length)
        return int(head[9:12])


class HttpxClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=30,
                                        headers={"Authorization": f"Bearer {token}"})

    async def __aenter__(self) -> HttpxClient:
        await self.client.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.__aexit__(*exc)

    async def get(self, path: str) -> int:
        return (await self.client.get(path)).status_code


CLIENTS: dict[str, type[LeanClient] | type[HttpxClient]] = {"lean": LeanClient,
                                                             "httpx": HttpxClient}


def _tree_cpu(server: psutil.Process) -> float:
    """User + system seconds of the server and its worker processes (``--workers N``)."""
    total = 0.0
    for proc in (server, *server.children(recursive=True)):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(proc.cpu_times()[:2])
    return total


async def measure(base_url: str, op: str, targets: list[dict[str, Any]], requests: int,
                  words: list[str], seed_value: int, think_s: float,
                  server: psutil.Process, client_kind: str = "lean") -> dict[str, Any]:
    """``requests`` calls of one operation spread over len(targets) concurrent clients, each
    waiting ``think_s`` between its requests (0: back to back, the server saturated)."""
    per_client = max(1, requests // len(targets))
    latencies: list[float] = []
    errors = 0
    make = CLIENTS[client_kind]

    async def client_loop(index: int, target: dict[str, Any]) -> None:
        nonlocal errors
        rng = random.Random(seed_value * 1000 + index)
        async with make(base_url, target["token"]) as client:
            for _ in range(3):  # warm the connection
                await client.get(_path(op, target, rng, words))
            for _ in range(per_client):
                if think_s:
                    await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
                t0 = time.perf_counter()
                status = await client.get(_path(op, target, rng, words))
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    errors += 1

    cpu_before = _tree_cpu(server)
    own_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(i, t) for i, t in enumerate(targets)))
    wall = time.perf_counter() - started
    cpu = _tree_cpu(server) - cpu_before
    own = time.process_time() - own_before
    calls = len(latencies) + 3 * len(targets)
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "max_ms": round(latencies[-1], 2),
        "throughput_rps": round(len(latencies) / wall, 1),
        # Server CPU per request (warm-up included): comparable across machines and loads.
        "server_cpu_ms_per_request": round(cpu * 1000 / calls, 2),
        "client_cpu_ms_per_request": round(own * 1000 / calls, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--couples", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=3_200, help="per operation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--think-ms", type=float, default=1000.0,
                        help="pause of each client between requests in the paced run")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="lean",
                        help="the load generator's HTTP client (see LeanClient)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep the seeded data here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the journal already seeded in --data-dir (seeding "
                        "100,000 sealed entries takes minutes)")
    parser.add_argument("--processes", default=None,
                        help="comma-separated API process counts (e.g. 1,2): the saturated "
                        "run once per count, `confide serve --workers N`")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="confide-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / "confide.db"
    if args.reuse and db.exists():
        engine = create_db_engine(f"sqlite:///{db}")
        seeded = existing(engine)
    else:
        db.unlink(missing_ok=True)
        engine = create_db_engine(f"sqlite:///{db}")
        migrate(engine)
        seeded = seed(engine, args.entries, args.couples, args.seed)
    words = seeded.pop("search_words")
    rng = random.Random(args.seed)
    targets = targets_for(engine, args.clients, rng)
    engine.dispose()
    # A fresh seed leaves hundreds of MB of dirty pages, written back while the paced run
    # goes on; fresh-seed runs spent 25-60 % more server CPU per request than --reuse runs of
    # the same journal (the writeback is the likeliest cause, not proven). Write them out first.
    os.sync()
    print(f"seeded {seeded['entries']} entries for {seeded['people']} people "
          f"in {seeded['seed_s']} s", flush=True)

    if args.processes:
        scaling(args, data_dir, targets, words, seeded)
        return
    port = free_port()
    log = data_dir / "server.log"
    server = start_server(data_dir, port, log)
    results: dict[str, dict[str, Any]] = {"saturated": {}, "paced": {}}
    try:
        sign_in_all(f"http://127.0.0.1:{port}", targets)
        for mode, think in (("paced", args.think_ms / 1000), ("saturated", 0.0)):
            for op in ("list", "get", "search"):
                got = asyncio.run(measure(f"http://127.0.0.1:{port}", op, targets,
                                          args.requests, words, args.seed, think,
                                          psutil.Process(server.pid), args.client))
                results[mode][op] = got
                print(f"{mode:>9} {op:>6}: p50 {got['p50_ms']} ms, p99 {got['p99_ms']} ms, "
                      f"{got['throughput_rps']} req/s, server CPU "
                      f"{got['server_cpu_ms_per_request']} ms/req, errors {got['errors']}",
                      flush=True)
    finally:
        server.terminate()
        server.wait(30)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    targets_ms = {"list": 20, "get": 20, "search": 50}
    summary = {
        "bench": "api",
        "when": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(terse=True)},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "clients": args.clients,
        "client": args.client,
        "think_ms_paced": args.think_ms,
        **dict(seeded.items()),
        **results,
        "targets_p99_ms": targets_ms,
        "meets_targets": {mode: all(results[mode][op]["p99_ms"] <= ms
                                    and results[mode][op]["errors"] == 0
                                    for op, ms in targets_ms.items()) for mode in results},
    }
    print(json.dumps(summary, separators=(",", ":")))


def scaling(args: argparse.Namespace, data_dir: Path, targets: list[dict[str, Any]],
            words: list[str], seeded: dict[str, Any]) -> None:
    """Saturated throughput and p99 per operation for each API process count."""
    counts = [int(n) for n in args.processes.split(",")]
    results: dict[str, dict[str, Any]] = {}
    try:
        for count in counts:
            port = free_port()
            server = start_server(data_dir, port, data_dir / f"server-{count}.log", count)
            try:
                sign_in_all(f"http://127.0.0.1:{port}", targets)
                results[str(count)] = {}
                for op in ("list", "get", "search"):
                    got = asyncio.run(measure(f"http://127.0.0.1:{port}", op, targets,
                                              args.requests, words, args.seed, 0.0,
                                              psutil.Process(server.pid), args.client))
                    results[str(count)][op] = got
                    print(f"{count} process(es) {op:>6}: p50 {got['p50_ms']} ms, p99 "
                          f"{got['p99_ms']} ms, {got['throughput_rps']} req/s, server CPU "
                          f"{got['server_cpu_ms_per_request']} ms/req, errors {got['errors']}",
                          flush=True)
            finally:
                server.terminate()
                server.wait(30)
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    first = str(counts[0])
    ratio = {str(n): {op: round(results[str(n)][op]["throughput_rps"]
                                / results[first][op]["throughput_rps"], 2)
                      for op in results[first]} for n in counts}
    print(json.dumps({
        "bench": "api-processes",
        "when": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(terse=True)},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "clients": args.clients, "client": args.client,
        **dict(seeded.items()),
        "saturated_by_processes": results,
        "throughput_ratio_to_first": ratio,
    }, separators=(",", ":")))


if __name__ == "__main__":
    main()
