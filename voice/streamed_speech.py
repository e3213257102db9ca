"""Streamed speech: text cut into chunks, each synthesized while the one before it plays.

The first sound comes as soon as the first chunk (a short clause of the first sentence) is
made, not the whole text; later chunks are made in a worker thread while earlier ones play,
so no gap opens between sentences as long as synthesis runs faster than real time. Speech
starts with a short lead-in silence (Bluetooth and USB outputs clip the first syllable
otherwise) and can be stopped between any two blocks: ``stop`` is checked before each one,
which is what barge-in builds on.

Works with any ``SpeechSynthesizer`` and any ``AudioSink``; the sounddevice sink lives in
``voice.stream_player``, one over any ``Speaker`` and a fake in ``voice.speech_sinks``.
The chunking is a pure function, tested on its own.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from confide.voice.ports import SpeechSynthesizer

__all__ = [
    "AudioSink",
    "Chunk",
    "SpeechReport",
    "StreamOptions",
    "StreamedSpeech",
    "speech_chunks",
    "split_sentences",
    "trim_silence",
]

log = logging.getLogger(__name__)

_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr",
                            "prof", "mt", "no"})
_SENTENCE_END = re.compile(r"([.!?…]+[\"')\]]*)(\s+)")
_CLAUSE_END = re.compile(r"([,;:—–])\s+")
_SOFT_BREAK_WORDS = frozenset({"and", "but", "or", "so", "because", "when", "while", "that",
                               "which", "who", "where", "if", "to", "with", "about", "for",
                               "than", "before", "after", "until", "since"})


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """How speech is cut and paced (seconds unless named otherwise)."""

    lead_in_s: float = 0.12
    """Silence before the first word, so a waking output does not clip it."""
    block_s: float = 0.04
    """Audio is handed to the sink in blocks this long; stop is checked between them."""
    sentence_pause_s: float = 0.15
    """Silence between sentences (the engine's own trailing silence is trimmed to this)."""
    clause_pause_s: float = 0.08
    """Silence where the first sentence is cut at a comma."""
    first_chunk_words: int = 6
    """A first sentence longer than this is cut at a clause (or before a joining word), so
    the first audio is ready in about the time six words take to make."""
    max_chunk_words: int = 24
    """Longer sentences are cut too: a chunk's synthesis memory grows with its length (the
    neural voice peaks near 250 MB of RSS on 20 words and 360-490 MB on 40)."""
    lookahead: int = 2
    """Chunks made ahead of the one playing."""
    silence_level: float = 0.01
    """Peak below which an engine's leading and trailing samples count as silence."""
    output_rate: int | None = 22_050
    """The output opens at this rate as soon as speaking starts, so the lead-in plays while
    the first chunk is still being made (both engines speak at 22.05 kHz; other rates are
    resampled). None: open at the first chunk's own rate, after it is made."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of text synthesized in one call, and the silence that follows it."""

    text: str
    pause_after_s: float


@dataclass(slots=True)
class SpeechReport:
    """What happened while speaking: for the loop (was it stopped?) and for the benchmark."""

    completed: bool = False
    chunks_played: int = 0
    first_audio_s: float | None = None
    """From the call to the first block of speech (after the lead-in) reaching the sink."""
    gaps_s: list[float] = field(default_factory=list)
    """Per chunk after the first: how long the sink ran dry waiting for it (0 when ahead)."""
    synth_s: list[float] = field(default_factory=list)
    audio_s: float = 0.0


class AudioSink(Protocol):
    """Where streamed blocks go: one open output for a whole utterance."""

    def start(self, rate: int) -> None:
        """Open the output at this sample rate."""

    def write(self, block: np.ndarray) -> None:
        """Queue a block; may block while much audio is still waiting to be heard."""

    def finish(self) -> None:
        """Return once everything written has been heard, then close the output."""

    def abort(self) -> None:
        """Silence now: drop whatever is queued and close the output."""


def _words(text: str) -> list[str]:
    return text.split()


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, keeping their punctuation; abbreviations do not end one."""
    text = " ".join(text.split())
    if not text:
        return []
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        before = text[start:match.start(1)].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if match.group(1) == "." and last in _ABBREVIATIONS:
            continue
        if match.group(1) == "." and len(last) == 1 and last.isalpha():
            continue  # an initial: "J. Smith"
        out.append(text[start:end].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def _split_first(sentence: str, max_words: int) -> tuple[str, str, bool]:
    """(head, rest, at_clause): the first sentence cut so its head is at most ~max_words."""
    words = _words(sentence)
    if len(words) <= max_words:
        return sentence, "", False
    # A comma, semicolon or dash within reach gives the most natural cut.
    best: int | None = None
    for match in _CLAUSE_END.finditer(sentence):
        n = len(_words(sentence[:match.end(1)]))
        if 2 <= n <= max_words and len(words) - n >= 2:
            best = match.end(1)
    if best is not None:
        return sentence[:best].strip(), sentence[best:].strip(), True
    # Else before a joining word ("and", "when", "that"), as late as still in reach.
    for i in range(min(max_words, len(words) - 2), 2, -1):
        if words[i].lower().strip(",;:") in _SOFT_BREAK_WORDS:
            return " ".join(words[:i]), " ".join(words[i:]), False
    return " ".join(words[:max_words]), " ".join(words[max_words:]), False


def _pieces(sentence: str, limit: int, cap: int, opts: StreamOptions) -> list[Chunk]:
    """One sentence as chunks of at most ``limit`` words, the limit doubling up to ``cap``."""
    out: list[Chunk] = []
    rest = sentence
    while rest:
        head, rest, at_clause = _split_first(rest, limit)
        out.append(Chunk(head, (opts.clause_pause_s if at_clause else 0.0) if rest
                         else opts.sentence_pause_s))
        limit = min(cap, limit * 2)
    return out


def speech_chunks(text: str, options: StreamOptions | None = None) -> list[Chunk]:
    """The chunks ``text`` is spoken in: its sentences, the first cut short to start sooner
    (then growing: 6, 12, 24 words), any sentence over ``max_chunk_words`` cut too."""
    opts = options or StreamOptions()
    sentences = split_sentences(text)
    if not sentences:
        return []
    cap = max(opts.first_chunk_words, opts.max_chunk_words)
    chunks = _pieces(sentences[0], opts.first_chunk_words, cap, opts)
    for sentence in sentences[1:]:
        chunks.extend(_pieces(sentence, cap, cap, opts))
    last = chunks[-1]
    chunks[-1] = Chunk(last.text, 0.0)
    return chunks


def trim_silence(samples: np.ndarray, rate: int, *, level: float = 0.01,
                 keep_s: float = 0.01) -> np.ndarray:
    """``samples`` without leading and trailing silence, keeping ``keep_s`` at each edge."""
    loud = np.flatnonzero(np.abs(samples) > level)
    if loud.size == 0:
        return samples[:0]
    keep = round(keep_s * rate)
    return samples[max(0, loud[0] - keep): min(samples.size, loud[-1] + 1 + keep)]


def _resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target or samples.size == 0:
        return samples
    n = round(samples.size * target / rate)
    x_new = np.linspace(0.0, samples.size, n, endpoint=False)
    out: np.ndarray = np.interp(x_new, np.arange(samples.size), samples).astype(np.float32)
    return out


_DONE = object()
_Made = tuple[Chunk, np.ndarray, int]


class StreamedSpeech:
    """Speaks text through a sink, chunk by chunk, making the next while one plays."""

    def __init__(self, synthesizer: SpeechSynthesizer, sink: AudioSink,
                 options: StreamOptions | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.synthesizer = synthesizer
        self.sink = sink
        self.options = options or StreamOptions()
        self._clock = clock

    def speak(self, text: str, *, voice: str | None = None, rate: int = 165,
              volume: float = 1.0, stop: threading.Event | None = None,
              on_start: Callable[[], None] | None = None) -> SpeechReport:
        """Speak ``text``; returns early (``completed`` False) once ``stop`` is set.
        ``on_start`` runs once the first words are on their way to the speaker (the session
        starts slow work then, behind a hello that is already playing)."""
        opts = self.options
        report = SpeechReport()
        chunks = speech_chunks(text, opts)
        if not chunks:
            report.completed = True
            return report
        stop = stop or threading.Event()
        cancel = threading.Event()
        made: queue.Queue[object] = queue.Queue(maxsize=max(1, opts.lookahead))
        called = self._clock()

        def produce() -> None:
            try:
                for chunk in chunks:
                    if cancel.is_set():
                        return
                    began = self._clock()
                    samples, sr = self.synthesizer.synthesize(chunk.text, voice=voice, rate=rate,
                                                              volume=volume)
                    report.synth_s.append(self._clock() - began)
                    item: _Made = (chunk, np.asarray(samples, dtype=np.float32).reshape(-1), int(sr))
                    while not cancel.is_set():
                        try:
                            made.put(item, timeout=0.05)
                            break
                        except queue.Full:
                            continue
            except BaseException as exc:  # handed to the speaking thread, raised there
                made.put(exc)
                return
            made.put(_DONE)

        out_rate: int | None = None
        heard_until = 0.0  # clock time at which everything written so far has played
        if opts.output_rate is not None:  # the lead-in plays while the first chunk is made
            out_rate, heard_until = self._open(opts.output_rate, stop)
            if out_rate is None:
                self._abort(cancel)
                return report
        worker = threading.Thread(target=produce, name="confide-tts", daemon=True)
        worker.start()
        first = True
        try:
            while True:
                item = self._next(made, stop)
                if item is None:
                    self._abort(cancel)
                    return report
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, tuple)
                chunk, samples, sr = item
                if out_rate is None:
                    out_rate, heard_until = self._open(sr, stop)
                    if out_rate is None:
                        self._abort(cancel)
                        return report
                elif not first:
                    report.gaps_s.append(max(0.0, self._clock() - heard_until))
                first = False
                audio = _resample(trim_silence(samples, sr, level=opts.silence_level), sr, out_rate)
                pause = np.zeros(round(chunk.pause_after_s * out_rate), dtype=np.float32)
                audio = np.concatenate([audio, pause])
                for i in range(0, audio.size, max(1, round(opts.block_s * out_rate))):
                    block = audio[i:i + round(opts.block_s * out_rate)]
                    if not self._write(block, out_rate, stop):
                        self._abort(cancel)
                        return report
                    now = self._clock()
                    heard_until = max(heard_until, now) + block.size / out_rate
                    if report.first_audio_s is None:
                        report.first_audio_s = now - called
                        if on_start is not None:
                            on_start()
                report.chunks_played += 1
                report.audio_s += audio.size / out_rate
            if stop.is_set():
                self._abort(cancel)
                return report
            self.sink.finish()
            report.completed = True
            return report
        finally:
            cancel.set()
            if report.completed:
                worker.join(timeout=5)
            # Stopped: the producer may be inside a synthesis call (seconds on a busy CPU);
            # it sees ``cancel`` after it and ends on its own, so speech returns at once.

    def play(self, samples: np.ndarray, rate: int, *,
             stop: threading.Event | None = None) -> SpeechReport:
        """Play ready-made audio (an earcon, a person's own recording) through the same sink,
        lead-in and output rate as speech: one clock for everything the person hears."""
        stop = stop or threading.Event()
        report = SpeechReport()
        out_rate, _ = self._open(self.options.output_rate or rate, stop)
        if out_rate is None:
            self.sink.abort()
            return report
        audio = _resample(np.asarray(samples, dtype=np.float32).reshape(-1), rate, out_rate)
        step = max(1, round(self.options.block_s * out_rate))
        for i in range(0, audio.size, step):
            if not self._write(audio[i:i + step], out_rate, stop):
                self.sink.abort()
                return report
        self.sink.finish()
        report.chunks_played, report.audio_s, report.completed = 1, audio.size / out_rate, True
        return report

    def _open(self, rate: int, stop: threading.Event) -> tuple[int | None, float]:
        """Start the sink with its lead-in silence: (rate, when the lead-in will have played),
        or (None, 0) when stopped already."""
        self.sink.start(rate)
        started = self._clock()
        lead = np.zeros(round(self.options.lead_in_s * rate), dtype=np.float32)
        if not self._write(lead, rate, stop):
            return None, 0.0
        return rate, started + lead.size / rate

    def _next(self, made: queue.Queue[object], stop: threading.Event) -> object | None:
        """The next made chunk, or None once ``stop`` is set while waiting for it."""
        while True:
            if stop.is_set():
                return None
            try:
                return made.get(timeout=0.01)
            except queue.Empty:
                continue

    def _write(self, block: np.ndarray, rate: int, stop: threading.Event) -> bool:
        if stop.is_set():
            return False
        if block.size:
            self.sink.write(block)
        return True

    def _abort(self, cancel: threading.Event) -> None:
        cancel.set()
        self.sink.abort()
