"""How the session speaks: streamed sentence by sentence, stoppable, watched for barge-in.

When the person speaks over Confide (``voice.barge_in``), the speech stops within a few
blocks, and what they said is kept as an ``Interruption``: the runner then skips whatever
else it was about to say and answers the interruption at the next listening point, as if
it had been said there. Nothing here decides what the words mean; the dialog does.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from confide.voice.barge_in import BargeIn, Interruption
from confide.voice.commands import recognise
from confide.voice.dialog_events import Event, Heard, Listen, ListenMode, Record, ReplyRecorded
from confide.voice.streamed_speech import SpeechReport, StreamedSpeech

if TYPE_CHECKING:
    from confide.voice.runner import VoiceSession

__all__ = ["Mouth", "Spoken", "answer_interruption", "closed_set", "whole_answer"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Spoken:
    """One sentence said: how it went, and what the person said over it (if they did)."""

    report: SpeechReport
    interruption: Interruption | None


class Mouth:
    """Streamed speech with an optional barge-in watch around each utterance."""

    def __init__(self, speech: StreamedSpeech, barge_in: BargeIn | None = None) -> None:
        self.speech = speech
        self.barge_in = barge_in

    def say(self, text: str, *, voice: str | None, rate: int, volume: float,
            on_start: Callable[[], None] | None = None, listen: bool = True) -> Spoken:
        """Speak ``text``; with ``listen`` (and a barge-in watch wired), stop the moment the
        person speaks and return what they said."""
        stop = threading.Event()
        watching = (self.barge_in.watching(stop) if listen and self.barge_in is not None
                    else contextlib.nullcontext(None))
        with watching as watch:
            report = self.speech.speak(text, voice=voice, rate=rate, volume=volume, stop=stop,
                                       on_start=on_start)
        interruption = watch.interruption if watch is not None else None
        if interruption is not None:
            log.info("speech stopped by the person after %d chunk(s)", report.chunks_played)
        return Spoken(report, interruption)


    def play(self, samples: np.ndarray, rate: int) -> None:
        """An earcon or a recording, on the speech's own stream (not watched for barge-in:
        a chime is too short, and a recording is the person's or their partner's voice)."""
        self.speech.play(samples, rate)


def answer_interruption(session: VoiceSession, effect: Listen | Record,
                        audio: np.ndarray) -> Event | None:
    """The words said over Confide answer this listening point: a command as if said
    here, or the first words of a reply, which goes on recording after them."""
    assert session.listener is not None
    stt = session.listener.transcriber
    short = isinstance(effect, Listen) and closed_set(effect.mode)
    text = (stt.transcribe_short(audio) if short else stt.transcribe(audio)).text.strip()
    log.info("interrupted: %d words", len(text.split()))  # never the words
    if isinstance(effect, Record):
        if text and recognise(text).command is not None:
            print(f"  {session.name}: {text}", flush=True)
            return ReplyRecorded(text, no_speech=False)
        return session.record_reply(effect, preroll=audio)
    if not text:  # a noise, not words: listen as usual
        return session.do(effect)
    print(f"  {session.name}: {text}", flush=True)
    return Heard(text)


def _is_command(text: str) -> bool:
    return recognise(text).command is not None


def _is_request(text: str) -> bool:
    from confide.voice.intents import understand

    return _is_command(text) or understand(text) is not None


def whole_answer(mode: ListenMode) -> Callable[[str], bool] | None:
    """What is a complete answer at this listening point, so the turn may end at a short
    silence instead of the full pause; None where free words are wanted (never cut early)."""
    if mode is ListenMode.REPLY:
        return None
    return _is_request if mode is ListenMode.HOME else _is_command


_CLOSED = frozenset({ListenMode.SHORT, ListenMode.YES_NO, ListenMode.RATING, ListenMode.RESUME})


def closed_set(mode: ListenMode) -> bool:
    """Whether the answer is one of a few known words (a yes/no question, a rating, a
    command): then the engine's faster short-answer path hears it. Requests at the home and
    free words keep the full path (tests/model/test_short_answers.py shows why)."""
    return mode in _CLOSED
