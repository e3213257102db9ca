"""The rest of the journal by voice, as one effect: an operation the person asked for.

Tags and mood, making an entry private again, its answers, new words for it, programs, a
couple's own prompt, a goal done or paused, reminders paused or removed, the mutual
answers, the weekly chart, locking and pairing. voice.dialog_manage decides when to ask
first (everything that changes data); voice.runner_acts carries the operation out through
the journal operations and answers with ``Done``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CHANGES", "ENTRY_OPS", "Act", "Op"]


class Op(StrEnum):
    TAG = "tag"
    UNTAG = "untag"
    MOOD = "mood"
    UNSHARE = "unshare"
    ANSWERS = "answers"
    """Read the answers to the entry at hand."""
    EDIT = "edit"
    PROGRAMS = "programs"
    PROGRAM_START = "program_start"
    PROGRAM_PAUSE = "program_pause"
    PROGRAM_LEAVE = "program_leave"
    PROGRAM_RESUME = "program_resume"
    PROMPT_ADD = "prompt_add"
    GOAL_DONE = "goal_done"
    GOAL_PAUSE = "goal_pause"
    REMINDERS_PAUSE = "reminders_pause"
    REMINDERS_RESUME = "reminders_resume"
    REMINDERS_REMOVE = "reminders_remove"
    MUTUAL_ANSWERS = "mutual_answers"
    CHART = "chart"
    LOCK = "lock"
    INVITE = "invite"
    JOIN = "join"


ENTRY_OPS = {Op.TAG, Op.UNTAG, Op.MOOD, Op.UNSHARE, Op.ANSWERS, Op.EDIT}
"""Operations on the entry at hand in a list read out."""
CHANGES = {Op.TAG, Op.UNTAG, Op.MOOD, Op.UNSHARE, Op.EDIT, Op.PROGRAM_START, Op.PROGRAM_PAUSE,
           Op.PROGRAM_LEAVE, Op.PROGRAM_RESUME, Op.PROMPT_ADD, Op.GOAL_DONE, Op.GOAL_PAUSE,
           Op.REMINDERS_PAUSE, Op.REMINDERS_RESUME, Op.REMINDERS_REMOVE, Op.INVITE, Op.JOIN}
"""Operations that change the journal: each is read back and asked about first."""


@dataclass(frozen=True, slots=True)
class Act:
    """Carry out ``op`` on ``item_id`` (the entry at hand for ``ENTRY_OPS``, else the goal),
    with the words ``value`` (a tag, a mood, new words, a program's id, a prompt, the goal's
    title, an invite code) and the ``days`` a reminder to remove is on (none: all)."""

    op: Op
    item_id: int | None = None
    value: str = ""
    days: tuple[int, ...] = ()
