"""Where a person stands in a guided program, as pure functions of the stored facts.

A program day is a day of practice, not a calendar day: the next day is always
``days_done + 1``, so missing an evening never skips a step. The database keeps
``status`` and ``days_done``; everything else is computed here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from confide.prompts.library import Context, Messages, Program, Prompt, load_messages

__all__ = [
    "ProgramState",
    "ProgramStatus",
    "completes_day",
    "is_complete",
    "natural_context",
    "program_intro",
    "program_state",
]

logger = logging.getLogger(__name__)

ProgramStatus = Literal["active", "paused", "left", "done"]


@dataclass(frozen=True, slots=True)
class ProgramState:
    """An active program and the (1-based) day whose prompt comes next."""

    program: Program
    day: int

    def __post_init__(self) -> None:
        if not 1 <= self.day <= len(self.program.days):
            raise ValueError(
                f"day {self.day} is outside program {self.program.id!r} "
                f"(1..{len(self.program.days)})"
            )

    @property
    def prompt_id(self) -> str:
        return self.program.days[self.day - 1]

    @property
    def previous_prompt_id(self) -> str | None:
        return self.program.days[self.day - 2] if self.day > 1 else None

    @property
    def total_days(self) -> int:
        return len(self.program.days)

    @property
    def is_last_day(self) -> bool:
        return self.day == len(self.program.days)


def is_complete(program: Program, days_done: int) -> bool:
    """Whether every day of ``program`` has been answered."""
    return days_done >= len(program.days)


def program_state(program: Program, *, status: str, days_done: int) -> ProgramState | None:
    """The state selection follows, or None when the program is paused, left or finished."""
    if days_done < 0:
        raise ValueError("days_done cannot be negative")
    if status != "active" or is_complete(program, days_done):
        return None
    return ProgramState(program=program, day=days_done + 1)


def completes_day(state: ProgramState | None, prompt_id: str) -> bool:
    """Whether answering ``prompt_id`` finishes today's step (the caller adds one to
    ``days_done`` when it does)."""
    return state is not None and state.prompt_id == prompt_id


def natural_context(prompt: Prompt) -> Context:
    """The session a prompt is written for: private journal, or the couple together.

    A to-share prompt is answered privately first; the person chooses to share it after.
    """
    return "mutual" if prompt.audience == "mutual" else "private"


def program_intro(state: ProgramState, messages: Messages | None = None) -> str:
    """The sentence said before a program's prompt: "Day two of Listening week." """
    said = messages or load_messages()
    return said.say("program_day", n=said.number(state.day), title=state.program.title)
