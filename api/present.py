"""Domain rows to ``*Public`` models: the one place that decides what an entry looks like
from the outside (who wrote it, which journal, its links, whether it is unread)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from confide.api.schemas import (
    CheckInPublic,
    EntryDetailPublic,
    EntryPublic,
    GoalPublic,
    PersonPublic,
    ReminderPublic,
    ResponsePublic,
    SegmentPublic,
)
from confide.models.entries import EntryView, ListedEntry
from confide.models.tables import (
    Entry,
    EntryRead,
    Goal,
    GoalCheckIn,
    Person,
    Reminder,
    Response,
)
from confide.models.visibility import viewer_for

__all__ = [
    "present_checkin",
    "present_entries",
    "present_entry_detail",
    "present_goal",
    "present_listed",
    "present_person",
    "present_reminder",
    "present_responses",
]


@functools.cache
def _names_query() -> Any:
    return select(Person.id, Person.name).where(
        col(Person.id).in_(sa.bindparam("ids", expanding=True)))


def _names(session: Session, ids: Iterable[int], person: Person | None = None,
           ) -> dict[int, str]:
    """Display names by person id; the caller's and their partner's need no query."""
    names: dict[int, str] = {}
    wanted = set(ids)
    if person is not None and person.id in wanted:
        names[person.id] = person.name
        wanted.discard(person.id)
    if person is not None and wanted:
        viewer = viewer_for(session, person)  # already known to a request that got this far
        if viewer.partner_id in wanted and viewer.partner_name is not None:
            names[viewer.partner_id] = viewer.partner_name
            wanted.discard(viewer.partner_id)
    if wanted:
        rows = session.exec(_names_query(), params={"ids": sorted(wanted)})
        names.update((int(i), n) for i, n in rows if i is not None)
    return names


def present_person(person: Person) -> PersonPublic:
    assert person.id is not None
    return PersonPublic(
        id=person.id, name=person.name, couple_id=person.couple_id, timezone=person.timezone,
        tts_voice=person.tts_voice, tts_rate=person.tts_rate, tts_volume=person.tts_volume,
        pause_allowance_s=person.pause_allowance_s, max_reply_s=person.max_reply_s,
        created_at=person.created_at,
    )


@functools.cache
def _opened_query() -> SelectOfScalar[int]:
    return select(EntryRead.entry_id).where(
        col(EntryRead.person_id) == sa.bindparam("person", type_=sa.Integer),
        col(EntryRead.entry_id).in_(sa.bindparam("ids", expanding=True)))


def _unread(session: Session, person: Person, entries: Sequence[Entry]) -> set[int]:
    """The partner's entries among these that the person has not opened (one query)."""
    theirs = [e.id for e in entries if e.author_id != person.id and e.id is not None]
    if not theirs:
        return set()
    opened = set(session.exec(_opened_query(), params={"person": person.id, "ids": theirs}))
    return set(theirs) - opened


_SHOWN = ("id", "author_id", "journal_id", "kind", "prompt_id", "prompt_text", "transcript",
          "language", "word_count", "mood", "tags", "status", "status_reason", "audio_path",
          "audio_duration_s", "created_at", "updated_at")
"""The entry columns that go out (as ``_entry_fields`` reads them)."""


def _shown(entry: EntryView) -> Mapping[str, Any]:
    return {name: getattr(entry, name) for name in _SHOWN}


def _entry_fields(v: Mapping[str, Any], person: Person, private_journal: int,
                  names: dict[int, str], unread: bool) -> dict[str, object]:
    """An entry's public fields from its shown columns ``v``: ``_shown(entry)``, or a page
    row's ``_mapping`` (read by key, about four times faster than by attribute)."""
    entry_id, author, has_audio = v["id"], v["author_id"], v["audio_path"] is not None
    return {
        "id": entry_id,
        "author_id": author,
        "author_name": names.get(author, ""),
        "is_mine": author == person.id,
        "journal": "private" if v["journal_id"] == private_journal else "shared",
        "kind": v["kind"],
        "prompt_id": v["prompt_id"],
        "prompt_text": v["prompt_text"],
        "transcript": v["transcript"],
        "language": v["language"],
        "word_count": v["word_count"],
        "mood": v["mood"],
        "tags": list(v["tags"] or []),
        "status": v["status"],
        "status_reason": v["status_reason"],
        "has_audio": has_audio,
        "audio_duration_s": v["audio_duration_s"],
        "audio_url": f"/api/entries/{entry_id}/audio" if has_audio else None,
        "speech_url": f"/api/entries/{entry_id}/speech" if v["transcript"] else None,
        "unread": unread,
        "created_at": v["created_at"],
        "updated_at": v["updated_at"],
    }


def present_entries(session: Session, person: Person,
                    entries: Sequence[Entry]) -> list[EntryPublic]:
    """Entries the caller has already been allowed to see (by the visibility rule), as they
    go out. Only private journals have an owner, so "private" means the caller's own."""
    if not entries:
        return []
    private = viewer_for(session, person).private_journal_id
    names = _names(session, (e.author_id for e in entries), person)
    unread = _unread(session, person, entries)
    return [EntryPublic.model_validate(
        _entry_fields(_shown(e), person, private, names, e.id in unread)) for e in entries]


def present_listed(session: Session, person: Person,
                   rows: Sequence[ListedEntry]) -> list[EntryPublic]:
    """A page of ``list_entries`` as it goes out: its rows already say what was opened."""
    if not rows:
        return []
    private = viewer_for(session, person).private_journal_id
    names = _names(session, (r.author_id for r in rows), person)
    return [EntryPublic.model_validate(_entry_fields(
        r._mapping, person, private, names, r.author_id != person.id and not r.opened))
        for r in rows]


def present_entry_detail(session: Session, person: Person, entry: Entry) -> EntryDetailPublic:
    fields = _entry_fields(_shown(entry), person, viewer_for(session, person).private_journal_id,
                           _names(session, [entry.author_id], person),
                           entry.id in _unread(session, person, [entry]))
    fields["segments"] = [SegmentPublic.model_validate(s) for s in entry.segments or []]
    return EntryDetailPublic.model_validate(fields)


def present_responses(session: Session, person: Person, responses: Sequence[Response],
                      job_ids: dict[int, int] | None = None) -> list[ResponsePublic]:
    names = _names(session, (r.author_id for r in responses), person)
    out = []
    for r in responses:
        assert r.id is not None
        has_audio = r.audio_path is not None
        out.append(ResponsePublic(
            id=r.id, entry_id=r.entry_id, author_id=r.author_id,
            author_name=names.get(r.author_id, ""), is_mine=r.author_id == person.id,
            parent_id=r.parent_id, text=r.text, status=r.status, has_audio=has_audio,
            audio_duration_s=r.audio_duration_s,
            audio_url=f"/api/responses/{r.id}/audio" if has_audio else None,
            job_id=(job_ids or {}).get(r.id), created_at=r.created_at,
        ))
    return out


def present_goal(goal: Goal) -> GoalPublic:
    assert goal.id is not None
    return GoalPublic(id=goal.id, title=goal.title, why=goal.why, status=goal.status,
                      created_by=goal.created_by, created_at=goal.created_at)


def present_checkin(checkin: GoalCheckIn) -> CheckInPublic:
    assert checkin.id is not None
    return CheckInPublic(id=checkin.id, goal_id=checkin.goal_id, person_id=checkin.person_id,
                         rating=checkin.rating, reflection=checkin.reflection,
                         has_audio=checkin.audio_path is not None,
                         created_at=checkin.created_at)


def present_reminder(reminder: Reminder) -> ReminderPublic:
    assert reminder.id is not None
    return ReminderPublic(id=reminder.id, days=list(reminder.days), local_time=reminder.local_time,
                          timezone=reminder.timezone, enabled=reminder.enabled, kind=reminder.kind,
                          snoozed_until=reminder.snoozed_until, created_at=reminder.created_at)
