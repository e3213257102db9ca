"""Listening turns: a whole spoken reply (saved as it is spoken), or a short command.

End of speech comes from the Silero VAD: a reply ends after ``pause_allowance`` seconds
of silence once speech has begun. There is no time limit unless the person sets one; a
long silence before any words gets a gentle "take your time", never a cut-off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from models.transcript import Transcript
from voice.pending import PendingRecording
from voice.ports import Microphone
from voice.transcriber import Transcriber
from voice.vad import VadTracker

__all__ = ["Listener", "ReplyTurn"]

log = logging.getLogger(__name__)

EndedBy = Literal["silence", "limit", "no_speech"]


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
              max_reply_s: float | None = None) -> ReplyTurn:
        """Record a reply into ``pending`` (durably, block by block) and transcribe as it goes."""
        vad = self.vad_factory()
        stream = self.transcriber.stream()
        nudged = False
        ended: EndedBy = "no_speech"
        last_speech_at = self.clock()
        try:
            for block in self.mic.blocks():
                pending.append(block)
                stream.feed(block)
                state = vad.feed(block)
                now = self.clock()
                if state.speech_seen and state.trailing_silence_s < 0.1:
                    last_speech_at = now
                if state.speech_seen and state.trailing_silence_s >= pause_allowance_s:
                    ended = "silence"
                    break
                if max_reply_s is not None and state.total_s >= max_reply_s:
                    ended = "limit"
                    break
                if not state.speech_seen:
                    if not nudged and state.total_s >= self.nudge_after_s and self.gentle_nudge:
                        nudged = True
                        self.gentle_nudge()
                    if state.total_s >= self.give_up_after_s:
                        ended = "no_speech"
                        break
            endpoint_at = self.clock()
            pending.close()
            transcript = stream.finish()
            samples = stream.audio()
        finally:
            stream.close()
        return ReplyTurn(samples, transcript, ended, endpoint_at, last_speech_at)

    def utterance(self, *, timeout_s: float = 10.0, pause_s: float = 0.9,
                  max_s: float = 8.0) -> str:
        """A short answer or command; '' when nothing was said within ``timeout_s``."""
        vad = self.vad_factory()
        blocks: list[np.ndarray] = []
        for block in self.mic.blocks():
            blocks.append(block)
            state = vad.feed(block)
            if state.speech_seen and state.trailing_silence_s >= pause_s:
                break
            if not state.speech_seen and state.total_s >= timeout_s:
                log.info("utterance: nothing said in %.0f s", timeout_s)
                return ""
            if state.total_s >= timeout_s + max_s:
                break
        audio = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
        text = self.transcriber.transcribe(audio).text.strip()
        log.info("utterance: %.1f s, speech %.1f s, heard %r", state.total_s, state.speech_s, text)
        return text
