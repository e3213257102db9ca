"""Listening turns: a whole spoken reply (saved as it is spoken), or a short command.

Speech comes from the Silero VAD, window by window; when the turn has ended is decided by
voice.segmenter: a reply ends after ``pause_allowance`` seconds of silence once speech has
begun. There is no time limit unless the person sets one; a
long silence before any words gets a gentle "take your time", never a cut-off.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from confide.voice.hunch import Hunch
from confide.voice.pending import PendingRecording
from confide.voice.ports import Microphone
from confide.voice.segmenter import SHORT_ANSWER_PAUSE_S, EndedBy, Segmenter, Signal, TurnRules
from confide.voice.transcriber import Transcriber, Transcript
from confide.voice.vad import SAMPLE_RATE, WINDOW, VadTracker

__all__ = ["Listener", "ReplyTurn"]

log = logging.getLogger(__name__)

CLOSING_CHECK_S = 0.5
"""A pause this long in a reply is when its last words are checked for a closing phrase."""
CLOSING_TAIL_S = 3.0
"""How much of the reply's end is heard for that check ("that's it, I'm done" and a margin)."""
EARLY_END_S = 0.3
"""Silence after which a short answer is tried as a whole one (``utterance(accept=...)``)."""


@dataclass(frozen=True, slots=True)
class ReplyTurn:
    """A recorded reply; ``endpoint_at`` is when the loop decided it had ended (monotonic)."""

    samples: np.ndarray
    transcript: Transcript
    ended_by: EndedBy
    endpoint_at: float
    last_speech_at: float


class Listener:
    """Records from the microphone, deciding when a turn has ended."""

    def __init__(self, mic: Microphone, transcriber: Transcriber,
                 vad_factory: Callable[[], VadTracker], *,
                 gentle_nudge: Callable[[], None] | None = None,
                 nudge_after_s: float = 12.0, give_up_after_s: float = 180.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.mic = mic
        self.transcriber = transcriber
        self.vad_factory = vad_factory
        self.gentle_nudge = gentle_nudge
        self.nudge_after_s = nudge_after_s
        self.give_up_after_s = give_up_after_s
        self.clock = clock

    def reply(self, pending: PendingRecording, *, pause_allowance_s: float,
              max_reply_s: float | None = None, preroll: np.ndarray | None = None,
              closes: Callable[[str], bool] | None = None) -> ReplyTurn:
        """Record a reply into ``pending`` (durably, block by block) and transcribe as it goes.
        ``preroll``: the reply's first words, already heard (said over the prompt).
        ``closes``: whether words end the reply ("that's it, I'm done"); at each pause of
        ``CLOSING_CHECK_S`` the last few seconds are heard on the short path (on a worker
        thread: recording never waits), and a closing phrase ends the turn there, without
        waiting out the pause allowance."""
        vad = self.vad_factory()
        turn = Segmenter(TurnRules.reply(pause_allowance_s, max_reply_s,
                                         nudge_after_s=self.nudge_after_s,
                                         give_up_after_s=self.give_up_after_s))
        stream = self.transcriber.stream()
        last_speech_at = self.clock()
        tail: collections.deque[np.ndarray] = collections.deque(
            maxlen=max(1, round(CLOSING_TAIL_S / 0.032)))
        hunch: Hunch | None = None  # the reply's last words, heard at its last pause
        ended_by: EndedBy | None = None
        try:
            if preroll is not None and preroll.size:
                pending.append(preroll)
                stream.feed(preroll)
                _feed(turn, vad, preroll)
                last_speech_at = self.clock()
            for block in self.mic.blocks():
                pending.append(block)
                stream.feed(block)
                tail.append(block)
                signal = _feed(turn, vad, block)
                if turn.speech_seen and turn.trailing_silence_s < 0.1:
                    last_speech_at = self.clock()
                if signal is Signal.NUDGE and self.gentle_nudge is not None:
                    self.gentle_nudge()
                if signal is Signal.ENDED:
                    break
                if closes is None or not turn.speech_seen:
                    continue
                if hunch is not None and hunch.ready and not hunch.judged:
                    hunch.judged = True
                    said = hunch.text()
                    if hunch.at == turn.last_speech_s and said and closes(said):
                        ended_by = "closing"
                        break
                if (turn.trailing_silence_s >= CLOSING_CHECK_S
                        and (hunch is None or (hunch.ready and hunch.at != turn.last_speech_s))):
                    hunch = Hunch(partial(self._short_text, np.concatenate(tail)),
                                  turn.last_speech_s)
            endpoint_at = self.clock()
            pending.close()
            transcript = stream.finish()
            samples = stream.audio()
        finally:
            stream.close()
        return ReplyTurn(samples, transcript, ended_by or turn.ended_by or "no_speech",
                         endpoint_at, last_speech_at)

    def utterance(self, *, timeout_s: float = 10.0, pause_s: float = SHORT_ANSWER_PAUSE_S,
                  max_s: float = 8.0, accept: Callable[[str], bool] | None = None,
                  early_s: float = EARLY_END_S, short: bool = True,
                  hint: str | None = None) -> str:
        """A short answer or command; '' when nothing was said within ``timeout_s``.

        With ``accept``, the turn may end sooner than ``pause_s``: after ``early_s`` of
        silence what was said is transcribed (on a worker thread: the microphone goes on
        being read), and when ``accept`` finds it a whole answer ("yes", "read it back") the
        turn ends there; otherwise listening goes on, and the transcript is reused if nothing
        more is said. ``short``: the engine's short-answer
        path (a closed set follows); False for free words, such as a spoken passphrase.
        ``hint``: a request at the home, heard with the requests' words as a hint.
        """
        vad = self.vad_factory()
        turn = Segmenter(TurnRules.short(timeout_s=timeout_s, pause_s=pause_s, max_s=max_s))
        blocks: list[np.ndarray] = []
        hunch: Hunch | None = None  # what was said up to the last pause, heard ahead
        for block in self.mic.blocks():
            blocks.append(block)
            if _feed(turn, vad, block) is Signal.ENDED:
                break
            if accept is None or not turn.speech_seen:
                continue
            if hunch is not None and hunch.ready and not hunch.judged:
                hunch.judged = True
                said = hunch.text()
                if hunch.at == turn.last_speech_s and said and accept(said):
                    log.info("utterance: %.1f s, a whole answer after %.2f s of silence",
                             turn.total_s, turn.trailing_silence_s)
                    return said
            if (turn.trailing_silence_s >= early_s
                    and (hunch is None or (hunch.ready and hunch.at != turn.last_speech_s))):
                hunch = Hunch(partial(self._heard, list(blocks), short, hint),
                              turn.last_speech_s)
        if turn.ended_by == "no_speech":
            log.info("utterance: nothing said in %.0f s", timeout_s)
            return ""
        said = (hunch.text() if hunch is not None and hunch.at == turn.last_speech_s
                else None)
        text = said if said is not None else self._heard(blocks, short, hint)
        # Never the words: an answer can be journal content, or a spoken passphrase.
        log.info("utterance: %.1f s, speech %.1f s, %d words", turn.total_s, turn.speech_s,
                 len(text.split()))
        return text

    def _short_text(self, audio: np.ndarray) -> str:
        return self.transcriber.transcribe_short(audio).text

    def _heard(self, blocks: list[np.ndarray], short: bool, hint: str | None = None) -> str:
        audio = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
        if hint is not None:
            heard = self.transcriber.transcribe_request(audio, hint)
        elif short:
            heard = self.transcriber.transcribe_short(audio)
        else:
            heard = self.transcriber.transcribe(audio)
        return heard.text.strip()


def _feed(turn: Segmenter, vad: VadTracker, block: np.ndarray) -> Signal:
    """Run the VAD over ``block`` and give the segmenter each new window's verdict."""
    seen = vad.windows
    vad.feed(block)
    signal = Signal.GOING
    for is_speech in vad.speech_flags[seen:]:
        step = turn.process(WINDOW / SAMPLE_RATE, is_speech)
        if step is not Signal.GOING:
            signal = step
        if step is Signal.ENDED:
            break
    return signal
