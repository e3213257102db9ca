"""Barge-in: the person's first words while Confide speaks stop the speech.

While Confide talks, the microphone is read on a thread through the same VAD and segmenter
as a listening turn. Speech that lasts ``onset_s`` (a cough or a click is shorter) sets the
speech's stop event at once; the thread then keeps recording until the person pauses, so
what they said ("stop", "skip", "wait", or the start of their reply) is answered like any
short answer. Audio from just before the onset is kept, so the first word is heard whole.

On loudspeakers the microphone also hears Confide itself; without acoustic echo
cancellation it would interrupt itself, so the composition root turns barge-in on only
where that cannot happen (``voice.echo``).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from confide.voice.ports import MIC_RATE, Microphone
from confide.voice.segmenter import SHORT_ANSWER_PAUSE_S, Segmenter, Signal, TurnRules
from confide.voice.vad import SAMPLE_RATE, WINDOW, VadTracker

__all__ = ["BargeIn", "BargeInOptions", "Interruption", "Watch"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BargeInOptions:
    onset_s: float = 0.1
    """Continuous speech that counts as an interruption (three 32 ms VAD windows)."""
    preroll_s: float = 0.5
    """Audio kept from before the onset, so the interrupting word is transcribed whole."""
    pause_s: float = SHORT_ANSWER_PAUSE_S
    """Silence that ends what the person said after interrupting."""
    max_s: float = 8.0
    """The longest interruption recorded (a reply goes on in the listening turn after it)."""


@dataclass(frozen=True, slots=True)
class Interruption:
    """What the person said over Confide, and when (monotonic seconds)."""

    audio: np.ndarray
    onset_at: float
    """When the interruption was decided: the speech's stop event was set then."""
    speech_began_at: float
    """When the first sample of the interrupting speech reached the microphone (estimate)."""


class Watch:
    """One utterance's watch; ``interruption`` is set once the person spoke over it."""

    def __init__(self, barge_in: BargeIn, stop: threading.Event) -> None:
        self._barge_in = barge_in
        self._stop = stop
        self._closing = threading.Event()
        self._done = threading.Event()
        self.interruption: Interruption | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="confide-barge-in", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> Interruption | None:
        """The speech is over: stop watching, or, when interrupted, wait for the person to
        finish what they are saying."""
        self._closing.set()
        self._thread.join()
        if self.error is not None:
            log.warning("barge-in watch failed: %s", self.error)
        return self.interruption

    def _run(self) -> None:
        try:
            self._watch()
        except BaseException as exc:  # a device error must not break the conversation
            self.error = exc
        finally:
            self._done.set()

    def _watch(self) -> None:
        opts = self._barge_in.options
        vad = self._barge_in.vad_factory()
        turn = Segmenter(TurnRules(end_silence_s=opts.pause_s, min_speech_s=opts.onset_s))
        window_s = WINDOW / SAMPLE_RATE
        keep = round(opts.preroll_s * MIC_RATE)
        before: collections.deque[np.ndarray] = collections.deque()
        before_samples = 0
        heard: list[np.ndarray] = []
        onset_at: float | None = None
        speech_began_at = 0.0
        clock = self._barge_in.clock
        blocks = self._barge_in.mic.blocks()
        try:
            for block in blocks:
                arrived = clock()
                if onset_at is None:
                    if self._closing.is_set():
                        return  # the speech ended with nobody interrupting
                    before.append(block)
                    before_samples += block.size
                    while before_samples - before[0].size >= keep:
                        before_samples -= before.popleft().size
                else:
                    heard.append(block)
                seen = vad.windows
                vad.feed(block)
                signal = Signal.GOING
                for is_speech in vad.speech_flags[seen:]:
                    signal = turn.process(window_s, is_speech)
                    if onset_at is None and turn.speech_seen:
                        onset_at = clock()
                        self._stop.set()
                        # The run of speech that made the onset began onset_s before the end
                        # of this window; the window ended at most one block before now.
                        speech_began_at = arrived - opts.onset_s
                        heard = list(before)
                    if signal is Signal.ENDED:
                        break
                if onset_at is not None and (signal is Signal.ENDED
                                             or turn.total_s >= opts.max_s):
                    break
        finally:
            blocks.close()  # type: ignore[attr-defined]
        if onset_at is not None:
            self.interruption = Interruption(np.concatenate(heard), onset_at, speech_began_at)
            log.info("barge-in: %.2f s of speech over Confide", turn.speech_s)


class BargeIn:
    """Watches the microphone while Confide speaks (one watch per utterance)."""

    def __init__(self, mic: Microphone, vad_factory: Callable[[], VadTracker],
                 options: BargeInOptions | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.mic = mic
        self.vad_factory = vad_factory
        self.options = options or BargeInOptions()
        self.clock = clock

    @contextmanager
    def watching(self, stop: threading.Event) -> Iterator[Watch]:
        """Watch while the body speaks; ``stop`` is set the moment the person speaks."""
        watch = Watch(self, stop)
        watch.start()
        try:
            yield watch
        finally:
            watch.close()
