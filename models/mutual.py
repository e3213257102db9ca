"""Mutual prompts: both partners answer the same prompt; neither sees the other's answer
until both have answered. The hiding itself is the visibility rule's; this module writes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, select

from confide.models.entries import create_entry_from_audio, create_written_entry
from confide.models.errors import Conflict
from confide.models.sealing import keys_for, open_entries
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person
from confide.models.visibility import entry_visible, viewer_for

__all__ = ["MutualStatus", "answer_mutual", "mutual_status"]


@dataclass(frozen=True, slots=True)
class MutualStatus:
    prompt_id: str
    mine: Entry | None
    partner: Entry | None  # only once both have answered
    partner_answered: bool
    revealed: bool


def _key(person: Person, prompt_id: str) -> str:
    return f"{person.couple_id}:{prompt_id}:{person.id}"


def answer_mutual(
    session: Session,
    person: Person,
    prompt_id: str,
    *,
    text: str = "",
    audio: tuple[np.ndarray, int] | None = None,
    store: AudioStore | None = None,
    prompt_text: str | None = None,
    audio_name: str | None = None,
    data_key: bytes | None = None,
) -> Entry:
    """Store this person's answer (once per prompt) in the shared journal; a spoken one
    keeps the name and data key of the recording it was sealed as (the voice loop's)."""
    if person.couple_id is None:
        raise Conflict("Mutual prompts are answered with a partner; pair first.")
    existing = session.exec(
        select(Entry.id).where(Entry.couple_mutual_key == _key(person, prompt_id))
    ).first()
    if existing is not None:
        raise Conflict("You have already answered this prompt.")
    if audio is not None:
        if store is None:
            raise ValueError("a store is needed to keep a spoken answer")
        entry = create_entry_from_audio(
            session, store, person, audio[0], audio[1], journal="shared", prompt_id=prompt_id,
            prompt_text=prompt_text, kind="mutual", mutual_key=_key(person, prompt_id),
            audio_name=audio_name, data_key=data_key,
        )
    else:
        entry = create_written_entry(session, person, text, journal="shared",
                                     prompt_id=prompt_id, prompt_text=prompt_text)
        entry.kind = "mutual"
        entry.couple_mutual_key = _key(person, prompt_id)
        session.add(entry)
        session.flush()
    return entry


def mutual_status(session: Session, person: Person, prompt_id: str) -> MutualStatus:
    """The person's own answer always; the partner's only when both have answered."""
    viewer = viewer_for(session, person)
    mine = session.exec(
        select(Entry).where(Entry.couple_mutual_key == _key(person, prompt_id))
    ).first()
    partner_visible: Entry | None = None
    partner_answered = False
    if viewer.partner_id is not None and viewer.couple_id is not None:
        partner_key = f"{viewer.couple_id}:{prompt_id}:{viewer.partner_id}"
        partner_answered = session.exec(
            select(Entry.id).where(Entry.couple_mutual_key == partner_key)
        ).first() is not None
        partner_visible = session.exec(
            select(Entry).where(Entry.couple_mutual_key == partner_key, entry_visible(viewer))
        ).first()
    unlocked = keys_for(session, person.id)
    if unlocked is not None:
        open_entries(session, unlocked, [e for e in (mine, partner_visible) if e is not None],
                     person.couple_id)
    return MutualStatus(prompt_id, mine, partner_visible, partner_answered,
                        revealed=mine is not None and partner_visible is not None)
