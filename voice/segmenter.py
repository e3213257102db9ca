"""End of a spoken turn, decided from voice activity alone (a pure function of time and speech).

Fed one chunk at a time with its duration and whether it held speech, as Home Assistant's
``VoiceCommandSegmenter.process(chunk_seconds, is_speech)``: no audio, no clock, no model, so
every rule is a unit test. A turn is *before speech* until ``min_speech_s`` of continuous
speech (a click or a cough alone does not count), *in speech* while it goes on, then in
*trailing silence*; it ends after ``end_silence_s`` of that silence (the pause allowance of a
reflective reply, or a quick ~0.7 s for a short answer), at ``max_s`` in all, or when nobody
spoke for ``no_speech_s``. A short blip inside a pause does not end the pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = [
    "REPLY_NUDGE_AFTER_S",
    "SHORT_ANSWER_PAUSE_S",
    "EndedBy",
    "Phase",
    "Segmenter",
    "Signal",
    "TurnRules",
]

EndedBy = Literal["silence", "limit", "no_speech", "closing"]
"""Why a turn ended; "closing" is the listener's (a closing phrase heard at a pause)."""

SHORT_ANSWER_PAUSE_S = 0.7
"""Silence that ends a short answer ("yes", "skip") in quick turn-taking."""
REPLY_NUDGE_AFTER_S = 12.0
REPLY_GIVE_UP_AFTER_S = 180.0
_STILL_SPEAKING_S = 0.1
"""Trailing silence shorter than this still counts as speaking (for ``last_speech_s``)."""


class Phase(StrEnum):
    BEFORE_SPEECH = "before_speech"
    IN_SPEECH = "in_speech"
    TRAILING_SILENCE = "trailing_silence"
    ENDED = "ended"


class Signal(StrEnum):
    """What ``process`` tells the listener: go on, say "take your time" once, or stop."""

    GOING = "going"
    NUDGE = "nudge"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class TurnRules:
    """When a turn ends. ``None`` means no such limit."""

    end_silence_s: float
    min_speech_s: float = 0.1
    max_s: float | None = None
    no_speech_s: float | None = None
    nudge_after_s: float | None = None

    @classmethod
    def reply(cls, pause_allowance_s: float, max_reply_s: float | None = None, *,
              nudge_after_s: float | None = REPLY_NUDGE_AFTER_S,
              give_up_after_s: float = REPLY_GIVE_UP_AFTER_S) -> TurnRules:
        """A reflective reply: no time limit unless the person set one, a nudge, never a cut-off
        before words (only after ``give_up_after_s`` of nothing at all)."""
        return cls(end_silence_s=pause_allowance_s, max_s=max_reply_s,
                   no_speech_s=give_up_after_s, nudge_after_s=nudge_after_s)

    @classmethod
    def short(cls, *, timeout_s: float = 10.0, pause_s: float = SHORT_ANSWER_PAUSE_S,
              max_s: float = 8.0) -> TurnRules:
        """A short answer or command: nothing within ``timeout_s`` is silence; at most
        ``max_s`` of talking after that."""
        return cls(end_silence_s=pause_s, max_s=timeout_s + max_s, no_speech_s=timeout_s)


class Segmenter:
    """One turn's state; feed it with ``process`` until it says ``Signal.ENDED``."""

    def __init__(self, rules: TurnRules) -> None:
        self.rules = rules
        self.total_s = 0.0
        self.speech_s = 0.0
        self.trailing_silence_s = 0.0
        self.last_speech_s = 0.0
        """Where in the turn speech was last heard (seconds from its start)."""
        self.speech_seen = False
        self.ended_by: EndedBy | None = None
        self._run_s = 0.0
        self._held_s = 0.0
        self._in_speech = False
        self._nudged = False

    @property
    def phase(self) -> Phase:
        if self.ended_by is not None:
            return Phase.ENDED
        if not self.speech_seen:
            return Phase.BEFORE_SPEECH
        return Phase.IN_SPEECH if self._in_speech else Phase.TRAILING_SILENCE

    def process(self, chunk_s: float, is_speech: bool) -> Signal:
        """Account for ``chunk_s`` seconds of audio that did or did not hold speech."""
        if self.ended_by is not None:
            return Signal.ENDED
        rules = self.rules
        self.total_s += chunk_s
        if is_speech:
            self._run_s += chunk_s
            self.speech_s += chunk_s
            if self._run_s >= rules.min_speech_s - chunk_s / 2:  # to the nearest chunk
                self.speech_seen = True
                self._in_speech = True
                self.trailing_silence_s = 0.0
                self._held_s = 0.0
            elif self.speech_seen:
                # Maybe the next words starting, maybe a blip: not silence until it is known,
                # so a pause just under the allowance is not cut by the words that end it.
                self._held_s += chunk_s
        else:
            self._run_s = 0.0
            self._in_speech = False
            self.trailing_silence_s += self._held_s + chunk_s  # a blip was part of the pause
            self._held_s = 0.0
        if self.speech_seen and self.trailing_silence_s < _STILL_SPEAKING_S:
            self.last_speech_s = self.total_s
        if not self.speech_seen:
            self.trailing_silence_s = self.total_s
        return self._verdict()

    def _verdict(self) -> Signal:
        rules = self.rules
        if self.speech_seen and self.trailing_silence_s >= rules.end_silence_s - 1e-9:
            self.ended_by = "silence"
        elif not self.speech_seen and rules.no_speech_s is not None \
                and self.total_s >= rules.no_speech_s - 1e-9:
            self.ended_by = "no_speech"
        elif rules.max_s is not None and self.total_s >= rules.max_s - 1e-9:
            self.ended_by = "limit"
        if self.ended_by is not None:
            return Signal.ENDED
        if (not self.speech_seen and not self._nudged and rules.nudge_after_s is not None
                and self.total_s >= rules.nudge_after_s - 1e-9):
            self._nudged = True
            return Signal.NUDGE
        return Signal.GOING
