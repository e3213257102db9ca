"""A transcription tried ahead, on its own thread, while the microphone goes on being read.

A listening turn guesses at a pause whether what was said is already whole (a "yes", a
closing phrase); the guess takes Whisper a tenth of a second or more, and the microphone's
buffer holds far less, so reading it must not wait: blocks not read are audio lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["Hunch"]

log = logging.getLogger(__name__)


class Hunch:
    """What was said up to a pause, heard on a worker thread. ``at`` is where in the turn
    speech was last heard when it was asked: it still holds while nothing more is said."""

    def __init__(self, hear: Callable[[], str], at: float) -> None:
        self.at = at
        self.judged = False
        self._text = ""
        self._failed = False
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(hear,), name="confide-hunch",
                         daemon=True).start()

    def _run(self, hear: Callable[[], str]) -> None:
        try:
            self._text = hear().strip()
        except Exception:  # a guess that fails is no guess: the turn goes on as usual
            log.exception("an early transcription failed")
            self._failed = True
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def text(self) -> str | None:
        """The words (waiting for them); None when the transcription failed."""
        self._done.wait()
        return None if self._failed else self._text
