"""A deployment of several processes on real PostgreSQL: two API processes (as on two
machines: separate data folders, nothing shared but the database, which also holds the
recordings) and separate transcription workers with keys of their own.

50 real spoken uploads reach either API process; one worker is SIGKILLed while idle and
another in the middle of a job. Every job ends done exactly once (one job twice attempted:
the one cut off), every entry has its words, no worker wrap is left, and the privacy rules
hold whichever process answers. Runs when CONFIDE_TEST_POSTGRES_URL is set (scripts/test
sets it); the real bundled model, one thread per worker.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

URL = os.environ.get("CONFIDE_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.api, pytest.mark.slow, pytest.mark.postgres,
    pytest.mark.skipif(not URL, reason="set CONFIDE_TEST_POSTGRES_URL to run against PostgreSQL"),
]

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 50
LEASE_S = 4
PASS = "a long enough passphrase"
PHRASES = ("I listened to you tonight", "we walked to the river", "thank you for the letter",
           "I felt calm after dinner", "we talked about trust")
PRIVATE_WORD, SHARED_WORD = "marmalade", "lighthouse"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    assert URL is not None
    home = tmp_path_factory.mktemp("deploy")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in URL else "?"
    db_url = f"{URL}{joiner}options=-csearch_path%3D{schema}"
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("CONFIDE_", "PROMETHEUS_"))}
    base.update(CONFIDE_DATABASE_URL=db_url, CONFIDE_AUDIO_STORE="database",
                CONFIDE_CONFIG=str(home / "none.toml"), CONFIDE_WHISPER_MODEL="bundled",
                CONFIDE_WHISPER_THREADS="1", PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(home / "x"))
    procs: list[subprocess.Popen[bytes]] = []

    def env(name: str, **extra: str) -> dict[str, str]:
        e = dict(base, CONFIDE_DATA_DIR=str(home / name), **extra)
        (home / name).mkdir(exist_ok=True)
        return e

    def start(module: str, name: str, *args: str, **extra: str) -> subprocess.Popen[bytes]:
        with open(home / f"{name}.log", "wb") as log:  # the child keeps its own handle
            proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT,
                                    env=env(name, **extra), stdout=log,
                                    stderr=subprocess.STDOUT)
        procs.append(proc)
        return proc

    keys = {}
    for worker_machine in ("gpu-a", "gpu-b"):  # two worker machines, a key pair each
        key_file = home / worker_machine / "worker.key"
        keys[worker_machine] = str(key_file)
        done = subprocess.run([sys.executable, "-m", "confide.cli_worker", "--init"],
                              cwd=ROOT, env=env(worker_machine,
                                                CONFIDE_WORKER_KEY_FILE=str(key_file)),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    urls = []
    for name in ("api-a", "api-b"):
        port = _free_port()
        start("confide.cli_serve", name, "--host", "127.0.0.1", "--port", str(port))
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 120
    for url in urls:
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (home / "api-a.log").read_text()
            time.sleep(0.2)

    def worker(name: str, machine: str) -> subprocess.Popen[bytes]:
        return start("confide.cli_worker", name, "--lease-seconds", str(LEASE_S), "--name",
                     name, CONFIDE_WORKER_KEY_FILE=keys[machine])

    engine = sa.create_engine(db_url)
    try:
        yield {"urls": urls, "engine": engine, "home": home, "worker": worker}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _speech(folder: Path) -> list[bytes]:
    clips = []
    for i, phrase in enumerate(PHRASES):
        path = folder / f"clip{i}.wav"
        subprocess.run(["espeak-ng", "-s", "170", "-w", str(path), phrase], check=True)
        clips.append(path.read_bytes())
    return clips


def _sign_in(url: str, name: str) -> dict[str, str]:
    r = httpx.post(f"{url}/api/auth/token", json={"name": name, "passphrase": PASS}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _scalar(engine: sa.Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar()


def test_two_api_processes_and_workers_on_postgres(deployment: dict[str, Any]) -> None:
    a, b = deployment["urls"]
    engine: sa.Engine = deployment["engine"]
    home: Path = deployment["home"]
    for url, name in ((a, "Alex"), (b, "Sam"), (a, "Olive")):
        r = httpx.post(f"{url}/api/auth/register", json={"name": name, "passphrase": PASS},
                       timeout=30)
        assert r.status_code == 201, r.text
    alex, sam, olive = _sign_in(a, "Alex"), _sign_in(b, "Sam"), _sign_in(a, "Olive")
    code = httpx.post(f"{b}/api/couples", headers=alex, timeout=10).json()["invite_code"]
    assert httpx.post(f"{a}/api/couples/join", json={"invite_code": code}, headers=sam,
                      timeout=10).status_code == 200

    # --- the privacy matrix, whichever process answers ------------------------------------
    private = httpx.post(f"{a}/api/entries", headers=alex, timeout=10,
                         json={"text": f"the {PRIVATE_WORD} stays mine", "journal": "private"})
    shared = httpx.post(f"{b}/api/entries", headers=alex, timeout=10,
                        json={"text": f"the {SHARED_WORD} is ours", "journal": "shared"})
    assert private.status_code == shared.status_code == 201
    pid, sid = private.json()["id"], shared.json()["id"]
    for url in (a, b):
        assert PRIVATE_WORD in httpx.get(f"{url}/api/entries/{pid}", headers=alex).text
        assert httpx.get(f"{url}/api/entries/{pid}", headers=sam).status_code == 404
        assert SHARED_WORD in httpx.get(f"{url}/api/entries/{sid}", headers=sam).text
        assert httpx.get(f"{url}/api/entries/{sid}", headers=olive).status_code == 404
        assert httpx.get(f"{url}/api/entries/{sid}").status_code == 401
        listed = httpx.get(f"{url}/api/entries", headers=sam).json()["items"]
        assert [e["id"] for e in listed] == [sid]
        assert httpx.get(f"{url}/api/entries", headers=olive).json()["items"] == []
        found = httpx.get(f"{url}/api/search", params={"q": PRIVATE_WORD}, headers=sam).json()
        assert found["items"] == []
        found = httpx.get(f"{url}/api/search", params={"q": SHARED_WORD}, headers=olive).json()
        assert found["items"] == []

    # --- workers: one killed while idle ------------------------------------------------------
    start_worker = deployment["worker"]
    idle = start_worker("idle", "gpu-a")
    steady = start_worker("steady", "gpu-b")
    _wait(lambda: _scalar(engine, "SELECT count(*) FROM workerseen") == 2, 120,
          "the workers did not report in")
    idle.send_signal(signal.SIGKILL)
    idle.wait(10)
    steady.send_signal(signal.SIGSTOP)  # held, so the queue builds up for the mid-job kill

    clips = _speech(home)
    accepted: list[tuple[dict[str, str], dict[str, int]]] = []
    for i in range(UPLOADS):
        who = alex if i % 2 == 0 else sam
        url = a if i % 3 else b
        r = httpx.post(f"{url}/api/recordings", headers=who, timeout=30,
                       data={"journal": "shared" if i % 4 == 0 else "private"},
                       files={"file": (f"r{i}.wav", clips[i % len(clips)], "audio/wav")})
        assert r.status_code == 202, r.text
        accepted.append((who, r.json()))
    assert _scalar(engine, "SELECT count(DISTINCT job_id) FROM workerjobkey") == UPLOADS
    steady.send_signal(signal.SIGCONT)

    # --- a worker killed mid-job -----------------------------------------------------------
    _wait(lambda: _scalar(engine, "SELECT count(*) FROM transcriptionjob "
                                  "WHERE status = 'running'") == 1, 60, "no job started")
    steady.send_signal(signal.SIGKILL)
    steady.wait(10)
    cut = _scalar(engine, "SELECT id FROM transcriptionjob WHERE status = 'running'")
    assert cut is not None  # the dead worker's job, waiting for its lease to lapse
    workers = [start_worker("w1", "gpu-a"), start_worker("w2", "gpu-b")]  # as systemd restarts

    _wait(lambda: _scalar(engine, "SELECT count(*) FROM transcriptionjob "
                                  "WHERE status IN ('done', 'failed')") == UPLOADS, 240,
          "the queue did not drain")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, status, attempts FROM transcriptionjob")).all()
    assert {r.status for r in rows} == {"done"}
    attempts = {r.id: r.attempts for r in rows}
    assert attempts[cut] == 2
    assert all(n == 1 for job, n in attempts.items() if job != cut)
    assert _scalar(engine, "SELECT count(*) FROM workerjobkey") == 0
    assert _scalar(engine, "SELECT count(*) FROM audioblob") == UPLOADS

    # Each job's transcript was written once: the workers' logs name each job done once.
    done: Counter[int] = Counter()
    for name in ("steady", "w1", "w2"):
        done.update(int(m) for m in re.findall(r"transcription job (\d+) done",
                                               (home / f"{name}.log").read_text()))
    assert set(done) == set(attempts) and set(done.values()) == {1}

    for i, (who, item) in enumerate(accepted):
        entry = httpx.get(f"{(a, b)[i % 2]}/api/entries/{item['entry_id']}", headers=who,
                          timeout=10).json()
        assert entry["status"] == "ready", entry
        assert entry["transcript"].strip(), entry
    for proc in workers:
        proc.terminate()
        assert proc.wait(30) == 0
