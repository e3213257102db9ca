"""Search over 100k sealed entries: in-process, and `confide entries search` from a fresh
process (target: p95 of 10 runs at most 0.5 s from process start to exit).

Seeds a real, migrated SQLite data dir with N entries spread over many couples, sealed as
the journal seals them: every entry's words in a SecretBox under its own data key, the key
wrapped for its readers (method 'secret', as after an unlock) and its words in the blind
index as keyed hashes (search_term rows). The seeding writes precomputed sealed blobs with
direct inserts, for speed; the one person searched (p1, paired with p2) has real keys with
the default Argon2id cost, so the CLI unlocks as a person's terminal does.

Then it times (a) ``models.search.search`` in-process for p1 over several queries, against
``list_entries`` as a baseline; (b) ``confide entries search WORDS --as p1`` as a new
process, the passphrase on standard input, 10 runs per query, beside `confide --version`
(the start-up floor); and (c) the same command in a shell after
``eval "$(confide unlock --as p1)"``, where the unlock agent answers it (confide/cli_quick.py),
10 runs per query piped and 10 on a terminal (a pseudo-terminal, 120 columns: the table).
Every time is a fresh process's, from its start to its exit, as a person at a terminal
waits for it; (c)'s printed lines must equal (b)'s, or the run stops. Prints the figures,
then one JSON object.

The processes run as a person's installed `confide` does, with Python's compiled bytecode
kept between runs (here under the data folder, PYTHONPYCACHEPREFIX): an environment that
sets PYTHONDONTWRITEBYTECODE would otherwise make every process recompile the project's
modules; ``--no-bytecode-cache`` keeps the environment as it is.

``--compare-with DIR`` times another checkout's `confide` beside this one's, run for run in
turn, for (b) and (c) piped, so a change is measured before and after under the same load
(``git worktree add --detach /tmp/before HEAD~1``, or ``git archive REV | tar -x -C DIR``).

    .venv/bin/python scripts/bench_search.py [--entries 100000] [--couples 2000] [--runs 10]
    .venv/bin/python scripts/bench_search.py --keep /tmp/bench100k   # seed once, rerun
    .venv/bin/python scripts/bench_search.py --keep /tmp/bench100k --compare-with /tmp/before
"""

from __future__ import annotations

import argparse
import fcntl
import json
import math
import os
import pty
import random
import resource
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from confide.models import crypto, entries, keys, sealing, search
from confide.models.db import create_db_engine, migrate
from confide.models.keys import Keys
from confide.models.tables import Person

WORDS = ["trust", "honesty", "dinner", "phones", "listening", "promise", "apology", "morning",
    "walk", "work", "tired", "grateful", "kindness", "patience", "family", "weekend", "calm",
    "anxious", "hope", "repair", "boundaries", "jealous", "secret", "share", "quiet",
    "garden", "coffee", "laugh", "argument", "forgive", "space", "time"]
TAGS = ["us", "repair", "work", "family", "walks"]
PASSPHRASE = "bench passphrase for p1"
QUERIES = ["honesty", "dinner phones", "promise", "forgive argument", "garden coffee walk"]
TARGET_S = 0.5


def _stamp(moment: datetime) -> str:
    """A naive UTC time as SQLAlchemy's SQLite DateTime stores it."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(engine: sa.Engine, n_entries: int, n_couples: int, rng: random.Random) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    n_people = n_couples * 2
    with engine.begin() as conn:
        couples = [{"id": c + 1, "created_by": c * 2 + 1, "created_at": now}
                   for c in range(n_couples)]
        people = [{"id": i + 1, "name": f"p{i + 1}", "timezone": "UTC", "created_at": now,
                   "couple_id": i // 2 + 1} for i in range(n_people)]
        conn.execute(sa.insert(sa.table("couple", *(sa.column(k) for k in couples[0]))), couples)
        conn.execute(sa.insert(sa.table("person", *(sa.column(k) for k in people[0]))), people)
        journals = [{"id": p["id"], "kind": "private", "owner_id": p["id"], "couple_id": None}
                    for p in people]
        journals += [{"id": n_people + c + 1, "kind": "shared", "owner_id": None,
                      "couple_id": c + 1} for c in range(n_couples)]
        conn.execute(sa.insert(sa.table("journal", *(sa.column(k) for k in journals[0]))),
                     journals)
    # The searched couple has real keys (p1 unlocks with a passphrase at the default cost);
    # everyone else's secrets exist only here, as nobody else is ever unlocked.
    with Session(engine) as s:
        p1, p2 = s.get(Person, 1), s.get(Person, 2)
        assert p1 is not None and p2 is not None
        p1_keys, _words = keys.create_person_keys(s, p1, PASSPHRASE)
        keys.create_person_keys(s, p2, None)
        keys.ensure_couple_key(s, 1, [1, 2])
        s.commit()
        couple_secret = p1_keys.secret_for(s, ("couple", 1))
    person_secret = {i: crypto.new_key() for i in range(2, n_people + 1)}
    person_secret[1] = p1_keys.secret
    couple_secrets = {c: crypto.new_key() for c in range(2, n_couples + 1)}
    couple_secrets[1] = couple_secret
    wrap_keys: dict[tuple[str, int], bytes] = {}
    index_keys: dict[tuple[str, int], bytes] = {}
    terms: dict[tuple[tuple[str, int], str], bytes] = {}

    def secret(reader: tuple[str, int]) -> bytes:
        return person_secret[reader[1]] if reader[0] == "person" else couple_secrets[reader[1]]

    def wrap_key(reader: tuple[str, int]) -> bytes:
        if reader not in wrap_keys:
            wrap_keys[reader] = crypto.derive(secret(reader), "wrap")
        return wrap_keys[reader]

    def term(scope: tuple[str, int], word: str) -> bytes:
        found = terms.get((scope, word))
        if found is None:
            if scope not in index_keys:
                index_keys[scope] = crypto.derive(secret(scope), "index")
            found = terms[(scope, word)] = crypto.index_term(index_keys[scope], word)
        return found

    stem = {w: search.stems(w)[0] for w in WORDS}
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        entry_rows: list[tuple[Any, ...]] = []
        key_rows: list[tuple[Any, ...]] = []
        term_rows: list[tuple[Any, ...]] = []

        def flush() -> None:
            cur.executemany(
                "INSERT INTO entry (id, author_id, journal_id, kind, transcript, segments, "
                "word_count, tags, status, sealed, indexed, created_at, updated_at) "
                "VALUES (?, ?, ?, 'reflection', '', '[]', ?, '[]', 'ready', ?, 1, ?, ?)",
                entry_rows)
            cur.executemany(
                "INSERT INTO item_key (item_kind, item_id, reader_kind, reader_id, method, "
                "wrapped) VALUES ('entry', ?, ?, ?, 'secret', ?)", key_rows)
            cur.executemany("INSERT INTO search_term (entry_id, term) VALUES (?, ?)", term_rows)
            entry_rows.clear()
            key_rows.clear()
            term_rows.clear()

        for i in range(n_entries):
            entry_id = i + 1
            author = rng.randrange(n_people) + 1
            couple = (author - 1) // 2 + 1
            shared = rng.random() < 0.5
            journal = n_people + couple if shared else author
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80)))
            tags = rng.sample(TAGS, rng.randint(0, 2))
            data_key = os.urandom(32)
            blob = sealing.seal_values(data_key, {"transcript": text, "segments": [],
                                                  "mood": None, "tags": tags})
            created = _stamp(now - timedelta(minutes=i))
            entry_rows.append((entry_id, author, journal, len(text.split()), blob, created,
                               _stamp(now)))
            readers = [("person", author)] + ([("couple", couple)] if shared else [])
            for reader in readers:
                key_rows.append((entry_id, reader[0], reader[1],
                                 crypto.seal_box(wrap_key(reader), data_key)))
            scope = readers[-1]
            words = list(dict.fromkeys(stem[w] for w in text.split()))  # = search.stems(text)
            for word in [*words, *(f"#{t}" for t in tags)]:
                term_rows.append((entry_id, term(scope, word)))
            if len(entry_rows) == 5000:
                flush()
        flush()
        raw.commit()
    finally:
        raw.close()


def _quantile(values: list[float], q: float) -> float:
    """Nearest rank: with 10 runs the p95 is the slowest run."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("confide")
    return [str(script)] if script.exists() else [sys.executable, "-m", "confide"]


LAUNCH = [sys.executable, "-P", "-c",
          "import sys; from confide.cli_quick import main; sys.argv[0] = 'confide'; main()"]
"""What the console script runs, for the checkout given with --compare-with: first on the
path (PYTHONPATH, and -P keeps the current folder off it), before this one's install."""


CPU_S: list[float] = []
"""CPU seconds (user + system) of each fresh process, beside its wall time: under other load
the wall time grows with the queue for the cores, the CPU time much less."""


def _run(command: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env,
                          check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_S.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()}")
    return elapsed, done.stdout


def _run_tty(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """The command with its output on a terminal (a pseudo-terminal 120 columns wide, as a
    person's): from its start until it exits and all it printed is read."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=follower,
                            stderr=follower, env=env)
    os.close(follower)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    code = proc.wait()
    elapsed = time.perf_counter() - start
    text = b"".join(chunks).decode(errors="replace")
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed on a terminal: {text.strip()[-500:]}")
    return elapsed, text


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--couples", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=20, help="in-process rounds of queries")
    parser.add_argument("--runs", type=int, default=10, help="fresh processes per query")
    parser.add_argument("--keep", type=Path, help="seed into (or reuse) this folder")
    parser.add_argument("--compare-with", type=Path, metavar="DIR",
                        help="another checkout whose confide runs beside this one's, in turn")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="leave PYTHONDONTWRITEBYTECODE and PYTHONPYCACHEPREFIX as they are")
    args = parser.parse_args()
    rng = random.Random(7)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="confide-bench-search-"))
    data_dir = folder / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(f"sqlite:///{data_dir / 'confide.db'}")
    seeded_s = 0.0
    with engine.connect() as conn:
        has_rows = sa.inspect(conn).has_table("entry") and conn.execute(
            sa.text("SELECT count(*) FROM entry")).scalar()
    if not has_rows:
        migrate(engine)
        start = time.perf_counter()
        seed(engine, args.entries, args.couples, rng)
        seeded_s = time.perf_counter() - start
    with engine.connect() as conn:
        n_entries = int(conn.execute(sa.text("SELECT count(*) FROM entry")).scalar() or 0)
        n_terms = int(conn.execute(sa.text("SELECT count(*) FROM search_term")).scalar() or 0)

    timings: dict[str, list[float]] = {"search": [], "list": []}
    hits: dict[str, int] = {}
    with Session(engine) as s:
        person = s.get(Person, 1)
        assert person is not None
        t = time.perf_counter()
        unlocked: Keys = keys.unlock(s, person, PASSPHRASE)
        unlock_ms = (time.perf_counter() - t) * 1000
        sealing.use_keys(s, unlocked)
        for _ in range(args.repeat):
            for q in QUERIES:
                t = time.perf_counter()
                hits[q] = len(search.search(s, person, q))
                timings["search"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            entries.list_entries(s, person, limit=50)
            timings["list"].append((time.perf_counter() - t) * 1000)
    engine.dispose()

    env = {**os.environ, "CONFIDE_DATA_DIR": str(data_dir),
           "CONFIDE_CONFIG": str(folder / "none.toml")}
    for name in ("CONFIDE_DATABASE_URL", "CONFIDE_PERSON", "CONFIDE_AGENT"):
        env.pop(name, None)
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    cli = _cli()
    other: tuple[list[str], dict[str, str]] | None = None
    if args.compare_with is not None:
        root = args.compare_with.resolve()
        other = (LAUNCH, {**env, "PYTHONPATH": str(root)})
        where = subprocess.run([*LAUNCH[:2], "-c", "import confide; print(confide.__file__)"],
                               env=other[1], capture_output=True, text=True, check=True).stdout
        if not Path(where.strip()).is_relative_to(root):
            raise SystemExit(f"--compare-with {root}: confide loads from {where.strip()}")
        # Each checkout compiles its bytecode and warms the page cache before it is timed.
        _run([*other[0], "entries", "search", "warm", "--as", "p1"], other[1], PASSPHRASE + "\n")
    _run([*cli, "entries", "search", "warm", "--as", "p1"], env, PASSPHRASE + "\n")
    floor = [_run([*cli, "--version"], env)[0] for _ in range(args.runs)]
    floor_cpu = list(CPU_S[-len(floor):])
    CPU_S.clear()
    process: dict[str, list[float]] = {}
    lines: dict[str, int] = {}
    printed: dict[str, str] = {}
    compared: dict[str, list[float]] = {}
    compared_cpu: list[float] = []
    search_cpu: list[float] = []
    for q in QUERIES:
        process[q], compared[q] = [], []
        words = ["entries", "search", *q.split(), "--as", "p1"]
        for _ in range(args.runs):
            if other is not None:
                elapsed, stdout = _run([*other[0], *words], other[1], PASSPHRASE + "\n")
                compared[q].append(elapsed)
                compared_cpu.append(CPU_S.pop())
            elapsed, stdout = _run([*cli, *words], env, PASSPHRASE + "\n")
            search_cpu.append(CPU_S.pop())
            process[q].append(elapsed)
            lines[q] = len(stdout.splitlines())
            printed[q] = stdout
    every = [v for values in process.values() for v in values]
    CPU_S.clear()
    # The same after `eval "$(confide unlock --as p1)"`: the unlock agent holds the key and
    # answers the search itself (a person searching again and again in one terminal session).
    started = time.perf_counter()
    _elapsed, exported = _run([*cli, "unlock", "--as", "p1", "--minutes", "5"], env,
                              PASSPHRASE + "\n")
    unlock_s = time.perf_counter() - started
    agent_env = dict(env)
    for statement in exported.replace("\n", ";").split(";"):  # CONFIDE_AGENT='…'; export …
        for word in shlex.split(statement):
            name, sep, value = word.partition("=")
            if sep and name == "CONFIDE_AGENT":
                agent_env[name] = value
    if "CONFIDE_AGENT" not in agent_env:
        raise SystemExit(f"confide unlock printed no agent: {exported!r}")
    agent: dict[str, list[float]] = {}
    agent_tty: dict[str, list[float]] = {}
    tty_lines: dict[str, int] = {}
    compared_agent: dict[str, list[float]] = {}
    agent_cpu: list[float] = []
    try:
        time.sleep(3)  # the agent loads the search code right after it starts
        for q in QUERIES:
            agent[q], agent_tty[q], compared_agent[q] = [], [], []
            for _ in range(args.runs):
                if other is not None:
                    compared_agent[q].append(_run(
                        [*other[0], "entries", "search", *q.split(), "--as", "p1"],
                        {**other[1], "CONFIDE_AGENT": agent_env["CONFIDE_AGENT"]})[0])
                    CPU_S.pop()
                elapsed, stdout = _run([*cli, "entries", "search", *q.split(), "--as", "p1"],
                                       agent_env)
                agent_cpu.append(CPU_S.pop())
                if stdout != printed[q]:
                    raise SystemExit(f"the agent's answer to {q!r} differs from the command's")
                agent[q].append(elapsed)
            for _ in range(args.runs):
                elapsed, shown = _run_tty([*cli, "entries", "search", *q.split(), "--as", "p1"],
                                          agent_env)
                agent_tty[q].append(elapsed)
                tty_lines[q] = len(shown.splitlines())
    finally:
        subprocess.run([*cli, "lock"], env=agent_env, capture_output=True, check=False)
    every_agent = [v for values in agent.values() for v in values]
    every_tty = [v for values in agent_tty.values() for v in values]

    def p(values: list[float], q: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(q) - 1], 2)

    result = {
        "entries": n_entries, "search_terms": n_terms, "couples": args.couples,
        "seed_s": round(seeded_s, 1),
        "in_process": {"search_p50_ms": p(timings["search"], 50),
                       "search_p95_ms": p(timings["search"], 95),
                       "search_p99_ms": p(timings["search"], 99),
                       "list_p50_ms": p(timings["list"], 50),
                       "unlock_ms": round(unlock_ms, 1), "hits": hits},
        "process": {"runs_per_query": args.runs,
                    "p95_s_by_query": {q: round(_quantile(v, 0.95), 3)
                                       for q, v in process.items()},
                    "p50_s": round(statistics.median(every), 3),
                    "p95_s": round(_quantile(every, 0.95), 3),
                    "worst_query_p95_s": round(max(_quantile(v, 0.95)
                                                   for v in process.values()), 3),
                    "version_p50_s": round(statistics.median(floor), 3),
                    "cpu_p50_s": round(statistics.median(search_cpu), 3),
                    "version_cpu_p50_s": round(statistics.median(floor_cpu), 3),
                    "unlock_s": round(unlock_s, 3),
                    "with_agent_p50_s": round(statistics.median(every_agent), 3),
                    "with_agent_p95_s": round(_quantile(every_agent, 0.95), 3),
                    "with_agent_worst_query_p95_s": round(max(
                        _quantile(v, 0.95) for v in agent.values()), 3),
                    "with_agent_p95_s_by_query": {q: round(_quantile(v, 0.95), 3)
                                                  for q, v in agent.items()},
                    "with_agent_cpu_p50_s": round(statistics.median(agent_cpu), 3),
                    "with_agent_terminal_p50_s": round(statistics.median(every_tty), 3),
                    "with_agent_terminal_p95_s": round(_quantile(every_tty, 0.95), 3),
                    "with_agent_terminal_worst_query_p95_s": round(max(
                        _quantile(v, 0.95) for v in agent_tty.values()), 3),
                    "agent_output_equals_command_output": True,
                    "terminal_lines_printed": tty_lines,
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                    "cpus": os.cpu_count(),
                    "bytecode_cache": not args.no_bytecode_cache,
                    "lines_printed": lines},
        "target_process_p95_s": TARGET_S,
    }
    if other is not None:
        every_other = [v for values in compared.values() for v in values]
        every_other_agent = [v for values in compared_agent.values() for v in values]
        result["compared_with"] = {
            "root": str(args.compare_with),
            "p50_s": round(statistics.median(every_other), 3),
            "p95_s": round(_quantile(every_other, 0.95), 3),
            "worst_query_p95_s": round(max(_quantile(v, 0.95) for v in compared.values()), 3),
            "cpu_p50_s": round(statistics.median(compared_cpu), 3),
            "with_agent_p50_s": round(statistics.median(every_other_agent), 3),
            "with_agent_p95_s": round(_quantile(every_other_agent, 0.95), 3),
            "with_agent_worst_query_p95_s": round(max(
                _quantile(v, 0.95) for v in compared_agent.values()), 3)}
    ip, pr = result["in_process"], result["process"]
    assert isinstance(ip, dict) and isinstance(pr, dict)
    print(f"{n_entries} sealed entries, {n_terms} index terms (seeded in {seeded_s:.1f} s)")
    print(f"(a) models.search.search in-process: p50 {ip['search_p50_ms']} ms, "
          f"p95 {ip['search_p95_ms']} ms, p99 {ip['search_p99_ms']} ms; "
          f"list_entries p50 {ip['list_p50_ms']} ms; unlock (Argon2id) {ip['unlock_ms']} ms")
    print(f"(b) `confide entries search` as a fresh process, {args.runs} runs per query: "
          f"p50 {pr['p50_s']} s, p95 {pr['p95_s']} s, worst query's p95 "
          f"{pr['worst_query_p95_s']} s (target <= {TARGET_S} s); `confide --version` p50 "
          f"{pr['version_p50_s']} s")
    print(f"    CPU time per process (user + system): search p50 {pr['cpu_p50_s']} s, "
          f"`confide --version` p50 {pr['version_cpu_p50_s']} s")
    print(f"(c) after `confide unlock` ({pr['unlock_s']} s), answered by the unlock agent: "
          f"piped p50 {pr['with_agent_p50_s']} s, p95 {pr['with_agent_p95_s']} s, worst "
          f"query's p95 {pr['with_agent_worst_query_p95_s']} s (CPU p50 "
          f"{pr['with_agent_cpu_p50_s']} s); on a terminal p50 "
          f"{pr['with_agent_terminal_p50_s']} s, p95 {pr['with_agent_terminal_p95_s']} s, "
          f"worst query's p95 {pr['with_agent_terminal_worst_query_p95_s']} s; the same lines "
          "as (b)")
    print(f"    load average {pr['load_average']} on {pr['cpus']} CPUs")
    if other is not None:
        co = result["compared_with"]
        assert isinstance(co, dict)
        print(f"beside it, {co['root']}, in turn: (b) p50 {co['p50_s']} s, p95 {co['p95_s']} s, "
              f"worst query's p95 {co['worst_query_p95_s']} s (CPU p50 {co['cpu_p50_s']} s); "
              f"(c) piped p50 {co['with_agent_p50_s']} s, p95 {co['with_agent_p95_s']} s, "
              f"worst query's p95 {co['with_agent_worst_query_p95_s']} s")
    for label, worst in (("(b) with the passphrase", pr["worst_query_p95_s"]),
                         ("(c) with the agent, piped", pr["with_agent_worst_query_p95_s"]),
                         ("(c) with the agent, on a terminal",
                          pr["with_agent_terminal_worst_query_p95_s"])):
        verdict = "meets" if worst <= TARGET_S else "misses"
        print(f"{label}: {verdict} the target (worst query's p95 {worst} s, target "
              f"<= {TARGET_S} s)")
    print(f"(b) spends {pr['version_p50_s']} s starting, {ip['unlock_ms'] / 1000:.2f} s "
          f"unlocking, {ip['search_p50_ms'] / 1000:.3f} s searching")
    print(json.dumps(result))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
