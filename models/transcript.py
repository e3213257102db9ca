"""What a transcription produces, as plain data shared by the voice engines and the journal."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Segment", "Transcript"]


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
