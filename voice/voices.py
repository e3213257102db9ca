"""Which engine speaks: a person's voice choice parsed, resolved, and routed to an engine.

A choice (``Person.tts_voice``, ``CONFIDE_TTS_VOICE``) is one of:

- ``None`` or ``""``: the default, the natural voice where it is installed, else espeak-ng;
- ``"natural"``: the neural voice (Piper's joe); ``"fast"``: espeak-ng, whose high rates
  screen-reader users prefer;
- ``"piper:NAME"`` or ``"espeak:ID"``: a named voice of one engine;
- any other word: an espeak-ng voice id (``"en-gb"``), as stored before there were two.

Parsing and resolving are pure functions; ``VoiceRouter`` is the ``SpeechSynthesizer`` that
sends each call to the engine the choice names, loading each engine on first use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from confide.voice.ports import SpeechSynthesizer

if TYPE_CHECKING:  # annotations only: the settings' voice check loads no NumPy
    import numpy as np

__all__ = [
    "ESPEAK",
    "FAST",
    "NATURAL",
    "NEURAL",
    "NEURAL_VOICES",
    "VoiceChoice",
    "VoiceRouter",
    "describe",
    "parse_voice",
    "resolve_voice",
]

log = logging.getLogger(__name__)

Engine = Literal["neural", "espeak"]
NEURAL: Engine = "neural"
ESPEAK: Engine = "espeak"
NATURAL = "natural"
FAST = "fast"
NEURAL_VOICES = ("en_US-joe-medium",)
"""Neural voices that ship as packages; ``piper:NAME`` must name one of them."""
_PREFIXES: dict[str, Engine] = {"piper": NEURAL, "espeak": ESPEAK}


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """An engine and, optionally, one of its voices (None: the engine's default)."""

    engine: Engine
    voice: str | None = None


def parse_voice(value: str | None) -> VoiceChoice | None:
    """The choice a stored value names, or None for the default; ValueError if malformed."""
    text = (value or "").strip()
    if not text:
        return None
    lowered = text.lower()
    if lowered == NATURAL:
        return VoiceChoice(NEURAL)
    if lowered == FAST:
        return VoiceChoice(ESPEAK)
    if ":" in text:
        prefix, _, name = text.partition(":")
        engine = _PREFIXES.get(prefix.strip().lower())
        if engine is None:
            raise ValueError(f"unknown speech engine {prefix!r} in {text!r}: use 'natural', "
                             "'fast', 'piper:NAME' or 'espeak:VOICE'")
        name = name.strip()
        if not name:
            raise ValueError(f"{text!r} names no voice: write '{prefix}:NAME', or "
                             f"'{NATURAL}' / '{FAST}'")
        if engine == NEURAL and name not in NEURAL_VOICES:
            raise ValueError(f"no neural voice {name!r} is installed; known: {', '.join(NEURAL_VOICES)}")
        return VoiceChoice(engine, None if engine == NEURAL else name)
    return VoiceChoice(ESPEAK, text)


def resolve_voice(value: str | None, *, neural_available: bool,
                  default: str | None = None) -> VoiceChoice:
    """The engine that speaks for ``value`` (falling back to ``default``, then the natural
    voice if available); a neural choice where it is not installed speaks with espeak-ng."""
    try:
        choice = parse_voice(value)
    except ValueError:
        log.warning("ignoring the unusable voice choice %r", value)
        choice = None
    if choice is None:
        try:
            choice = parse_voice(default)
        except ValueError:
            choice = None
    if choice is None:
        choice = VoiceChoice(NEURAL if neural_available else ESPEAK)
    if choice.engine == NEURAL and not neural_available:
        return VoiceChoice(ESPEAK)
    return choice


def describe(choice: VoiceChoice) -> str:
    """How the voice is named to a person ("the natural voice")."""
    if choice.engine == NEURAL:
        return "the natural voice"
    return "the fast voice" if choice.voice is None else f"the espeak-ng voice {choice.voice}"


class VoiceRouter(SpeechSynthesizer):
    """One synthesizer over both engines; each call goes to the engine its ``voice`` names.

    Engines are made by the factories on first use (the neural model loads once); if the
    neural one cannot load, the router says so in the log and speaks with espeak-ng.
    """

    def __init__(self, espeak: Callable[[], SpeechSynthesizer],
                 neural: Callable[[], SpeechSynthesizer] | None = None, *,
                 default: str | None = None) -> None:
        self._factories: dict[Engine, Callable[[], SpeechSynthesizer] | None] = {
            ESPEAK: espeak, NEURAL: neural}
        self._engines: dict[Engine, SpeechSynthesizer] = {}
        self._default = default
        self._lock = threading.Lock()

    @property
    def neural_available(self) -> bool:
        return self._factories[NEURAL] is not None

    def choice(self, voice: str | None) -> VoiceChoice:
        """What ``voice`` resolves to here."""
        return resolve_voice(voice, neural_available=self.neural_available, default=self._default)

    def engine(self, name: Engine) -> SpeechSynthesizer:
        """The engine, made on first use."""
        with self._lock:
            found = self._engines.get(name)
            if found is None:
                factory = self._factories[name]
                if factory is None:
                    raise LookupError(f"the {name} engine is not installed")
                found = self._engines[name] = factory()
            return found

    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        choice = self.choice(voice)
        if choice.engine == NEURAL:
            try:
                engine = self.engine(NEURAL)
            except Exception:
                log.warning("the natural voice could not load; speaking with espeak-ng",
                            exc_info=True)
                self._factories[NEURAL] = None
                choice = VoiceChoice(ESPEAK)
            else:
                return engine.synthesize(text, voice=None, rate=rate, volume=volume)
        return self.engine(ESPEAK).synthesize(text, voice=choice.voice, rate=rate, volume=volume)

    def voices(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.neural_available:
            out.append((NATURAL, "Natural (Joe, US English, neural)"))
        out.append((FAST, "Fast (espeak-ng)"))
        out.extend((f"espeak:{vid}", name) for vid, name in self.engine(ESPEAK).voices())
        return out
