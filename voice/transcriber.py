"""Speech in: the ``Transcriber`` port, what it produces, its streaming session, and a fake.

The voice loop and the API talk to this interface only; ``voice.whisper`` is the real
adapter (faster-whisper) and ``FakeTranscriber`` serves unit tests of the loop's logic. A
test keeps the fake's signatures equal to the real ones. Audio here is always 16 kHz
float32 mono. Like every engine module it imports nothing of ours: ``Transcript`` and
``Segment`` are defined here, and the journal files them through the shape it asks for
(``models.transcript.TranscriptData``), so the domain never imports an engine.
"""

from __future__ import annotations

import abc
import asyncio
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Self

import numpy as np

__all__ = [
    "SAMPLE_RATE",
    "FakeTranscriber",
    "FakeTranscriptionStream",
    "ModelUnavailableError",
    "Segment",
    "Transcriber",
    "Transcript",
    "TranscriptionStream",
    "as_mono_float32",
    "collapse_repeated_segments",
    "join_transcripts",
    "normalized_words",
]

SAMPLE_RATE = 16_000

ProgressCallback = Callable[[float], None]
"""Called with the seconds of audio transcribed so far (for progress bars)."""


class ModelUnavailableError(RuntimeError):
    """The speech model cannot be loaded here; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One timed piece of a transcript; ``confidence`` is 0..1 (exp of the mean log-prob)."""

    start: float
    end: float
    text: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Transcript:
    """A whole reply's text; ``no_speech`` is true when nothing was said (never invented text)."""

    text: str
    language: str
    duration: float
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def no_speech(self) -> bool:
        return not self.text.strip()

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "duration": self.duration,
            "segments": [s.to_dict() for s in self.segments],
        }


class TranscriptionStream(abc.ABC):
    """One reply being recorded: blocks go in as they are captured, the text comes out at the end.

    Close it when done (or use it as a context manager); ``finish`` may be called once the
    reply has ended and returns the whole reply's transcript.
    """

    @abc.abstractmethod
    def feed(self, block: np.ndarray) -> None:
        """Add recorded 16 kHz float32 mono samples (any block size); never blocks on inference."""

    @abc.abstractmethod
    def finish(self, timeout: float | None = None) -> Transcript:
        """End the reply and return its transcript (timestamps over the whole recording)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop any background work and release the session; safe to call twice."""

    @abc.abstractmethod
    def audio(self) -> np.ndarray:
        """Everything fed so far, as one array (a copy), so the recording can be kept."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Transcriber(abc.ABC):
    """Turns 16 kHz float32 mono samples into a ``Transcript``; blocking, so call off the loop."""

    sample_rate: ClassVar[int] = SAMPLE_RATE

    @abc.abstractmethod
    def transcribe(
        self, samples: np.ndarray, *, on_progress: ProgressCallback | None = None
    ) -> Transcript:
        """Transcribe a whole recording; silence or noise gives an empty (no-speech) transcript."""

    @abc.abstractmethod
    def stream(self) -> TranscriptionStream:
        """Start a streaming session for a reply that is being recorded now."""

    def transcribe_short(self, samples: np.ndarray) -> Transcript:
        """A short answer or command, matched against a closed set of words afterwards: an
        engine may take a faster path here (the reply path keeps full accuracy)."""
        return self.transcribe(samples)

    def transcribe_request(self, samples: np.ndarray, hint: str) -> Transcript:
        """A request (the full path: free words follow), with ``hint``, sentences of the
        requests that can be made, to lean the engine toward their words; an engine without
        such biasing transcribes as usual."""
        return self.transcribe(samples)

    async def transcribe_async(self, samples: np.ndarray) -> Transcript:
        """``transcribe`` on a worker thread, so an event loop keeps serving while it runs."""
        return await asyncio.to_thread(self.transcribe, samples)


def as_mono_float32(samples: np.ndarray) -> np.ndarray:
    """Samples as a contiguous 1-D float32 array; integer PCM is scaled to -1..1."""
    data = np.asarray(samples)
    if np.issubdtype(data.dtype, np.integer):
        data = data.astype(np.float32) / np.float32(float(np.iinfo(data.dtype).max) + 1.0)
    if data.ndim > 1:
        data = data.mean(axis=1) if data.shape[1] > 1 else data.reshape(-1)
    return np.ascontiguousarray(data, dtype=np.float32)


_WORD_CHARS = re.compile(r"[^\w']+")


def normalized_words(text: str) -> list[str]:
    """Lowercase words without punctuation, for comparing phrases (not for display)."""
    return [w.strip("'") for w in _WORD_CHARS.sub(" ", text.lower()).split() if w.strip("'")]


def collapse_repeated_segments(segments: Iterable[Segment], *, run: int = 3) -> list[Segment]:
    """Keep one of ``run`` or more consecutive segments with the same words.

    Whisper's failure loop repeats one line over and over; people rarely say the very same
    sentence three times in a row, so such a run is kept once (timed over the whole run).
    """
    out: list[Segment] = []
    group: list[Segment] = []

    def flush() -> None:
        if len(group) >= run:
            first, last = group[0], group[-1]
            out.append(Segment(first.start, last.end, first.text, first.confidence))
        else:
            out.extend(group)
        group.clear()

    for seg in segments:
        if group and normalized_words(seg.text) != normalized_words(group[0].text):
            flush()
        group.append(seg)
    flush()
    return out


def join_transcripts(
    parts: Sequence[tuple[float, Transcript]], *, duration: float, language: str
) -> Transcript:
    """One transcript from pieces transcribed separately, each shifted by its start offset."""
    segments = [
        Segment(round(s.start + offset, 3), round(s.end + offset, 3), s.text, s.confidence)
        for offset, part in parts
        for s in part.segments
    ]
    segments = collapse_repeated_segments(segments)
    languages = [p.language for _, p in parts if not p.no_speech]
    return Transcript(
        text=" ".join(s.text.strip() for s in segments if s.text.strip()),
        language=languages[0] if languages else language,
        duration=duration,
        segments=tuple(segments),
    )


class FakeTranscriber(Transcriber):
    """Returns scripted replies in order (then ``default``), for tests of the voice loop.

    Each ``transcribe`` call or finished stream takes the next line of ``script``; an empty
    line stands for a reply with no speech. ``calls`` records how many samples each got.
    While a stream is open (a reply being recorded), ``transcribe_short`` hears the words
    of that reply (the line its stream will take) without taking it.
    """

    def __init__(
        self, script: Iterable[str] = (), *, default: str = "", language: str = "en"
    ) -> None:
        self._script = list(script)
        self.default = default
        self.language = language
        self.calls: list[int] = []
        self.streaming = 0

    def transcribe_short(self, samples: np.ndarray) -> Transcript:
        if not self.streaming:
            return self.transcribe(samples)
        text = self._script[0] if self._script else self.default
        return Transcript(text=text.strip(), language=self.language,
                          duration=as_mono_float32(samples).shape[0] / SAMPLE_RATE)

    def transcribe(
        self, samples: np.ndarray, *, on_progress: ProgressCallback | None = None
    ) -> Transcript:
        data = as_mono_float32(samples)
        self.calls.append(int(data.shape[0]))
        duration = data.shape[0] / SAMPLE_RATE
        text = self._script.pop(0) if self._script else self.default
        if on_progress is not None:
            on_progress(duration)
        segments = (Segment(0.0, round(duration, 3), text, 1.0),) if text.strip() else ()
        return Transcript(text=text.strip(), language=self.language, duration=duration,
                          segments=segments)

    def stream(self) -> TranscriptionStream:
        return FakeTranscriptionStream(self)


class FakeTranscriptionStream(TranscriptionStream):
    """Collects the blocks and hands the whole reply to its ``FakeTranscriber`` at the end."""

    def __init__(self, transcriber: FakeTranscriber) -> None:
        self._transcriber = transcriber
        self._blocks: list[np.ndarray] = []
        self._result: Transcript | None = None
        self.closed = False
        transcriber.streaming += 1

    def feed(self, block: np.ndarray) -> None:
        if self._result is not None or self.closed:
            raise RuntimeError("this transcription stream has already finished")
        self._blocks.append(as_mono_float32(block).copy())

    def finish(self, timeout: float | None = None) -> Transcript:
        if self._result is None:
            self._end()
            self._result = self._transcriber.transcribe(self.audio())
        return self._result

    def close(self) -> None:
        self._end()
        self.closed = True

    def _end(self) -> None:
        if not self.closed and self._result is None and self._transcriber.streaming:
            self._transcriber.streaming -= 1

    def audio(self) -> np.ndarray:
        return np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.float32)
