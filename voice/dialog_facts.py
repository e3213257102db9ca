"""Facts the runner reads from the journal for the dialog (voice.dialog_events), as plain
data: the partner's news, goals, how the person likes to be spoken to, entries found."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FollowUp", "FoundItem", "GoalItem", "NewsItem", "VoiceSettings"]


@dataclass(frozen=True, slots=True)
class NewsItem:
    """A reflection the partner shared that this person has not heard yet."""

    entry_id: int
    weekday: str
    prompt_text: str | None = None


@dataclass(frozen=True, slots=True)
class GoalItem:
    goal_id: int
    title: str


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """How Confide speaks and listens to this person (their preferences)."""

    rate: int = 165
    volume: float = 1.0
    pause_allowance_s: float = 3.0


@dataclass(frozen=True, slots=True)
class FoundItem:
    """An entry found by a look back: when it was written (a weekday or a date, on the
    person's clock), by whom (None: the person), and whether there is a recording."""

    entry_id: int
    when: str
    author: str | None = None
    words: int = 0
    has_audio: bool = False
    shared: bool = False
    """In the shared journal (the partner can read it)."""


@dataclass(frozen=True, slots=True)
class FollowUp:
    prompt_id: str
    text: str
    spoken: str
