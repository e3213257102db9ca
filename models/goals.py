"""Mutual goals ("no phones at dinner") and their check-ins: a 1–5 rating and a reflection.

A goal belongs to a couple, so both partners see and change it and nobody else does (an
outsider gets NotFound, so ids do not leak). Check-ins are how progress over weeks
becomes visible; a spoken check-in keeps its recording beside the text.
"""

from __future__ import annotations

import logging

import numpy as np
from sqlmodel import Session, col, select

from confide.models import crypto, keys, sealing
from confide.models.entries import MAX_TEXT
from confide.models.errors import Conflict, InvalidInput, NotFound
from confide.models.storage import AudioStore
from confide.models.tables import Goal, GoalCheckIn, Person

__all__ = [
    "GOAL_STATUSES",
    "MAX_TITLE",
    "MAX_WHY",
    "add_checkin",
    "create_goal",
    "get_goal",
    "list_checkins",
    "list_goals",
    "update_goal",
]

log = logging.getLogger(__name__)

GOAL_STATUSES = ("active", "paused", "done")
MAX_TITLE = 200
MAX_WHY = 1000


def _clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidInput("A goal needs a title, like “no phones at dinner”.")
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"A goal's title can be at most {MAX_TITLE} characters.")
    return cleaned


def _clean_why(why: str) -> str:
    cleaned = why.strip()
    if len(cleaned) > MAX_WHY:
        raise InvalidInput(f"The reason for a goal can be at most {MAX_WHY} characters.")
    return cleaned


def create_goal(session: Session, person: Person, title: str, why: str = "") -> Goal:
    """A goal for the person's couple; goals are mutual, so one needs a partner first."""
    if person.couple_id is None:
        raise Conflict("Pair with your partner first: goals are set together.")
    assert person.id is not None
    goal = Goal(couple_id=person.couple_id, created_by=person.id, title=_clean_title(title),
                why=_clean_why(why), status="active")
    session.add(goal)
    session.flush()
    return goal


def list_goals(session: Session, person: Person) -> list[Goal]:
    """The person's couple's goals, oldest first (none for someone unpaired)."""
    if person.couple_id is None:
        return []
    return list(session.exec(
        select(Goal).where(Goal.couple_id == person.couple_id)
        .order_by(col(Goal.created_at), col(Goal.id))
    ))


def get_goal(session: Session, person: Person, goal_id: int) -> Goal:
    """The goal if it is the person's couple's; NotFound otherwise, whether or not it exists."""
    goal = session.get(Goal, goal_id)
    if goal is None or person.couple_id is None or goal.couple_id != person.couple_id:
        raise NotFound(f"Goal {goal_id} was not found.")
    return goal


def update_goal(session: Session, person: Person, goal_id: int, *, title: str | None = None,
                why: str | None = None, status: str | None = None) -> Goal:
    """Rename, re-explain, pause, finish or reopen a goal; either partner may."""
    goal = get_goal(session, person, goal_id)
    new_title = _clean_title(title) if title is not None else None
    new_why = _clean_why(why) if why is not None else None
    if status is not None and status not in GOAL_STATUSES:
        raise InvalidInput(f"A goal's status is one of: {', '.join(GOAL_STATUSES)}.")
    if new_title is not None:
        goal.title = new_title
    if new_why is not None:
        goal.why = new_why
    if status is not None:
        goal.status = status
    session.add(goal)
    session.flush()
    return goal


def add_checkin(session: Session, person: Person, goal_id: int, rating: int,
                reflection: str = "", audio: tuple[np.ndarray, int] | None = None,
                store: AudioStore | None = None) -> GoalCheckIn:
    """Record how the goal went (1–5) with an optional written or spoken reflection.

    Everything is checked before the recording is written, and the file is removed again
    if the row cannot be, so a failed check-in leaves nothing behind.
    """
    goal = get_goal(session, person, goal_id)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("A check-in rating is a whole number from 1 to 5.")
    body = reflection.strip()
    if len(body) > MAX_TEXT:
        raise InvalidInput(f"A check-in reflection can be at most {MAX_TEXT} characters.")
    if goal.status == "done":
        raise Conflict("This goal is marked done; reopen it to check in again.")
    rel: str | None = None
    data_key = crypto.new_key()
    if audio is not None:
        if store is None:
            raise InvalidInput("A spoken check-in needs somewhere to keep the recording.")
        samples, rate = audio
        if samples.size == 0:
            raise InvalidInput("The recording is empty.")
        rel = store.write_audio(samples, rate, data_key, kind="checkins")
    assert person.id is not None
    assert goal.id is not None
    try:
        checkin = GoalCheckIn(goal_id=goal.id, person_id=person.id, rating=rating,
                              audio_path=rel)
        session.add(checkin)
        session.flush()
        assert checkin.id is not None
        # Goals are the couple's: the note is sealed for both partners.
        keys.wrap_item(session, "checkin", checkin.id, data_key, [("couple", goal.couple_id)],
                       sealing.keys_for(session, person.id))
        sealing.seal_checkin(checkin, data_key, body)
        session.add(checkin)
        session.flush()
    except BaseException:
        session.rollback()
        if store is not None:
            store.delete(rel)
        raise
    return checkin


def list_checkins(session: Session, person: Person, goal_id: int) -> list[GoalCheckIn]:
    """A goal's check-ins by either partner, oldest first (NotFound for another couple's)."""
    goal = get_goal(session, person, goal_id)
    found = list(session.exec(
        select(GoalCheckIn).where(GoalCheckIn.goal_id == goal.id)
        .order_by(col(GoalCheckIn.created_at), col(GoalCheckIn.id))
    ))
    unlocked = sealing.keys_for(session, person.id)
    if unlocked is not None:
        sealing.open_checkins(session, unlocked, found, goal.couple_id)
    return found
