"""`confide worker`: a transcription process for a deployment with several processes or
machines. It shares the database and the audio store with `confide serve` and opens only
the recordings sealed for its worker key (`--init` makes one; see docs/SECURITY.md).

Logs say which job ran and how long it took, never a word of what was said.
"""

from __future__ import annotations

import logging
import signal
from typing import Annotated

import typer

__all__ = ["worker"]

log = logging.getLogger(__name__)


def worker(
    init: Annotated[bool, typer.Option(
        "--init", help="Make this worker's key pair: the secret into CONFIDE_WORKER_KEY_FILE "
        "(default <data dir>/worker.key, mode 0600), the public half into the database; "
        "then exit.")] = False,
    name: Annotated[str | None, typer.Option(
        help="This process's name in the worker count (default host:pid).")] = None,
    lease_seconds: Annotated[float, typer.Option(
        help="How long a claim lasts without a heartbeat; a dead worker's job waits this "
        "long before another worker takes it.", min=3.0)] = 60.0,
    metrics_port: Annotated[int | None, typer.Option(
        help="Serve Prometheus metrics on 127.0.0.1:PORT (real-time factor, jobs).",
        min=1, max=65535)] = None,
    drain: Annotated[bool, typer.Option(
        "--drain", help="Exit once no job sealed for this worker is queued.")] = False,
) -> None:
    """Transcribe queued recordings sealed for this worker's key until stopped (SIGTERM
    finishes the current job first)."""
    from confide.cli_support import fail
    from confide.models.db import (
        HEAD_REVISION,
        create_db_engine,
        current_revision,
        migrate,
        newer_than_this_release,
        session_scope,
    )
    from confide.models.errors import ConfideError
    from confide.models.worker_keys import init_worker_key, load_worker_identity
    from confide.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(exc)
    engine = create_db_engine(settings.db_url, pool_size=3)
    key_file = settings.worker_key_path
    if init:
        migrate(engine)
        from confide.transcription_worker import default_worker_name

        with session_scope(engine) as s:
            try:
                row, made = init_worker_key(s, key_file, name or default_worker_name())
            except ConfideError as exc:
                fail(SettingsError(str(exc)))  # this machine is not set up to be a worker
        typer.echo(f"Worker key {row.id} {'made' if made else 'already registered'}: secret in "
                   f"{key_file} (keep it on this machine only). API processes now hand "
                   "transcription to workers; restart them.")
        return
    revision = current_revision(engine)
    # A later release's schema is fine (migrations only add): an old worker restarting in the
    # middle of an upgrade goes on taking jobs until it is replaced.
    if revision != HEAD_REVISION and not newer_than_this_release(revision):
        fail(SettingsError("the database schema is behind this version's; run `confide db "
                           "upgrade` (see docs/DEPLOY.md, upgrades)"))
    with session_scope(engine) as s:
        try:
            identity = load_worker_identity(s, key_file)
        except ConfideError as exc:
            fail(SettingsError(str(exc)))
    _serve_metrics(metrics_port)
    from confide.api.metrics import TimedTranscriber
    from confide.models.storage import open_audio_store
    from confide.transcription_worker import SealedJobWorker, WorkerOptions
    from confide.wiring import transcriber

    store = open_audio_store(settings.audio_store, settings.audio_dir, engine)
    job_worker = SealedJobWorker(
        engine, store, identity, lambda: TimedTranscriber(transcriber(settings)),
        WorkerOptions(lease_s=lease_seconds, name=name or ""))

    def stop(_signum: int, _frame: object) -> None:
        log.info("stopping after the current job")
        job_worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if drain:
        while job_worker.run_once() is not None:
            pass
        return
    job_worker.run()


def _serve_metrics(port: int | None) -> None:
    if port is None:
        return
    from prometheus_client import CollectorRegistry, start_http_server

    from confide.api.metrics import instruments, multiprocess_mode

    registry = instruments().registry
    if multiprocess_mode() or registry is None:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(port, addr="127.0.0.1", registry=registry)


if __name__ == "__main__":  # `python -m confide.cli_worker`, for tests and benchmarks
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.run(worker)
