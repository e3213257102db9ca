"""The runner's side of the home and of looking back: the effects of voice.dialog_home
carried out through the journal operations (models/*), for voice.runner.VoiceSession.

Everything read here is opened with the keys the person unlocked (the runner's ``_db``);
the dialog never asks for a look back while the journal is locked.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confide.models import accounts
from confide.models.errors import ConfideError
from confide.voice.dialog_events import (
    Act,
    AddGoal,
    AddReminder,
    Done,
    Effect,
    Event,
    FollowUp,
    FoundItem,
    Looked,
    LookUp,
    PromptChosen,
    ReadEntry,
    SayGoals,
    SayProgress,
    SayReminders,
    SetVoiceName,
    Shared,
)
from confide.voice.dialog_home import reminder_words
from confide.voice.phrases import P, count_words, render

if TYPE_CHECKING:
    from confide.models.tables import Entry, Person
    from confide.voice.runner import VoiceSession

__all__ = ["aware", "choose_prompt", "do_home", "spoken_day", "today_of", "zone_of"]

log = logging.getLogger(__name__)
LOOK_LIMIT = 20


def do_home(run: VoiceSession, effect: Effect) -> Event | None:
    """Carry out one effect of the home; the event it comes back with, if any."""
    if isinstance(effect, LookUp):
        return look_up(run, effect)
    if isinstance(effect, Act):
        from confide.voice.runner_acts import do_act

        return do_act(run, effect)
    if isinstance(effect, ReadEntry):
        read_entry(run, effect)
    elif isinstance(effect, AddGoal | AddReminder):
        return _change(run, effect)
    elif isinstance(effect, SayGoals):
        _say_goals(run)
    elif isinstance(effect, SayReminders):
        _say_reminders(run)
    elif isinstance(effect, SetVoiceName):
        run.voice.voice = effect.name
        run._save(accounts.Preferences(tts_voice=effect.name))
    elif isinstance(effect, SayProgress):
        _say_progress(run)
    return None


def zone_of(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def today_of(run: VoiceSession, person: Person) -> date:
    """Today on the person's own clock."""
    return run.now().astimezone(zone_of(person)).date()


def spoken_day(moment: datetime, today: date) -> str:
    """ "today", "yesterday", "Tuesday" within the week, else "March 3"."""
    day = moment.date()
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    if today - timedelta(days=6) <= day < today:
        return f"{moment:%A}"
    return f"{moment:%B} {day.day}"


def look_up(run: VoiceSession, effect: LookUp) -> Looked:
    """Entries the person may read, newest first, narrowed as asked."""
    from confide.models.couples import partner_of
    from confide.models.entries import EntryFilter, list_entries, unread_ids
    from confide.models.entry_rules import journal_id_for
    from confide.models.search import search
    from confide.voice.intents import date_range

    with run._db() as s:
        person = accounts.get_person(s, run.person_id)
        zone = zone_of(person)
        today = run.now().astimezone(zone).date()
        since = until = None
        days = date_range(effect.when, today) if effect.when else None
        if days is not None:
            since = datetime.combine(days[0], clock(), zone).astimezone(UTC)
            until = datetime.combine(days[1] + timedelta(days=1), clock(), zone).astimezone(UTC)
        who = effect.who if effect.who in ("me", "partner") else None
        found: list[Entry]
        try:
            if effect.about:
                found = [hit.entry for hit in search(s, person, effect.about, limit=LOOK_LIMIT)]
            else:
                journal = effect.journal if effect.journal in ("private", "shared") else None
                page = list_entries(s, person, EntryFilter(
                    author=who, since=since, until=until, journal=journal,  # type: ignore[arg-type]
                    tag=effect.tag.lower() if effect.tag else None),
                    limit=1 if effect.latest else LOOK_LIMIT * (5 if effect.unread else 1))
                found = list(page.entries)  # type: ignore[arg-type]
                if effect.unread:
                    fresh = unread_ids(s, person, [int(e.id or 0) for e in found])
                    found = [e for e in found if e.id in fresh][:LOOK_LIMIT]
        except ConfideError as exc:
            log.info("look back found nothing: %s", exc)
            return Looked(())
        if effect.about:
            found = [e for e in found if _keeps(e, person.id, who, since, until)]
        if effect.latest:
            found = found[:1]
        partner = partner_of(s, person)
        private = journal_id_for(s, person, "private")
        items = tuple(FoundItem(
            entry_id=int(e.id or 0),
            when=spoken_day(aware(e.created_at).astimezone(zone), today),
            author=None if e.author_id == person.id else (partner.name if partner else "your partner"),
            words=e.word_count, has_audio=bool(e.audio_path),
            shared=e.journal_id != private) for e in found)
    return Looked(items)


def _keeps(entry: Entry, me: int | None, who: str | None, since: datetime | None,
           until: datetime | None) -> bool:
    mine = entry.author_id == me
    if (who == "me" and not mine) or (who == "partner" and mine):
        return False
    at = aware(entry.created_at)
    return (since is None or at >= since) and (until is None or at < until)


def read_entry(run: VoiceSession, effect: ReadEntry) -> None:
    """The entry's words spoken, or its own recording played (a partner's marked read)."""
    from confide.models import entries

    with run._db() as s:
        person = accounts.get_person(s, run.person_id)
        try:
            entry = entries.get_entry(s, person, effect.entry_id)
        except ConfideError:
            run.say(render(P.FOUND_NONE), key=P.FOUND_NONE.name)
            return
        if entry.author_id != person.id:
            entries.mark_read(s, person, effect.entry_id)
        words = entry.transcript or ""
        audio: bytes | None = None
        if (effect.recording and entry.audio_path and run.plays_audio
                and run.store.exists(entry.audio_path) and run.unlocked is not None):
            data_key = run.unlocked.data_key(s, "entry", effect.entry_id, person.couple_id)
            audio = run.store.read_audio(entry.audio_path, data_key)
    if audio is not None:
        run.play_recording(audio)
    elif words:
        run.say(words)
    else:
        run.say(render(P.ENTRY_NO_WORDS), key=P.ENTRY_NO_WORDS.name)


def _change(run: VoiceSession, effect: AddGoal | AddReminder) -> Done:
    """A goal or a reminder the person said yes to."""
    from confide.models import goals, reminders

    try:
        with run._db() as s:
            person = accounts.get_person(s, run.person_id)
            if isinstance(effect, AddGoal):
                made = goals.create_goal(s, person, effect.title[:1].upper() + effect.title[1:])
                return Done(True, item_id=made.id)
            reminders.create_reminder(s, person, list(effect.days), effect.time)
    except ConfideError as exc:
        return Done(False, str(exc))
    return Done(True)


def _say_goals(run: VoiceSession) -> None:
    from confide.models import goals

    with run._db() as s:
        active = [g.title for g in goals.list_goals(s, accounts.get_person(s, run.person_id))
                  if g.status == "active"]
    if not active:
        run.say(render(P.NO_GOAL), key=P.NO_GOAL.name)
        return
    count = count_words(len(active), "goal")
    run.say(render(P.GOALS, {"count": count[0].upper() + count[1:],
                             "titles": "; ".join(active)}), key=P.GOALS.name)


def _say_reminders(run: VoiceSession) -> None:
    from confide.models import reminders

    with run._db() as s:
        found = [(tuple(r.days), r.local_time, r.enabled)
                 for r in reminders.list_reminders(s, accounts.get_person(s, run.person_id))]
    if not found:
        run.say(render(P.NO_REMINDERS), key=P.NO_REMINDERS.name)
        return
    items = []
    for days, at, enabled in found:
        item = render(P.REMINDER_ITEM, reminder_words(days, at))
        items.append(item if enabled else render(P.REMINDER_PAUSED, {"item": item}))
    count = count_words(len(found), "reminder")
    run.say(render(P.REMINDERS, {"count": count[0].upper() + count[1:],
                                 "items": "; ".join(items)}), key=P.REMINDERS.name)


def _say_progress(run: VoiceSession) -> None:
    """The journal's one kind sentence about progress (a milestone reached today named)."""
    from confide.models.progress import progress_for, summary_sentence

    with run._db() as s:
        summary = summary_sentence(progress_for(s, accounts.get_person(s, run.person_id),
                                                run.now()))
    run.say(summary, key="PROGRESS")


def choose_prompt(run: VoiceSession, exclude: tuple[str, ...],
                  theme: str | None = None, *, mutual: bool = False) -> PromptChosen:
    """Tonight's prompt, or one of the theme asked for (the same selector, narrowed), or a
    question for both (the selector's mutual prompts)."""
    from confide.models import prompt_state
    from confide.prompts import HistoryItem, first_sentence, follow_up, load_library, next_prompt

    library = load_library()
    with run._db() as s:
        person = accounts.get_person(s, run.person_id)
        themed = {pid: p for pid, p in library.prompts.items()
                  if theme is not None and p.theme == theme}
        if themed:
            history = [HistoryItem(pid, at, first_sentence(text))  # type: ignore[arg-type]
                       for pid, at, text in prompt_state.prompt_history(s, person)]
            choice = next_prompt(themed, history, context="private", program=None,
                                 theme_preference=theme, now=run.now(), exclude=exclude,
                                 crisis_line=run.crisis_line)
        else:
            choice = prompt_state.choose_next_prompt(
                s, person, context="mutual" if mutual else "private", now=run.now(),
                exclude=list(exclude),
                crisis_line=run.crisis_line)
    prompt = library.prompts.get(choice.prompt.id)
    deeper = follow_up(prompt) if prompt is not None else None
    return PromptChosen(choice.prompt.id, choice.prompt.text, choice.spoken,
                        FollowUp(deeper.id, deeper.text, deeper.speak(run.crisis_line))
                        if deeper is not None and not mutual else None, mutual=mutual)


def play_entry(session: VoiceSession, entry_id: int) -> None:
    """The partner's own recording, or the words read aloud (a written entry, text mode);
    only once unlocked."""
    entry = session.news.get(entry_id)
    if entry is None or session.unlocked is None:
        return
    if entry.audio_path and session.plays_audio and session.store.exists(entry.audio_path):
        with session._db() as s:
            person = accounts.get_person(s, session.person_id)
            data_key = session.unlocked.data_key(s, "entry", entry_id, person.couple_id)
        session.play_recording(session.store.read_audio(entry.audio_path, data_key))
    elif entry.transcript:
        session.say(entry.transcript)


def share_entry(session: VoiceSession, entry_id: int) -> Shared:
    """Share an entry with the partner; ``Shared(None)`` when there is nobody to share with."""
    from confide.models import entries
    from confide.models.couples import partner_of
    from confide.models.errors import Conflict

    with session._db() as s:
        person = accounts.get_person(s, session.person_id)
        partner = partner_of(s, person)
        try:
            entries.set_visibility(s, person, entry_id, "shared",
                                   data_key=session.data_keys.get(entry_id))
        except Conflict:
            partner = None
    return Shared(partner.name if partner is not None else None)
