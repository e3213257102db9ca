"""What the journal needs of a transcript, and the transcripts it reads back from exports.

The speech engines sit below the domain and import nothing of ours, so they define their
own result (``voice.transcriber.Transcript``); the journal never imports them either. It
states the shape it files instead (``TranscriptData``): any engine's transcript, or the
``Transcript`` below made from an export's JSON, can be filed without a translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

__all__ = ["Segment", "SegmentData", "Transcript", "TranscriptData"]


class SegmentData(Protocol):
    """A timed piece of a transcript, as the journal stores it (start, end, text, confidence)."""

    def to_dict(self) -> dict[str, Any]: ...


class TranscriptData(Protocol):
    """What filing a transcript reads: its words, language, segments and the no-speech flag."""

    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def segments(self) -> Sequence[SegmentData]: ...
    @property
    def no_speech(self) -> bool: ...
    @property
    def word_count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Segment:
    """One timed piece of a transcript; ``confidence`` is 0..1 (exp of the mean log-prob)."""

    start: float
    end: float
    text: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            confidence=float(data.get("confidence", 0.0)),
        )


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
