#!/usr/bin/env python3
"""Soak benchmark: does a long-running station or API server degrade from use to use?

**The station.** One station process (this one) on a private virtual sound server: a
reminder every day at eight, a clock that jumps to it, and a synthesized person (espeak-ng
into the virtual microphone, the demo's answers from ``confide.cli_voice``) who says "yes",
gives a reply, shares it, rates the goal check-in and hears good night. The station and each
session it runs are wired exactly as ``confide station`` wires them (``build_session`` for
the station's own voice, ``station_session`` for each "yes"). After every session it records
the process's RSS, open file descriptors and threads, and the sound server's source-outputs
(recording streams) and sink-inputs (playing streams) from ``pactl list short``.

Targets: RSS growth at most 20 MB from session 5 to the last, file descriptors and threads
flat (the same after session 5 as after the last), no stream left open between sessions.

**The API server.** ``confide serve`` in a subprocess on loopback; clients sign in, write,
list, search, upload a short recording, wait for its transcription, fetch its audio and
delete what they made, paced (one round every ``--pace`` seconds) for ``--api-minutes``.
Every minute the server's RSS, fds and threads are sampled. Targets: RSS growth at most
20 MB from the 5th minute to the end, fds and threads flat, no request failed.

    .venv/bin/python scripts/bench_soak.py                       # 50 sessions, API 5 min
    .venv/bin/python scripts/bench_soak.py --api-minutes 30      # the full run
    .venv/bin/python scripts/bench_soak.py --sessions 10 --only station
    # the short form in CI (tests/audio/test_soak.py) adds --rate 450 --pause 0.5 and more

The last line printed is one JSON object with every figure (and every sample), for
docs/BENCHMARKS.md and the short form's test, which runs the station in its own process.
The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

log = logging.getLogger("bench_soak")

PASSPHRASE = "soak passphrase alex"
RSS_GROWTH_MB = 20.0
FIRST_COUNTED = 5  # growth is measured from this session (warm-up before it)
UPLOAD_EVERY = 10  # API rounds per upload


@dataclass
class Sample:
    n: int
    rss_mb: float
    fds: int
    threads: int
    source_outputs: int
    sink_inputs: int
    seconds: float = 0.0
    saved: int = 0
    thread_names: list[str] = field(default_factory=list)  # Python's threads (the station)


@dataclass
class Verdict:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def judge(self, first: int, what: str, rss_growth_mb: float = RSS_GROWTH_MB,
              window: int = 3) -> dict[str, Any]:
        counted = [s for s in self.samples if s.n >= first]
        if not counted:
            self.failures.append(f"{what}: no samples from {first} on")
            return {}
        base, last = counted[0], counted[-1]
        # Medians of three, so one busy moment (a transient buffer) is not read as growth;
        # a short run compares single samples (its windows would overlap and hide growth).
        growth = (statistics.median(s.rss_mb for s in counted[-window:])
                  - statistics.median(s.rss_mb for s in counted[:window]))
        figures = {
            "count": len(self.samples), "rss_first_mb": round(self.samples[0].rss_mb, 1),
            f"rss_at_{base.n}_mb": round(base.rss_mb, 1), "rss_last_mb": round(last.rss_mb, 1),
            "rss_growth_mb": round(growth, 1),
            "rss_max_mb": round(max(s.rss_mb for s in counted), 1),
            "fds": sorted({s.fds for s in counted}), "threads": sorted({s.threads for s in counted}),
            "source_outputs_max": max(s.source_outputs for s in self.samples),
            "sink_inputs_max": max(s.sink_inputs for s in self.samples),
        }
        if growth > rss_growth_mb:
            self.failures.append(f"{what}: RSS grew {growth:.1f} MB from {base.n} to {last.n}")
        if max(s.fds for s in counted) > base.fds:
            self.failures.append(f"{what}: open files grew from {base.fds} to "
                                 f"{max(s.fds for s in counted)}")
        if max(s.threads for s in counted) > base.threads:
            self.failures.append(f"{what}: threads grew from {base.threads} to "
                                 f"{max(s.threads for s in counted)}")
        if figures["source_outputs_max"] or figures["sink_inputs_max"]:
            self.failures.append(f"{what}: a sound stream was left open between sessions")
        return figures


def _process_figures(proc: psutil.Process) -> tuple[float, int, int]:
    return proc.memory_info().rss / 2**20, proc.num_fds(), proc.num_threads()


def _pactl_count(kind: str) -> int:
    """Streams some client holds open. The virtual microphone's own remap stream (owned by
    its module, client "-") is part of the sound server, not of the station."""
    out = subprocess.run(["pactl", "list", "short", kind], capture_output=True, text=True,
                         timeout=10, check=True).stdout
    return sum(1 for line in out.splitlines()
               if line.strip() and line.split("\t")[2:3] != ["-"])


def _stream_counts(settle_s: float = 1.0) -> tuple[int, int]:
    """Recording and playing streams still open, once the sound server has dropped the ones
    just closed: zero as soon as it has, else what is still open after ``settle_s``."""
    deadline = time.monotonic() + settle_s
    while True:
        counts = _pactl_count("source-outputs"), _pactl_count("sink-inputs")
        if counts == (0, 0) or time.monotonic() >= deadline:
            return counts
        time.sleep(0.1)


def _settled_threads(settle_s: float = 2.0) -> list[str]:
    """The names of Python's threads once the session's own workers (speech, listening,
    start-up: all named "confide-...") have ended, waiting at most ``settle_s`` for those
    still on their way out; one that is still alive after that is counted."""
    deadline = time.monotonic() + settle_s
    for thread in threading.enumerate():
        if thread.name.startswith("confide-") and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    return sorted(thread.name for thread in threading.enumerate())


def _native_threads() -> list[str]:
    """The kernel's names of this process's threads that are not Python's ("python"), by
    name with a count: what a library started (CTranslate2, ONNX Runtime, ALSA, PortAudio)."""
    names: dict[str, int] = {}
    for comm in Path("/proc/self/task").glob("*/comm"):
        try:
            name = comm.read_text().strip()
        except OSError:  # the thread ended while we looked
            continue
        names[name] = names.get(name, 0) + 1
    return [f"{name} x{count}" for name, count in sorted(names.items())]


def _open_streams() -> str:
    """Who holds the streams still open: application names and process ids."""
    lines = []
    for kind in ("source-outputs", "sink-inputs"):
        out = subprocess.run(["pactl", "list", kind], capture_output=True, text=True,
                             timeout=10, check=True).stdout
        lines += [f"{kind}: {line.strip()}" for line in out.splitlines()
                  if any(k in line for k in ("application.name", "application.process",
                                             "media.name", "Source Output #", "Sink Input #",
                                             "Source:", "Sink:"))]
    return "\n".join(lines)


# -- the station ------------------------------------------------------------------------


class JumpingClock:
    """The station's clock: waiting jumps straight to the next reminder."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=max(seconds, 1.0))


class MicWatch:
    """Which streams record from the virtual microphone, from the sound server's own events
    (``pactl subscribe``), so the person answers the moment a listening turn opens. Polling
    ``pactl list`` instead (two processes every 20-50 ms) took CPU from the station all the
    while it spoke and thought, and saw a stream up to a poll late."""

    _EVENT = re.compile(r"Event '(new|remove)' on source-output #(\d+)")

    def __init__(self, server: Any, lock: threading.Lock) -> None:
        self.server = server
        self.lock = lock  # held while it runs pactl: measuring waits for it
        self.changed = threading.Condition()
        self.recording: set[str] = set()
        self._events = subprocess.Popen(["pactl", "subscribe"], env=server.env(), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, name="soak-mic-watch", daemon=True)
        self._reader.start()
        with self.changed:
            self.recording = self._on_mic()

    def _on_mic(self) -> set[str]:
        from confide.voice.virtual_sound import MIC_SOURCE

        with self.lock:
            sources = self.server._pactl("list", "short", "sources").stdout.splitlines()
            outputs = self.server._pactl("list", "short", "source-outputs").stdout.splitlines()
        mic = {line.split("\t")[0] for line in sources if f"\t{MIC_SOURCE}\t" in line}
        return {line.split("\t")[0] for line in outputs if line.split("\t")[1:2]
                and line.split("\t")[1] in mic}

    def _read(self) -> None:
        assert self._events.stdout is not None
        for line in self._events.stdout:
            event = self._EVENT.search(line)
            if event is None:
                continue
            kind, index = event.groups()
            try:
                on_mic = kind == "new" and index in self._on_mic()
            except (OSError, subprocess.SubprocessError):  # the server is stopping
                on_mic = False
            with self.changed:
                if on_mic:
                    self.recording.add(index)
                else:
                    self.recording.discard(index)
                self.changed.notify_all()

    def wait(self, until: Any, timeout: float) -> Any:
        """``until()`` once it is true (or what it is after ``timeout`` seconds)."""
        with self.changed:
            return self.changed.wait_for(until, timeout=timeout)

    def close(self) -> None:
        self._events.terminate()
        self._events.wait(10)
        if self._events.stdout is not None:
            self._events.stdout.close()
        self._reader.join(timeout=10)


class Person:
    """The synthesized person: answers every listening turn through the virtual microphone,
    as soon as it opens (``lead_s`` after, so the recorder's first block is under way)."""

    def __init__(self, server: Any, folder: Path, wpm: int, reply: str | None = None,
                 lead_s: float = 0.3) -> None:
        self.server = server
        self.folder = folder
        self.wpm = wpm
        self.reply = reply  # None: the demo's 31-word reflection
        self.lead_s = lead_s
        self.keys: list[str] = []  # catalog names of what the running session said
        self.in_session = False  # False: the station itself asked (its reminder)
        self.counts: dict[str, int] = {}
        self.said: list[str] = []
        self.stopped = threading.Event()
        self._cache: dict[str, Path] = {}
        self.lock = threading.Lock()  # held while it runs pactl: measuring waits for it
        self.mic: MicWatch | None = None
        self.thread = threading.Thread(target=self._run, name="soak-person", daemon=True)

    def start(self) -> None:
        self.mic = MicWatch(self.server, self.lock)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.mic is not None:
            with self.mic.changed:
                self.mic.changed.notify_all()
        if self.thread.is_alive():
            self.thread.join(timeout=60)
        if self.mic is not None:
            self.mic.close()

    def new_session(self, keys: list[str] | None) -> None:
        """Answer the session that says ``keys`` (its report's catalog names), or with
        ``None`` the station's own reminder between sessions."""
        self.keys = keys if keys is not None else []  # the live list, not a copy
        self.in_session = keys is not None
        # The demo's script, less its "read it back": straight to "share it".
        self.counts = {"AFTER_SAVE": 1}

    def line(self) -> str:
        """The demo person's answer to what was asked last, by its catalog name, as
        ``confide demo`` answers (a sentence's wording is not its name)."""
        from confide.cli_demo import DEMO_REPLY, demo_answer

        if not self.in_session:
            return "Yes."
        answer = demo_answer(self.keys[-1] if self.keys else "", self.counts)
        return self.reply if answer == DEMO_REPLY and self.reply else answer

    def _wav(self, line: str) -> Path:
        from confide.voice.virtual_sound import speak_to_file

        if line not in self._cache:
            self._cache[line] = speak_to_file(line, self.folder / f"line-{len(self._cache)}.wav",
                                              wpm=self.wpm)
        return self._cache[line]

    def _run(self) -> None:
        mic = self.mic
        assert mic is not None
        while not self.stopped.is_set():
            turn = mic.wait(lambda: set(mic.recording) or self.stopped.is_set(), timeout=1.0)
            if not isinstance(turn, set) or not turn:
                continue
            line = self.line()
            wav = self._wav(line)
            time.sleep(self.lead_s)
            self.said.append(line)
            log.info("person says %r", line)
            self.server.play_into_mic(wav).wait()
            # The next answer is for the next listening turn: wait for this one to close.
            self._until_closed(mic, frozenset(turn))

    def _until_closed(self, mic: MicWatch, turn: frozenset[str]) -> None:
        mic.wait(lambda: not (mic.recording & turn) or self.stopped.is_set(), timeout=120)


def _seed_station(settings: Any, rate: int) -> int:
    from confide.models import accounts, couples, goals, reminders
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        alex = accounts.register(s, "Alex", PASSPHRASE, timezone="Europe/Berlin")
        sam = accounts.register(s, "Sam", "soak passphrase sam", timezone="Europe/Berlin")
        invite = couples.create_invite(s, alex, timedelta(hours=1))
        couples.join_couple(s, sam, invite.code)
        goals.create_goal(s, alex, "No phones at dinner", "So we really listen.")
        reminders.create_reminder(s, alex, list(range(7)), "20:00", kind="reflection")
        accounts.update_preferences(s, alex, accounts.Preferences(tts_rate=rate))
        assert alex.id is not None
        return alex.id


def run_station(sessions: int, workdir: Path, rss_growth_mb: float = RSS_GROWTH_MB, *,
                first_counted: int = FIRST_COUNTED, window: int = 3, rate: int = 260,
                wpm: int = 170, reply: str | None = None, lead_s: float = 0.3,
                pause_s: float = 1.5) -> dict[str, Any]:
    """``sessions`` whole sessions from one station; figures after each. Growth is judged
    from session ``first_counted`` (medians of ``window`` samples at each end). ``rate`` is
    how fast Confide speaks (the person's own preference), ``wpm`` how fast the person does,
    ``reply`` what they reply (None: the demo's 31-word reflection), ``lead_s`` how soon
    after a listening turn opens they start, ``pause_s`` the silence that ends a reply (their
    pause allowance); the short form in CI has both speak faster and the person reply
    briefly."""
    from confide.cli_unlock import unlock_in
    from confide.cli_voice import build_session, station_session
    from confide.models import accounts
    from confide.settings import load_settings
    from confide.voice.devices import refresh
    from confide.voice.dialog_station import answer_of
    from confide.voice.heap import return_freed_memory
    from confide.voice.session import VoiceSession
    from confide.voice.station import Answer, Station
    from confide.voice.virtual_sound import VirtualSoundServer
    from confide.wiring import cli_session

    settings = load_settings(data_dir=workdir / "station", database_url=None,
                             pause_allowance_s=pause_s, tts_voice="fast")
    server = VirtualSoundServer().start()
    me = psutil.Process()
    verdict = Verdict()
    person_line: Person | None = None
    try:
        refresh()
        person_id = _seed_station(settings, rate)
        with cli_session(settings) as s:
            keys = unlock_in(s, settings, accounts.get_person(s, person_id), PASSPHRASE)
        unlocked: dict[int, Any] = {person_id: keys}
        voice = build_session(settings, person_id)
        assert isinstance(voice, VoiceSession)
        voice.unlocked = keys
        person_line = Person(server, workdir, wpm=wpm, reply=reply, lead_s=lead_s)
        person_line.new_session(None)
        person_line.start()

        def listen(timeout_s: float) -> Answer:  # as `confide station` listens
            text, _heard = voice.hear(timeout_s=timeout_s)
            return answer_of(text)

        started = time.monotonic()
        done = 0
        reported_streams: list[str] = []
        runner: Station

        def run_session(_person: object) -> None:
            nonlocal done, started
            assert person_line is not None
            fresh, background = station_session(settings, person_id, unlocked)
            person_line.new_session(fresh.report.keys)
            try:
                report = fresh.run()
            finally:
                background.shutdown()
                person_line.new_session(None)
            done += 1
            gc.collect()
            return_freed_memory()  # RSS in use, not the free blocks kept for the next pass
            names = _settled_threads()
            fewest = min((s.threads for s in verdict.samples), default=0)
            with person_line.lock:  # not while its own pactl pipes are open
                rss, fds, threads = _process_figures(me)
                deadline = time.monotonic() + 1.0  # a native thread still on its way out
                while fewest and threads > fewest and time.monotonic() < deadline:
                    time.sleep(0.05)
                    rss, fds, threads = _process_figures(me)
                names += _native_threads()
                sample = Sample(done, rss, fds, threads, *_stream_counts(),
                                round(time.monotonic() - started, 1), len(report.saved), names)
            verdict.samples.append(sample)
            print(json.dumps({"station": asdict(sample)}), flush=True)
            if (sample.source_outputs or sample.sink_inputs) and not reported_streams:
                reported_streams.append(_open_streams())
                print(reported_streams[0], file=sys.stderr, flush=True)
            started = time.monotonic()
            if done >= sessions:
                runner.stop()

        # Sunday 29 November 2026 18:59:30 UTC, half a minute before eight in Berlin.
        clock = JumpingClock(datetime(2026, 11, 29, 18, 59, 30, tzinfo=UTC))
        runner = Station(clock, voice.say, listen, run_session, lambda *_: None,
                         sessions=lambda: cli_session(settings), person_id=person_id,
                         answer_timeout_s=20.0, poll_s=86400.0)
        runner.run()
        figures = verdict.judge(first_counted, "station", rss_growth_mb, window)
        unsaved = [s.n for s in verdict.samples if s.saved == 0]
        if unsaved:
            verdict.failures.append(f"station: sessions {unsaved} saved no entry")
        shared = _shared_count(settings, person_id)
        if shared < sessions:
            verdict.failures.append(f"station: {shared} of {sessions} replies were shared")
        figures.update(shared=shared, seconds_per_session=round(
            sum(s.seconds for s in verdict.samples) / max(1, len(verdict.samples)), 1))
        return {"figures": figures, "failures": verdict.failures,
                "samples": [asdict(s) for s in verdict.samples]}
    finally:
        if person_line is not None:  # done with the server before it stops: no pactl then fails
            person_line.stop()
        server.stop()
        refresh()  # PortAudio back on whatever sound server the environment names now


def _shared_count(settings: Any, person_id: int) -> int:
    from sqlmodel import col, func, select

    from confide.models.tables import Entry, Journal
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        return int(s.exec(select(func.count()).select_from(Entry).join(
            Journal, col(Journal.id) == col(Entry.journal_id)).where(
            col(Entry.author_id) == person_id, col(Journal.kind) == "shared")).one())


# -- the API server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wav(seconds: float) -> bytes:
    import numpy as np
    import soundfile as sf

    t = np.arange(int(16000 * seconds)) / 16000
    buf = io.BytesIO()
    sf.write(buf, (0.2 * np.sin(2 * np.pi * 220 * t)).astype("float32"), 16000, format="WAV",
             subtype="PCM_16")
    return buf.getvalue()


def run_api(minutes: float, pace_s: float, workdir: Path) -> dict[str, Any]:
    """``confide serve`` under paced load for ``minutes``; figures every minute."""
    import httpx

    data = workdir / "api"
    port = _free_port()
    env = {**os.environ, "CONFIDE_DATA_DIR": str(data), "CONFIDE_PORT": str(port),
           "CONFIDE_CONFIG": str(workdir / "none.toml"), "PYTHONPATH": str(ROOT)}
    env.pop("CONFIDE_DATABASE_URL", None)
    log_file = (workdir / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "confide", "serve"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=log_file)
    verdict = Verdict()
    errors: list[str] = []
    rounds = 0
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("confide serve did not start; see serve.log")
                time.sleep(0.2)
            heads = {}
            for name in ("Alex", "Sam"):
                client.post("/api/auth/register", json={
                    "name": name, "passphrase": f"api soak {name.lower()}"}).raise_for_status()
                token = client.post("/api/auth/token", json={
                    "name": name, "passphrase": f"api soak {name.lower()}"}).json()["access_token"]
                heads[name] = {"Authorization": f"Bearer {token}"}
            invite = client.post("/api/couples", headers=heads["Alex"]).json()
            client.post("/api/couples/join", json={"invite_code": invite["invite_code"]},
                        headers=heads["Sam"]).raise_for_status()
            audio = _wav(2.0)
            server = psutil.Process(proc.pid)
            start = time.monotonic()
            next_sample = start + 60.0
            minute = 0
            while time.monotonic() - start < minutes * 60:
                round_start = time.monotonic()
                try:
                    _api_round(client, heads, audio, rounds)
                except (AssertionError, httpx.HTTPError) as exc:
                    errors.append(f"round {rounds}: {exc}")
                rounds += 1
                if time.monotonic() >= next_sample:
                    minute += 1
                    next_sample += 60.0
                    rss, fds, threads = _process_figures(server)
                    sample = Sample(minute, rss, fds, threads, 0, 0,
                                    round(time.monotonic() - start, 1), rounds)
                    verdict.samples.append(sample)
                    print(json.dumps({"api": asdict(sample)}), flush=True)
                time.sleep(max(0.0, pace_s - (time.monotonic() - round_start)))
    finally:
        proc.terminate()
        proc.wait(30)
        log_file.close()
    figures = verdict.judge(min(FIRST_COUNTED, max(1, len(verdict.samples) // 2)), "api")
    figures.update(rounds=rounds, errors=len(errors))
    if errors:
        verdict.failures.append(f"api: {len(errors)} rounds failed, first: {errors[0]}")
    return {"figures": figures, "failures": verdict.failures,
            "samples": [asdict(s) for s in verdict.samples]}


def _api_round(client: Any, heads: dict[str, dict[str, str]], audio: bytes, n: int) -> None:
    alex, sam = heads["Alex"], heads["Sam"]

    def ok(response: Any, *codes: int) -> Any:
        assert response.status_code in (codes or (200,)), \
            f"{response.request.method} {response.request.url.path}: {response.status_code}"
        return response

    entry = ok(client.post("/api/entries", headers=alex, json={
        "text": f"Round {n}: we talked at dinner without phones.", "journal": "shared"}),
        201).json()
    ok(client.get("/api/entries", headers=sam))
    ok(client.get("/api/search", params={"q": "dinner"}, headers=alex))
    ok(client.post(f"/api/entries/{entry['id']}/responses", headers=sam,
                   json={"text": "Thank you."}), 201)
    if n % UPLOAD_EVERY:
        ok(client.delete(f"/api/entries/{entry['id']}", headers=alex), 204)
        return
    # Uploads are limited to 120 an hour a person: every UPLOAD_EVERY-th round, by turns.
    alex = alex if (n // UPLOAD_EVERY) % 2 == 0 else sam
    upload = ok(client.post("/api/recordings", headers=alex, data={"journal": "private"},
                            files={"file": ("r.wav", audio, "audio/wav")}), 202).json()
    job, recorded = upload["job_id"], upload["entry_id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = ok(client.get(f"/api/jobs/{job}", headers=alex)).json()
        if state.get("status") in ("done", "failed"):
            break
        time.sleep(0.5)
    ok(client.get(f"/api/entries/{recorded}/audio", headers=alex), 200, 206)
    ok(client.delete(f"/api/entries/{recorded}", headers=alex), 204)
    ok(client.delete(f"/api/entries/{entry['id']}", headers=heads["Alex"]), 204)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--api-minutes", type=float, default=5.0,
                        help="how long the API server is loaded (30 in the full run)")
    parser.add_argument("--pace", type=float, default=2.0, help="seconds per API round")
    parser.add_argument("--only", choices=["station", "api"])
    short = parser.add_argument_group("the station's short form (tests/audio/test_soak.py)")
    short.add_argument("--first-counted", type=int, default=FIRST_COUNTED,
                       help="the session growth is judged from")
    short.add_argument("--window", type=int, default=3, help="RSS medians of this many samples")
    short.add_argument("--rss-growth-mb", type=float, default=RSS_GROWTH_MB)
    short.add_argument("--rate", type=int, default=260, help="how fast Confide speaks (wpm)")
    short.add_argument("--wpm", type=int, default=170, help="how fast the person speaks")
    short.add_argument("--reply", help="the person's reply (default: the demo's 31 words)")
    short.add_argument("--lead", type=float, default=0.3,
                       help="seconds from a listening turn opening to the person's first word")
    short.add_argument("--pause", type=float, default=1.5,
                       help="the silence that ends a reply (the person's pause allowance)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the sound server too
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="confide-soak-"))
    result: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                              "python": platform.python_version()}
    try:
        if args.only in (None, "station"):
            result["station"] = run_station(
                args.sessions, workdir, args.rss_growth_mb, first_counted=args.first_counted,
                window=args.window, rate=args.rate, wpm=args.wpm, reply=args.reply,
                lead_s=args.lead, pause_s=args.pause)
        if args.only in (None, "api"):
            result["api"] = run_api(args.api_minutes, args.pace, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    failures = [f for part in ("station", "api") for f in result.get(part, {}).get("failures", [])]
    summary = {k: (v["figures"] if isinstance(v, dict) else v) for k, v in result.items()}
    summary["failures"] = failures
    summary["samples"] = {part: result[part]["samples"] for part in ("station", "api")
                          if part in result}
    print(json.dumps(summary), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
