"""The newest migration, applied while two API processes of the release before it serve a
paced load (reads, written entries and spoken uploads), loses and fails no request; then the
new release starts beside them, the old processes stop gracefully, and every entry and
recording made meanwhile is there, transcribed (docs/DEPLOY.md, "Upgrades").

The release before is the code as it was just before the head migration was added (taken
from git), so the test follows each new migration: whatever it adds, the code one version
older must keep working while it runs. Runs when CONFIDE_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.api.test_multiprocess_postgres import _free_port, _speech

URL = os.environ.get("CONFIDE_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.api, pytest.mark.slow, pytest.mark.postgres,
    pytest.mark.skipif(not URL, reason="set CONFIDE_TEST_POSTGRES_URL to run against PostgreSQL"),
]

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "models" / "migrations" / "versions"
PASS = "a long enough passphrase"
THREADS = 3
PERIOD_S = 0.1  # per reading and writing client: about 30 requests a second in all
UPLOAD_PERIOD_S = 3.0  # spoken uploads (each is transcribed, which costs a core) ...
UPLOAD_PERIOD_MIGRATING_S = 1.0  # ... and more often around the migration, however short
PROBE_PERIOD_S = 0.25  # how often the proxy's health check asks each process
EXPECTED = {"list": 200, "get": 200, "search": 200, "write": 201, "upload": 202}


def _head_migration() -> tuple[Path, str, str]:
    """The head migration's file, its revision and the revision before it."""
    files = sorted(VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))
    text = files[-1].read_text()
    found = [re.search(rf"^{name} = '([^']+)'", text, re.M)
             for name in ("revision", "down_revision")]
    assert found[0] and found[1]
    return files[-1], found[0].group(1), found[1].group(1)


def _previous_release(into: Path) -> Path:
    """The source tree just before the head migration was added."""
    head_file = _head_migration()[0].relative_to(ROOT)
    try:
        added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--",
                                str(head_file)], cwd=ROOT, capture_output=True, text=True,
                               check=True, timeout=60).stdout.split()
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"no git history to take the release before from: {exc}")
    if not added:
        pytest.skip("the head migration is not committed yet")
    archive = into.parent / "previous.tar"
    done = subprocess.run(["git", "archive", "-o", str(archive), f"{added[-1]}^"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:  # a shallow clone holds no parent
        pytest.skip(f"the release before is not in this clone: {done.stderr.strip()}")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


@dataclass
class Call:
    op: str
    url: str
    started: float
    ended: float
    status: int | None
    error: str | None = None


@dataclass
class Person:
    name: str
    headers: dict[str, str]
    written: dict[int, str] = field(default_factory=dict)
    uploaded: list[int] = field(default_factory=list)


class PacedLoad:
    """A few clients, each sending one request every PERIOD_S to the next serving process in
    turn, as a proxy would (reads and written entries), one sending a spoken upload every
    ``upload_period``, and the proxy's health check asking every process in rotation whether
    it is ready (``/readyz``; ``/healthz`` on a release without it)."""

    def __init__(self, people: list[Person], clips: list[bytes]) -> None:
        self.people, self.clips = people, clips
        self.targets: list[str] = []
        self.upload_period = UPLOAD_PERIOD_S
        self.calls: list[Call] = []
        self.in_flight: dict[str, int] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.probes: list[Call] = []
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True)
                        for i in range(THREADS + 1)]
        self.threads.append(threading.Thread(target=self._health_check, daemon=True))

    def serve_from(self, urls: list[str]) -> None:
        with self.lock:
            self.targets = list(urls)

    def drained(self, url: str) -> bool:
        with self.lock:
            return self.in_flight.get(url, 0) == 0

    def _client(self, n: int) -> None:
        person = self.people[n % len(self.people)]
        with httpx.Client(timeout=20) as client:
            i = 0
            while not self.stop.is_set():
                tick = time.monotonic()
                with self.lock:
                    url = self.targets[(i + n) % len(self.targets)]
                    self.in_flight[url] = self.in_flight.get(url, 0) + 1
                try:
                    self._one(client, url, person, i, n)
                finally:
                    with self.lock:
                        self.in_flight[url] -= 1
                i += 1
                period = self.upload_period if n == THREADS else PERIOD_S
                self.stop.wait(max(0.0, period - (time.monotonic() - tick)))

    def _health_check(self) -> None:
        paths: dict[str, str] = {}
        with httpx.Client(timeout=5) as client:
            while not self.stop.wait(PROBE_PERIOD_S):
                with self.lock:
                    targets = list(self.targets)
                for url in targets:
                    started = time.monotonic()
                    try:
                        path = paths.get(url, "/readyz")
                        r = client.get(f"{url}{path}")
                        if r.status_code == 404 and path == "/readyz":
                            paths[url] = "/healthz"
                            r = client.get(f"{url}/healthz")
                        call = Call("probe", url, started, time.monotonic(), r.status_code)
                    except httpx.HTTPError as exc:
                        call = Call("probe", url, started, time.monotonic(), None, repr(exc))
                    with self.lock:
                        if url in self.targets:  # still in rotation when it answered
                            self.probes.append(call)

    def _one(self, client: httpx.Client, url: str, person: Person, i: int, n: int) -> None:
        op = "upload" if n == THREADS else ("write", "list", "get", "search")[i % 4]
        started = time.monotonic()
        try:
            if op == "write":
                text = f"client {n} wrote note {i} about the harbour"
                r = client.post(f"{url}/api/entries", headers=person.headers,
                                json={"text": text, "journal": "private"})
                if r.status_code == 201:
                    with self.lock:  # two clients act for each person
                        person.written[r.json()["id"]] = text
            elif op == "upload":
                r = client.post(f"{url}/api/recordings", headers=person.headers,
                                data={"journal": "private"},
                                files={"file": ("r.wav", self.clips[i % len(self.clips)],
                                                "audio/wav")})
                if r.status_code == 202:
                    with self.lock:
                        person.uploaded.append(r.json()["entry_id"])
            elif op == "get" and person.written:
                with self.lock:
                    entry_id = max(person.written)
                    text = person.written[entry_id]
                r = client.get(f"{url}/api/entries/{entry_id}", headers=person.headers)
                if r.status_code == 200 and r.json()["transcript"] != text:
                    raise AssertionError(f"entry {entry_id} read back other words")
            elif op == "search":
                r = client.get(f"{url}/api/search", params={"q": "harbour"},
                               headers=person.headers)
            else:
                op = "list"
                r = client.get(f"{url}/api/entries", headers=person.headers)
            call = Call(op, url, started, time.monotonic(), r.status_code)
        except Exception as exc:  # any of them is a failed request, never a dead client
            call = Call(op, url, started, time.monotonic(), None, repr(exc))
        with self.lock:
            self.calls.append(call)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[str, sa.Engine]]:
    assert URL is not None
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in URL else "?"
    db_url = f"{URL}{joiner}options=-csearch_path%3D{schema}"
    engine = sa.create_engine(db_url)
    try:
        yield db_url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _wait_up(url: str, path: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_the_head_migration_under_load_of_the_release_before(
        database: tuple[str, sa.Engine], tmp_path: Path) -> None:
    db_url, engine = database
    _head_file, head, before = _head_migration()
    old_tree = _previous_release(tmp_path / "previous")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONFIDE_", "PROMETHEUS_"))}
    # One machine, so the old processes share one data folder (the folder store).
    env.update(CONFIDE_DATABASE_URL=db_url, CONFIDE_DATA_DIR=str(tmp_path / "data"),
               CONFIDE_CONFIG=str(tmp_path / "none.toml"), CONFIDE_WHISPER_MODEL="bundled",
               CONFIDE_WHISPER_THREADS="1", CONFIDE_WHISPER_BEAM_SIZE="1",
               CONFIDE_WHISPER_MIN_WINDOW_S="10",  # a third of the encoding: words, not accuracy
               XDG_DATA_HOME=str(tmp_path / "x"))
    old_env, new_env = dict(env, PYTHONPATH=str(old_tree)), dict(env, PYTHONPATH=str(ROOT))
    made = subprocess.run([sys.executable, "-m", "confide", "db", "upgrade"], cwd=old_tree,
                          env=old_env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert _revision(engine) == before

    procs: dict[str, subprocess.Popen[bytes]] = {}

    def serve(name: str, tree: Path, proc_env: dict[str, str]) -> str:
        port = _free_port()
        with open(tmp_path / f"{name}.log", "wb") as log:
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "confide.cli_serve", "--host", "127.0.0.1", "--port",
                 str(port)], cwd=tree, env=proc_env, stdout=log, stderr=subprocess.STDOUT)
        return f"http://127.0.0.1:{port}"

    t0 = time.monotonic()
    try:
        a, b = serve("old-a", old_tree, old_env), serve("old-b", old_tree, old_env)
        for url, name in ((a, "old-a"), (b, "old-b")):
            _wait_up(url, "/healthz", procs[name], tmp_path / f"{name}.log")
        people = []
        for url, name in ((a, "Alex"), (b, "Sam")):
            r = httpx.post(f"{url}/api/auth/register", json={"name": name, "passphrase": PASS},
                           timeout=30)
            assert r.status_code == 201, r.text
            r = httpx.post(f"{url}/api/auth/token", json={"name": name, "passphrase": PASS},
                           timeout=30)
            people.append(Person(name, {"Authorization": f"Bearer {r.json()['access_token']}"}))
        load = PacedLoad(people, _speech(tmp_path))
        load.serve_from([a, b])
        t_load = time.monotonic()
        for thread in load.threads:
            thread.start()
        time.sleep(0.5)

        # --- the migration, as the operator runs it, with the new release's code, taking
        # --- no lock it would wait more than 5 s for (docs/DEPLOY.md) ------------------------
        load.upload_period = UPLOAD_PERIOD_MIGRATING_S
        time.sleep(UPLOAD_PERIOD_S)
        m_start = time.monotonic()
        upgrade = subprocess.run([sys.executable, "-m", "confide", "db", "upgrade"],
                                 cwd=ROOT, env=dict(new_env, CONFIDE_DATABASE_URL=db_url + (
                                     "%20-clock_timeout%3D5s")),
                                 capture_output=True, text=True, timeout=120)
        m_end = time.monotonic()
        load.upload_period = UPLOAD_PERIOD_S
        assert upgrade.returncode == 0, upgrade.stderr
        assert _revision(engine) == head

        # --- the rolling restart: the new release beside the old (which serve on the new
        # --- schema while it starts), then the old stop ----------------------------------------
        t_new = time.monotonic()
        c = serve("new-c", ROOT, new_env)
        _wait_up(c, "/readyz", procs["new-c"], tmp_path / "new-c.log")
        t_new = time.monotonic() - t_new
        load.serve_from([a, b, c])
        time.sleep(1.5)
        load.serve_from([c])
        deadline = time.monotonic() + 30
        while not (load.drained(a) and load.drained(b)):
            assert time.monotonic() < deadline, "requests to the old processes never ended"
            time.sleep(0.05)
        for name in ("old-a", "old-b"):
            procs[name].send_signal(signal.SIGTERM)
        for name in ("old-a", "old-b"):  # uvicorn ends by re-raising the signal it handled
            assert procs[name].wait(30) in (0, -signal.SIGTERM)
            assert "Application shutdown complete" in (tmp_path / f"{name}.log").read_text()
        time.sleep(1)
        load.stop.set()
        t_stop = time.monotonic()
        for thread in load.threads:
            thread.join(30)

        failed = [call for call in load.calls if call.status != EXPECTED[call.op]]
        assert failed == [], failed[:5]
        # No process in rotation ever answered not ready: the proxy kept them all.
        assert [p for p in load.probes if p.status != 200] == []
        assert {p.url for p in load.probes} == {a, b, c}
        during = [call for call in load.calls if call.ended > m_start and call.started < m_end]
        kinds = {call.op for call in during}
        assert {"write", "list", "upload"} <= kinds, kinds
        on = {url: sum(call.url == url for call in load.calls) for url in (a, b, c)}
        assert min(on.values()) >= 10, on
        slowest = max(call.ended - call.started for call in during)
        outside = sorted(call.ended - call.started for call in load.calls if call not in during)
        print(f"\nmigration {before} -> {head}: {m_end - m_start:.2f} s under load; "
              f"{len(load.calls)} requests ({on[a]} / {on[b]} old, {on[c]} new), "
              f"{len(during)} during the migration ({sum(c.op == 'upload' for c in during)} "
              f"uploads), slowest of those {slowest * 1000:.0f} ms "
              f"(outside it: p99 {outside[int(len(outside) * 0.99)] * 1000:.0f} ms, slowest "
              f"{outside[-1] * 1000:.0f} ms), "
              f"none failed; started in {t_load - t0:.1f} s, the new release ready in "
              f"{t_new:.1f} s, load for {t_stop - t_load:.1f} s")

        # --- nothing lost: the new release has every entry and every recording's words ------
        for person in people:
            have: set[int] = set()
            page: dict[str, Any] = {"next_cursor": ""}
            while page["next_cursor"] is not None:
                params = {"limit": 200} | ({"cursor": page["next_cursor"]}
                                           if page["next_cursor"] else {})
                page = httpx.get(f"{c}/api/entries", headers=person.headers, params=params,
                                 timeout=30).json()
                have |= {e["id"] for e in page["items"]}
            assert set(person.written) | set(person.uploaded) <= have
            for entry_id, text in person.written.items():
                got = httpx.get(f"{c}/api/entries/{entry_id}", headers=person.headers,
                                timeout=30).json()
                assert got["transcript"] == text
        uploads = sum(len(p.uploaded) for p in people)
        assert uploads >= 4

        def transcribed() -> bool:
            with engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT status, count(*) FROM transcriptionjob GROUP BY status")).all()
            return dict(rows) == {"done": uploads}  # never failed, each done

        deadline = time.monotonic() + 120
        while not transcribed():
            assert time.monotonic() < deadline, "the recordings were not all transcribed"
            for person in people:  # their requests unlock them for the in-process worker
                httpx.get(f"{c}/api/entries", headers=person.headers, timeout=30)
            time.sleep(0.5)
        print(f"{uploads} uploads, the last transcribed {time.monotonic() - t_stop:.1f} s "
              "after the load stopped")
        for person in people:
            for entry_id in person.uploaded:
                got = httpx.get(f"{c}/api/entries/{entry_id}", headers=person.headers,
                                timeout=30).json()
                assert got["status"] == "ready" and got["transcript"].strip(), got
                audio = httpx.get(f"{c}/api/entries/{entry_id}/audio",
                                  headers=person.headers, timeout=30)
                assert audio.status_code == 200 and len(audio.content) > 1000
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _revision(engine: sa.Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
