"""The runner's side of voice.dialog_manage: each ``Act`` carried out through the journal
operations (models/*), the same ones the CLI and the API call, answered with ``Done``.

An operation the journal refuses (``ConfideError``: a tag too long, a code expired, no
program to pause) comes back as ``Done(False, reason)`` and the dialog says the reason;
nothing is half done, since each runs in one database session.
"""

# ruff: noqa: ARG001  (every handler has the one signature _HANDLERS dispatches on)
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from confide.models import accounts
from confide.models.errors import ConfideError, NotFound
from confide.voice.dialog_acts import Act, Op
from confide.voice.dialog_events import Done
from confide.voice.dialog_manage import spelled
from confide.voice.phrases import P, count_words, number_word, render

if TYPE_CHECKING:
    from sqlmodel import Session

    from confide.models.tables import Person
    from confide.voice.runner import VoiceSession

__all__ = ["OWN_PROMPT_THEME", "do_act"]

OWN_PROMPT_THEME = "communication"
"""The theme a prompt added by voice goes under (the CLI and the web page ask for one)."""
CHART_WEEKS = 4
"""Weeks the spoken chart names (the printed chart shows them all)."""
Params = dict[str, object]


def do_act(run: VoiceSession, act: Act) -> Done:
    """Carry out one operation the person asked for (and said yes to, where it changes)."""
    handler = _HANDLERS[act.op]
    try:
        with run._db() as s:
            person = accounts.get_person(s, run.person_id)
            params = handler(run, s, person, act)
    except ConfideError as exc:
        return Done(False, str(exc))
    if act.op is Op.LOCK:
        run.unlocked = None
        run.data_keys.clear()
    return Done(True, params=params)


# -- the entry at hand ----------------------------------------------------------------------
def _tags(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import entries

    assert act.item_id is not None
    current = list(entries.get_entry(s, person, act.item_id).tags or [])
    if act.op is Op.TAG:
        tags = [*current, act.value]
    else:
        if act.value not in current:
            raise NotFound(f"That entry has no tag {act.value}.")
        tags = [t for t in current if t != act.value]
    entries.edit_entry(s, person, act.item_id, tags=tags)
    return {"tag": act.value}


def _mood(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import entries

    assert act.item_id is not None
    entries.edit_entry(s, person, act.item_id, mood=act.value)
    return {"mood": act.value}


def _unshare(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import entries

    assert act.item_id is not None
    entries.set_visibility(s, person, act.item_id, "private")
    return {}


def _edit(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import entries

    assert act.item_id is not None
    entries.edit_entry(s, person, act.item_id, transcript=act.value)
    return {}


def _answers(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    """Each answer to the entry at hand, by whom and when, its words read out."""
    from confide.models.couples import partner_of
    from confide.models.responses import list_responses
    from confide.voice.runner_home import aware, spoken_day, today_of, zone_of

    assert act.item_id is not None
    found = list_responses(s, person, act.item_id)
    if not found:
        run.say(render(P.ANSWERS_NONE), key=P.ANSWERS_NONE.name)
        return {}
    partner = partner_of(s, person)
    zone, today = zone_of(person), today_of(run, person)
    for response in found:
        author = (render(P.ANSWER_YOU) if response.author_id == person.id
                  else (partner.name if partner else "Your partner"))
        when = spoken_day(aware(response.created_at).astimezone(zone), today)
        run.say(render(P.ANSWER_FROM, {"author": author, "when": when}), key=P.ANSWER_FROM.name)
        run.say(response.text or render(P.ENTRY_NO_WORDS))
    return {}


# -- programs and prompts -------------------------------------------------------------------
def _program_words(program_id: str, done: int) -> Params:
    from confide.prompts import load_library

    program = load_library().programs.get(program_id)
    title = program.title if program is not None else program_id
    days = len(program.days) if program is not None else 0
    return {"title": title, "done": number_word(done), "days": number_word(days)}


def _programs(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    """The programs there are, and where the person is in theirs."""
    from confide.models.prompt_state import current_program
    from confide.prompts import load_library

    programs = list(load_library().programs.values())
    count = count_words(len(programs), "program")
    run.say(render(P.PROGRAMS, {"count": count[0].upper() + count[1:],
                                "titles": "; ".join(p.title for p in programs)}),
            key=P.PROGRAMS.name)
    current = current_program(s, person)
    if current is not None:
        key = P.PROGRAM_NOW if current.status == "active" else P.PROGRAM_NOW_PAUSED
        run.say(render(key, _program_words(current.program_id, current.days_done)),
                key=key.name)
    return {}


def _program_change(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import prompt_state

    if act.op is Op.PROGRAM_START:
        row = prompt_state.start_program(s, person, act.value, run.now().date())
    elif act.op is Op.PROGRAM_RESUME:
        current = prompt_state.current_program(s, person)
        if current is None:
            raise NotFound("You are not following a program.")
        row = prompt_state.start_program(s, person, current.program_id, run.now().date())
    elif act.op is Op.PROGRAM_PAUSE:
        row = prompt_state.pause_program(s, person)
    else:
        row = prompt_state.leave_program(s, person)
    return _program_words(row.program_id, row.days_done)


def _prompt_add(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models.prompt_state import add_custom_prompt

    text = act.value.strip()
    if not text.endswith(("?", ".", "!")):
        text += "?"  # said, it has no question mark; the library's checks come after
    add_custom_prompt(s, person, text, OWN_PROMPT_THEME)
    return {}


# -- goals and reminders --------------------------------------------------------------------
def _goal(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import goals

    assert act.item_id is not None
    status = "done" if act.op is Op.GOAL_DONE else "paused"
    goal = goals.update_goal(s, person, act.item_id, status=status)
    return {"title": goal.title}


def _reminders(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models import reminders

    found = reminders.list_reminders(s, person)
    if not found:
        raise NotFound("You have no reminders.")
    changed = 0
    for reminder in found:
        assert reminder.id is not None
        if act.op in (Op.REMINDERS_PAUSE, Op.REMINDERS_RESUME):
            reminders.update_reminder(s, person, reminder.id,
                                      enabled=act.op is Op.REMINDERS_RESUME)
            changed += 1
        elif not act.days or set(reminder.days) <= set(act.days):
            reminders.delete_reminder(s, person, reminder.id)
            changed += 1
        elif set(reminder.days) & set(act.days):  # a day of several: that day goes
            reminders.update_reminder(s, person, reminder.id,
                                      days=[d for d in reminder.days if d not in act.days])
            changed += 1
    if not changed:
        raise NotFound("There is no reminder on that day.")
    return {"count": count_words(changed, "reminder")}


# -- the couple's answers, the chart, the keys ------------------------------------------------
def _mutual_answers(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    """The newest questions for both that both have answered: the question, then each."""
    from sqlmodel import col, select

    from confide.models.couples import partner_of
    from confide.models.mutual import mutual_status
    from confide.models.tables import Entry

    mine = s.exec(select(Entry.prompt_id).where(Entry.author_id == person.id,
                                                Entry.kind == "mutual")
                  .order_by(col(Entry.created_at).desc()).limit(10)).all()
    partner = partner_of(s, person)
    heard = 0
    for prompt_id in mine:
        status = mutual_status(s, person, str(prompt_id))
        if not status.revealed or status.mine is None or status.partner is None:
            continue
        name = partner.name if partner else "Your partner"
        run.say(render(P.MUTUAL_QUESTION, {"prompt": status.mine.prompt_text or ""}),
                key=P.MUTUAL_QUESTION.name)
        run.say(render(P.MUTUAL_THEIRS, {"partner": name}), key=P.MUTUAL_THEIRS.name)
        run.say(status.partner.transcript or render(P.ENTRY_NO_WORDS))
        run.say(render(P.MUTUAL_YOURS), key=P.MUTUAL_YOURS.name)
        run.say(status.mine.transcript or render(P.ENTRY_NO_WORDS))
        heard += 1
        if heard == 3:
            break
    if not heard:
        run.say(render(P.MUTUAL_NONE), key=P.MUTUAL_NONE.name)
    return {}


def _chart(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    """The weekly chart in words: the last few weeks, oldest first, as the chart reads."""
    from confide.models.progress import progress_for

    weeks = progress_for(s, person, run.now()).weeks[-CHART_WEEKS:]
    values = "; ".join(render(P.CHART_WEEK, {"day": f"{w.week_start:%B} {w.week_start.day}",
                                             "count": count_words(w.entries, "entry", "entries")})
                       for w in weeks)
    run.say(render(P.CHART, {"n": number_word(len(weeks)), "values": values}), key=P.CHART.name)
    return {}


def _lock(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    """Forget the keys: this session's (in ``do_act``), and whatever else the composition
    root unlocked for the person (the shell's unlock agent, as ``confide lock`` does)."""
    run.on_lock()
    return {}


def _invite(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models.couples import create_invite
    from confide.voice.runner_home import aware, spoken_day, today_of, zone_of

    invite = create_invite(s, person, timedelta(minutes=run.invite_ttl_minutes))
    local = aware(invite.expires_at).astimezone(zone_of(person))
    return {"spelled": spelled(invite.code),
            "until": f"{spoken_day(local, today_of(run, person))} at {local:%H:%M}"}


def _join(run: VoiceSession, s: Session, person: Person, act: Act) -> Params:
    from confide.models.couples import join_couple, partner_of

    join_couple(s, person, act.value)
    partner = partner_of(s, person)
    return {"partner": partner.name if partner else "your partner"}


_HANDLERS: dict[Op, Callable[[VoiceSession, Session, Person, Act], Params]] = {
    Op.TAG: _tags, Op.UNTAG: _tags, Op.MOOD: _mood, Op.UNSHARE: _unshare, Op.EDIT: _edit,
    Op.ANSWERS: _answers, Op.PROGRAMS: _programs, Op.PROGRAM_START: _program_change,
    Op.PROGRAM_PAUSE: _program_change, Op.PROGRAM_LEAVE: _program_change,
    Op.PROGRAM_RESUME: _program_change, Op.PROMPT_ADD: _prompt_add, Op.GOAL_DONE: _goal,
    Op.GOAL_PAUSE: _goal, Op.REMINDERS_PAUSE: _reminders, Op.REMINDERS_RESUME: _reminders,
    Op.REMINDERS_REMOVE: _reminders, Op.MUTUAL_ANSWERS: _mutual_answers, Op.CHART: _chart,
    Op.LOCK: _lock, Op.INVITE: _invite, Op.JOIN: _join,
}
