"""Several claimers draining the transcription queue at once, for the job-claim tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection

from sqlalchemy.engine import Engine

from confide.models import jobs
from confide.models.db import session_scope


def claim_concurrently(engine_for: Callable[[], Engine], authors: Collection[int],
                       claimers: int = 4) -> list[int]:
    """Every job id claimed, one list entry per claim, by ``claimers`` threads that start
    together and claim the jobs of ``authors`` (the people unlocked) until none is left.
    ``engine_for`` gives each thread its engine (its own, to stand for another process, or
    a shared one). A failure in a thread is raised here, not lost."""
    taken: list[list[int]] = [[] for _ in range(claimers)]
    errors: list[BaseException] = []
    start = threading.Barrier(claimers)

    def claimer(mine: list[int]) -> None:
        try:
            engine = engine_for()
            start.wait()
            while True:
                with session_scope(engine) as s:
                    job = jobs.claim_next(s, authors)
                    if job is None:
                        return
                    assert job.id is not None
                    mine.append(job.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(t,)) for t in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return [i for t in taken for i in t]
