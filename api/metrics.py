"""Prometheus metrics: request latency by route template, the job queue, transcription speed.

Request latency is labelled by the route's template (``/api/entries/{entry_id}``), never the
path or query a person sent (ids and search words stay out). The queue's depth, its oldest
job's age and the number of live separate workers are read from the database when scraped,
so any process of a deployment reports the same figures. With several uvicorn workers
``PROMETHEUS_MULTIPROC_DIR`` names a folder each process writes its samples to, and the
scrape (whichever process answers it) merges them (prometheus_client's multiprocess mode).
A process that is gone (stopped, or killed and replaced by uvicorn) keeps its counters and
histograms in the merge, as Prometheus expects of counters, but its live gauges are removed
(``mark_process_dead``): at its own shutdown, and at each scrape for any process no longer
running. The instruments are made on first use, once per process: nothing happens at import.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confide.models.tables import utcnow
from confide.voice.transcriber import ProgressCallback, Transcriber, Transcript, TranscriptionStream

__all__ = [
    "CONTENT_TYPE",
    "MULTIPROC_ENV",
    "WORKER_SEEN_WINDOW_S",
    "Instruments",
    "RequestMetricsMiddleware",
    "TimedTranscriber",
    "forget_dead_processes",
    "forget_process",
    "instruments",
    "multiprocess_mode",
    "render",
    "route_template",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
WORKER_SEEN_WINDOW_S = 30.0
"""A separate worker counts as live if it reported within this long (it reports every 5 s)."""

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_RTF_BUCKETS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0)


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def forget_process(pid: int) -> None:
    """Drop a stopped process's live gauges from the multiprocess folder (its counters stay)."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]


def forget_dead_processes() -> list[int]:
    """Drop the live gauges of every process that wrote some and is no longer running (one
    killed, whose shutdown never ran); the pids dropped."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return []
    pids = set()
    for path in Path(folder).glob("gauge_live*_*.db"):
        named = path.stem.rpartition("_")[2]
        if named.isdigit():
            pids.add(int(named))
    gone = sorted(pid for pid in pids if not _running(pid))
    for pid in gone:
        forget_process(pid)
    return gone


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process, alive
    try:  # a killed child its parent has not reaped yet is a zombie: gone all the same
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


@dataclass(frozen=True)
class Instruments:
    registry: CollectorRegistry | None
    request_seconds: Histogram
    real_time_factor: Histogram
    jobs: Counter
    in_process_transcribers: Gauge


@functools.cache
def instruments() -> Instruments:
    """This process's instruments (made once). In multiprocess mode they register nowhere:
    their samples go to files that ``render`` merges."""
    registry = None if multiprocess_mode() else CollectorRegistry()
    reg: Any = registry
    return Instruments(
        registry=registry,
        request_seconds=Histogram(
            "confide_request_seconds", "HTTP request latency by route template.",
            ("method", "route", "status"), buckets=_LATENCY_BUCKETS, registry=reg),
        real_time_factor=Histogram(
            "confide_transcription_real_time_factor",
            "Seconds spent transcribing per second of audio (below 1: faster than real time).",
            buckets=_RTF_BUCKETS, registry=reg),
        jobs=Counter("confide_transcription_jobs", "Transcription jobs finished here.",
                     ("outcome",), registry=reg),
        in_process_transcribers=Gauge(
            "confide_in_process_transcribers",
            "API processes that transcribe in-process (1 each).",
            registry=reg, multiprocess_mode="livesum"),
    )


class _QueueCollector(Collector):
    """Queue depth, running jobs, the oldest queued job's age and live separate workers,
    read from the database at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        with self.engine.connect() as conn:
            table = sa.table("transcriptionjob", sa.column("status"), sa.column("created_at"))
            rows = conn.execute(sa.select(table.c.status, sa.func.count(),
                                          sa.func.min(table.c.created_at))
                                .group_by(table.c.status)).all()
            seen = sa.table("workerseen", sa.column("seen_at"))
            since = now - timedelta(seconds=WORKER_SEEN_WINDOW_S)
            workers = conn.execute(sa.select(sa.func.count()).select_from(seen)
                                   .where(seen.c.seen_at >= since)).scalar_one()
        by_status = {status: (count, oldest) for status, count, oldest in rows}
        depth = GaugeMetricFamily("confide_jobs", "Transcription jobs by status.",
                                  labels=["status"])
        for status in ("queued", "running", "done", "failed"):
            depth.add_metric([status], by_status.get(status, (0, None))[0])
        yield depth
        oldest = by_status.get("queued", (0, None))[1]
        age = 0.0
        if oldest is not None:
            age = max(0.0, (now - _aware(oldest)).total_seconds())
        yield GaugeMetricFamily("confide_oldest_queued_job_age_seconds",
                                "Age of the oldest job waiting for a worker.", value=age)
        yield GaugeMetricFamily("confide_workers", "Separate transcription workers seen in the "
                                f"last {WORKER_SEEN_WINDOW_S:.0f} s.", value=int(workers))


def _aware(value: Any) -> Any:
    from datetime import UTC, datetime

    if isinstance(value, str):  # SQLite through a plain table(): the stored text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _Forward(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def render(engine: Engine) -> bytes:
    """The text exposition of this process's (or, in multiprocess mode, all processes')
    instruments plus the queue figures from the database."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        from prometheus_client import multiprocess

        forget_dead_processes()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        own = instruments().registry
        assert own is not None
        registry.register(_Forward(own))
    registry.register(_QueueCollector(engine))
    return generate_latest(registry)


def route_template(scope: Scope) -> str:
    """The matched route's template with its router prefix (``/api/entries/{entry_id}``).

    The route in the scope is the router's own (``/entries/{entry_id}``); the prefix is the
    part of the path in front of the segments the template matched, which the router fixed.
    """
    from starlette.routing import Mount

    route = scope.get("route")
    template: str | None = getattr(route, "path", None)
    if not template:
        return "unmatched"
    segments = str(scope.get("path", "")).rstrip("/").split("/")
    pattern = template.rstrip("/").split("/")
    if isinstance(route, Mount) or ":path}" in template or len(pattern) > len(segments):
        return template
    head = segments[: len(segments) - len(pattern) + 1]
    return "/".join(head) + template if len(head) > 1 else template


class RequestMetricsMiddleware:
    """Observes each HTTP request's latency under its route template (after routing)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe_status)
        finally:
            template = route_template(scope)
            instruments().request_seconds.labels(
                scope.get("method", ""), template, f"{status // 100}xx",
            ).observe(time.perf_counter() - started)


class TimedTranscriber(Transcriber):
    """A transcriber that reports its real-time factor (seconds per second of audio)."""

    def __init__(self, inner: Transcriber) -> None:
        self.inner = inner

    def transcribe(self, samples: np.ndarray, *,
                   on_progress: ProgressCallback | None = None) -> Transcript:
        started = time.perf_counter()
        result = self.inner.transcribe(samples, on_progress=on_progress)
        audio_s = len(samples) / self.sample_rate
        if audio_s > 0:
            instruments().real_time_factor.observe((time.perf_counter() - started) / audio_s)
        return result

    def stream(self) -> TranscriptionStream:
        return self.inner.stream()
