"""The rest of the journal by voice, as voice.dialog: pure, effects for the runner.

At the home: programs (hear them, start, pause, carry on, leave), a couple's own prompt, a
goal done or paused, reminders paused, back on or removed, the mutual answers, the weekly
chart, locking, an invite code and joining with one. On the entry at hand in a list: tags,
the mood, private again, its answers, new words. Everything that changes the journal is
read back and asked about first (``CHANGES``); the runner answers each ``Act`` with
``Done``, whose ``params`` fill the sentence that says it was done.
"""

from __future__ import annotations

from dataclasses import replace

from confide.prompts.safety import is_crisis
from confide.voice.commands import Heard as Recognised
from confide.voice.dialog_acts import CHANGES, ENTRY_OPS, Act, Op
from confide.voice.dialog_events import ChoosePrompt, Done, Effect, FoundItem, Listen, ListenMode, Say
from confide.voice.dialog_states import At, State, Step, anywhere, ask
from confide.voice.intents import Intent
from confide.voice.phrases import P

__all__ = ["HOME_INTENTS", "LIST_INTENTS", "asked", "confirmed", "dictated", "done",
           "in_list", "mutual", "mutual_saved", "spelled"]

HOME_INTENTS = {
    "program_list": Op.PROGRAMS, "program_start": Op.PROGRAM_START,
    "program_pause": Op.PROGRAM_PAUSE, "program_leave": Op.PROGRAM_LEAVE,
    "program_resume": Op.PROGRAM_RESUME, "prompt_add": Op.PROMPT_ADD,
    "goal_done": Op.GOAL_DONE, "goal_pause": Op.GOAL_PAUSE,
    "reminder_pause": Op.REMINDERS_PAUSE, "reminder_resume": Op.REMINDERS_RESUME,
    "reminder_remove": Op.REMINDERS_REMOVE, "mutual_answers": Op.MUTUAL_ANSWERS,
    "progress_chart": Op.CHART, "lock": Op.LOCK, "invite": Op.INVITE, "join": Op.JOIN,
}
"""Intents said at the home and the operation each asks for."""
LIST_INTENTS = {"tag_it": Op.TAG, "untag_it": Op.UNTAG, "mood_it": Op.MOOD,
                "keep_private": Op.UNSHARE, "answers_it": Op.ANSWERS, "edit_it": Op.EDIT}
"""Intents about the entry at hand in a list read out."""
_NEEDS_UNLOCKED = ENTRY_OPS | {Op.MUTUAL_ANSWERS, Op.CHART, Op.PROMPT_ADD, Op.GOAL_DONE,
                               Op.GOAL_PAUSE, Op.INVITE, Op.JOIN}
"""What reads or writes sealed words, or the keys a couple shares."""
_CONFIRM = {Op.PROGRAM_PAUSE: P.CONFIRM_PROGRAM_PAUSE, Op.PROGRAM_LEAVE: P.CONFIRM_PROGRAM_LEAVE,
            Op.PROGRAM_RESUME: P.CONFIRM_PROGRAM_RESUME,
            Op.REMINDERS_PAUSE: P.CONFIRM_REMINDERS_PAUSE,
            Op.REMINDERS_RESUME: P.CONFIRM_REMINDERS_RESUME, Op.INVITE: P.CONFIRM_INVITE}
_DONE = {Op.TAG: P.TAGGED, Op.UNTAG: P.UNTAGGED, Op.MOOD: P.MOOD_SET, Op.UNSHARE: P.UNSHARED,
         Op.EDIT: P.EDITED, Op.PROGRAM_START: P.PROGRAM_STARTED,
         Op.PROGRAM_PAUSE: P.PROGRAM_PAUSED, Op.PROGRAM_LEAVE: P.PROGRAM_LEFT,
         Op.PROGRAM_RESUME: P.PROGRAM_RESUMED, Op.PROMPT_ADD: P.PROMPT_ADDED,
         Op.GOAL_DONE: P.GOAL_DONE, Op.GOAL_PAUSE: P.GOAL_PAUSED,
         Op.REMINDERS_PAUSE: P.REMINDERS_PAUSED, Op.REMINDERS_RESUME: P.REMINDERS_RESUMED,
         Op.REMINDERS_REMOVE: P.REMINDERS_REMOVED, Op.LOCK: P.LOCKED,
         Op.INVITE: P.INVITE_MADE, Op.JOIN: P.JOINED}
"""What is said once an operation is done (reading ones say what they read instead)."""


def spelled(code: str) -> str:
    """ "ABCD-2345" as it is said, one character at a time: "A, B, C, D; 2, 3, 4, 5"."""
    return "; ".join(", ".join(part) for part in code.split("-"))


def _title_of(program_id: str) -> str:
    """A program's title from its id ("listening-week" is "Listening week"), as the
    library spells them, so the question needs no reading of the library."""
    words = program_id.replace("-", " ")
    return words[:1].upper() + words[1:]


def _home(state: State, effects: list[Effect]) -> Step:
    from confide.voice.dialog_home import home

    return home(state, effects)


def _locked(state: State) -> Step:
    return state, [Say(P.JOURNAL_LOCKED), Listen(ListenMode.HOME)]


def _run(state: State, act: Act) -> Step:
    """Carry the operation out now (one that only reads, or one said yes to)."""
    return replace(state, at=At.CHANGING, asked=act), [act]


def _confirm(state: State, act: Act, question: Say) -> Step:
    return ask(replace(state, asked=act), At.CONFIRM_CHANGE, [], question)


def mutual(state: State) -> Step:
    """A question for both: chosen among the mutual prompts, answered into the shared
    journal (voice.filing), heard together once both have answered."""
    if not state.session.partner:
        return state, [Say(P.MUTUAL_NEEDS_PARTNER), Listen(ListenMode.HOME)]
    state = replace(state, at=At.PROMPT, from_home=False, prompt=None)
    return state, [ChoosePrompt(state.skipped, mutual=True)]


def mutual_saved(state: State) -> Say:
    return Say(P.MUTUAL_SAVED, {"partner": state.session.partner or "your partner"})


def asked(state: State, intent: Intent) -> Step:
    """An operation asked for at the home."""
    op = HOME_INTENTS[intent.name]
    slots = intent.slots
    if op in _NEEDS_UNLOCKED and not state.session.unlocked:
        return _locked(state)
    if op not in CHANGES:
        return _run(state, Act(op))
    if op is Op.PROGRAM_START:
        program = str(slots["program"])
        return _confirm(state, Act(op, value=program), Say(P.CONFIRM_PROGRAM_START, {
            "title": _title_of(program)}))
    if op is Op.PROMPT_ADD:
        text = str(slots["text"])
        text = text[:1].upper() + text[1:]
        return _confirm(state, Act(op, value=text), Say(P.CONFIRM_PROMPT_ADD, {"text": text}))
    if op in (Op.GOAL_DONE, Op.GOAL_PAUSE):
        goal = _goal(state, str(slots.get("goal") or ""))
        if goal is None:
            return _home(state, [Say(P.NO_GOAL)])
        key = P.CONFIRM_GOAL_DONE if op is Op.GOAL_DONE else P.CONFIRM_GOAL_PAUSE
        return _confirm(state, Act(op, item_id=goal[0], value=goal[1]),
                        Say(key, {"title": goal[1]}))
    if op is Op.REMINDERS_REMOVE:
        days = tuple(slots.get("days") or ())
        if days:
            from confide.voice.dialog_home import day_names

            return _confirm(state, Act(op, days=days),
                            Say(P.CONFIRM_REMINDERS_REMOVE_ON, {"days": day_names(days)}))
        return _confirm(state, Act(op), Say(P.CONFIRM_REMINDERS_REMOVE))
    if op is Op.JOIN:
        code = str(slots["code"])
        return _confirm(state, Act(op, value=code), Say(P.CONFIRM_JOIN, {"spelled": spelled(code)}))
    return _confirm(state, Act(op), Say(_CONFIRM[op]))


def _goal(state: State, words: str) -> tuple[int, str] | None:
    """The active goal the words name (most words in common), else the first one."""
    goals = state.session.goals
    if not goals:
        return None
    said = set(words.lower().split())
    best = max(goals, key=lambda g: len(said & set(g.title.lower().split())))
    return best.goal_id, best.title


def in_list(state: State, intent: Intent, item: FoundItem, after: P) -> Step:
    """An operation on the entry at hand (the person's own, but for hearing its answers)."""
    op = LIST_INTENTS[intent.name]
    when = item.when
    back: list[Effect] = [Say(after), Listen(ListenMode.HOME)]
    if op is Op.ANSWERS:
        return _run(state, Act(op, item_id=item.entry_id))
    if item.author is not None:
        return state, [Say(P.NOT_YOURS, {"partner": item.author}), *back]
    if op is Op.UNSHARE:
        if not item.shared:
            return state, [Say(P.ALREADY_PRIVATE), *back]
        partner = state.session.partner or "your partner"
        return _confirm(state, Act(op, item_id=item.entry_id),
                        Say(P.CONFIRM_UNSHARE, {"when": when, "partner": partner}))
    if op is Op.EDIT:
        return replace(state, at=At.LIST_EDIT, tries=0), [
            Say(P.EDIT_LISTENING), Listen(ListenMode.REPLY, timeout_s=10.0, max_s=60.0)]
    if op is Op.MOOD:
        mood = str(intent.slots["mood"])
        return _confirm(state, Act(op, item_id=item.entry_id, value=mood),
                        Say(P.CONFIRM_MOOD, {"when": when, "mood": mood}))
    tag = str(intent.slots["tag"]).lower()
    key = P.CONFIRM_TAG if op is Op.TAG else P.CONFIRM_UNTAG
    return _confirm(state, Act(op, item_id=item.entry_id, value=tag),
                    Say(key, {"when": when, "tag": tag}))


def dictated(state: State, text: str) -> Step:
    """The new words for the entry at hand; nothing said keeps the old ones."""
    item = state.found[state.index]
    back = replace(state, at=At.LIST)
    if is_crisis(text):  # words like these are answered with the crisis line, not filed
        handled = anywhere(back, text, Recognised(None), [])
        assert handled is not None
        return handled
    if not text.strip():
        return back, [Say(P.NOTHING_CHANGED), Listen(ListenMode.HOME)]
    act = Act(Op.EDIT, item_id=item.entry_id, value=text.strip())
    return _confirm(back, act, Say(P.CONFIRM_EDIT, {"when": item.when, "text": act.value}))


def confirmed(state: State, answer: bool | None, effects: list[Effect]) -> Step:
    """Yes (or no, or nothing) to an operation read back."""
    act = state.asked
    assert isinstance(act, Act)
    if answer:
        return replace(state, at=At.CHANGING), [*effects, act]
    return _after(replace(state, asked=None), act, [*effects, Say(P.NOTHING_CHANGED)])


def _after(state: State, act: Act, effects: list[Effect]) -> Step:
    """Back to the list when the operation was on the entry at hand, else the home."""
    from confide.voice.dialog_home import after_item

    if act.op in ENTRY_OPS and state.found and 0 <= state.index < len(state.found):
        return replace(state, at=At.LIST, tries=0), [*effects, Say(after_item(state)),
                                                     Listen(ListenMode.HOME)]
    return _home(state, effects)


def done(state: State, act: Act, event: Done) -> Step:
    """The runner carried the operation out (or could not, and says why)."""
    state = replace(state, asked=None)
    if not event.ok:
        return _after(state, act, [Say(P.COULD_NOT, {"reason": event.reason})])
    effects: list[Effect] = []
    if act.op in _DONE:
        effects.append(Say(_DONE[act.op], dict(event.params)))
    if act.op is Op.LOCK:
        state = replace(state, session=replace(state.session, unlocked=False))
    if act.op is Op.UNSHARE:
        found = tuple(replace(f, shared=False) if f.entry_id == act.item_id else f
                      for f in state.found)
        state = replace(state, found=found)
    if act.op in (Op.GOAL_DONE, Op.GOAL_PAUSE):
        state = replace(state, session=replace(state.session, goals=tuple(
            g for g in state.session.goals if g.goal_id != act.item_id)))
    return _after(state, act, effects)
