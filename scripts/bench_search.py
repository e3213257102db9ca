"""Search over 100k entries: how long one person's full-text search takes (target < 50 ms).

Seeds a real SQLite file (migrated, FTS5 triggers live) with N entries spread over many
couples, then times `models.search.search` for one person with several queries, against
the same person's plain `list_entries` as a baseline. Prints a JSON object on its last line.

    .venv/bin/python scripts/bench_search.py [--entries 100000] [--couples 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from models import entries, search
from models.db import create_db_engine, migrate
from models.tables import Journal, Person

WORDS = ["trust", "honesty", "dinner", "phones", "listening", "promise", "apology", "morning",
    "walk", "work", "tired", "grateful", "kindness", "patience", "family", "weekend", "calm",
    "anxious", "hope", "repair", "boundaries", "jealous", "secret", "share", "quiet",
    "garden", "coffee", "laugh", "argument", "forgive", "space", "time"]


def seed(engine: sa.Engine, n_entries: int, n_couples: int, rng: random.Random) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        people = [{"id": i + 1, "name": f"p{i + 1}", "timezone": "UTC", "created_at": now,
                   "couple_id": i // 2 + 1} for i in range(n_couples * 2)]
        couples = [{"id": c + 1, "created_by": c * 2 + 1, "created_at": now}
                   for c in range(n_couples)]
        conn.execute(sa.insert(sa.table("couple", *(sa.column(k) for k in couples[0]))), couples)
        conn.execute(sa.insert(sa.table("person", *(sa.column(k) for k in people[0]))), people)
        journals = [{"id": p["id"], "kind": "private", "owner_id": p["id"], "couple_id": None}
                    for p in people]
        journals += [{"id": len(people) + c + 1, "kind": "shared", "owner_id": None,
                      "couple_id": c + 1} for c in range(n_couples)]
        conn.execute(sa.insert(sa.table("journal", *(sa.column(k) for k in journals[0]))),
                     journals)
        rows = []
        for i in range(n_entries):
            author = rng.randrange(len(people)) + 1
            shared = rng.random() < 0.5
            journal = len(people) + (author - 1) // 2 + 1 if shared else author
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 80)))
            rows.append({"author_id": author, "journal_id": journal, "kind": "reflection",
                         "transcript": text, "segments": "[]", "tags": "[]", "word_count": 50,
                         "status": "ready", "created_at": now - timedelta(minutes=i),
                         "updated_at": now})
            if len(rows) == 5000:
                conn.execute(sa.insert(sa.table("entry", *(sa.column(k) for k in rows[0]))),
                             rows)
                rows = []
        if rows:
            conn.execute(sa.insert(sa.table("entry", *(sa.column(k) for k in rows[0]))), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--couples", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp(prefix="confide-bench-search-"))
    engine = create_db_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate(engine)
    start = time.perf_counter()
    seed(engine, args.entries, args.couples, rng)
    seeded_s = time.perf_counter() - start
    queries = ["honesty", "dinner phones", "promise", "forgive argument", "gard"]
    timings: dict[str, list[float]] = {"search": [], "list": []}
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.id == 1)).one()
        assert s.exec(select(Journal).where(Journal.owner_id == 1)).one()
        for _ in range(args.repeat):
            for q in queries:
                t = time.perf_counter()
                hits = search.search(s, person, q)
                timings["search"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            entries.list_entries(s, person, limit=50)
            timings["list"].append((time.perf_counter() - t) * 1000)
        assert hits is not None

    def p(values: list[float], q: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(q) - 1], 2)

    result = {
        "entries": args.entries, "couples": args.couples, "seed_s": round(seeded_s, 1),
        "search_p50_ms": p(timings["search"], 50), "search_p99_ms": p(timings["search"], 99),
        "list_p50_ms": p(timings["list"], 50), "list_p99_ms": p(timings["list"], 99),
        "target_search_ms": 50,
    }
    print(f"search over {args.entries} entries: p50 {result['search_p50_ms']} ms, "
          f"p99 {result['search_p99_ms']} ms (target < 50 ms); list p50 "
          f"{result['list_p50_ms']} ms for comparison")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
