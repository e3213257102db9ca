"""The spoken home and looking back, as voice.dialog: pure, effects for the runner.

After the greeting and the partner's news Confide asks "What would you like to do?" and
understands what voice.intents finds: reflect (tonight's guided session, also on silence),
a prompt by theme, the partner's reflections, a look back ("read my last entry", "what did
Sam share this week", "find what I said about trust") read as a short list to move through
("play the second one", "next", "previous", "play Sam's own voice", "answer it", "share
it", "delete it"), progress, goals, reminders, the voice, a free entry. Anything that
changes or deletes data is asked about first; a locked journal is never read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from confide.voice import dialog_manage
from confide.voice.commands import Command
from confide.voice.commands import Heard as Recognised
from confide.voice.dialog_events import (
    Act,
    AddGoal,
    AddReminder,
    ChoosePrompt,
    Delete,
    Done,
    Effect,
    GoalItem,
    Listen,
    ListenMode,
    Looked,
    LookUp,
    ReadEntry,
    Say,
    SayGoals,
    SayNotices,
    SayProgress,
    SayReminders,
    Share,
    Shared,
)
from confide.voice.dialog_states import At, State, Step, anywhere, ask, close, record
from confide.voice.intents import Intent, understand
from confide.voice.phrases import P, count_words, number_word, render, spoken_time

__all__ = ["HOME_AT", "after_item", "changed", "confirmed", "day_names", "end_or_home", "heard",
           "home", "looked", "not_recorded", "reminder_words", "saved", "shared"]

HOME_AT = {At.HOME, At.LIST, At.LIST_EDIT}
HOME_TRIES = 3
LIST_READ = 5
"""Entries named when a list is read out (the rest are reached with "next")."""
_COMMAND_NAMES = {c.value for c in Command}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _partner(state: State) -> str:
    return state.session.partner or "your partner"


def home(state: State, effects: list[Effect]) -> Step:
    """Ask what the person would like to do (the first time, the whole menu)."""
    visits = state.home_visits + 1
    effects = list(effects)
    if visits == 1:
        effects.append(SayNotices())
        key = P.HOME if state.session.partner else P.HOME_ALONE
        effects.append(Say(key, {"partner": _partner(state)}))
    else:
        effects.append(Say(P.HOME_AGAIN))
    state = replace(state, at=At.HOME, tries=0, home_visits=visits, from_home=False,
                    found=(), index=-1, asked=None, then="next_try")
    return state, [*effects, Listen(ListenMode.HOME)]


def end_or_home(state: State, effects: list[Effect]) -> Step:
    """Where a part of the session is over: the home again when there is one, else good night."""
    return home(state, effects) if state.session.home else close(state, effects)


def _listen(state: State, effects: list[Effect]) -> Step:
    return state, [*effects, Listen(ListenMode.HOME)]


def heard(state: State, text: str) -> Step:
    """Something said at the home, or while a list read out is at hand."""
    if state.at is At.LIST_EDIT:
        return dialog_manage.dictated(state, text)
    if not text:
        if state.at is At.HOME and state.home_visits <= 1:
            return _reflect(state, [])  # silence: tonight's guided session, as always
        if state.at is At.LIST:
            return _again(state, [])
        return close(state, [])
    intent = understand(text)
    name = intent.name if intent is not None else None
    if intent is not None and state.at is At.LIST and (
            name in _LIST_COMMANDS or name in _LIST_INTENTS or name in dialog_manage.LIST_INTENTS):
        return _in_list(state, intent)
    if name == Command.NO.value:  # "Anything else?" "No."
        return close(state, [])
    if name == Command.YES.value:
        return _listen(state, [Say(P.HOME if state.session.partner else P.HOME_ALONE,
                                   {"partner": _partner(state)})])
    if intent is None or name in _COMMAND_NAMES:
        said = (Recognised(Command(name)) if name is not None and name != "number"
                else Recognised(None))
        handled = anywhere(state, text, said, [])
        if handled is not None:
            return handled if handled[0].at in (At.PAUSED, At.ENDED) else _listen(*handled)
        return _again(state, [Say(P.NOT_UNDERSTOOD, remember=False)])
    return _asked(state, intent)


def _again(state: State, effects: list[Effect]) -> Step:
    state = replace(state, tries=state.tries + 1)
    if state.tries < HOME_TRIES:
        if state.at is At.LIST:
            effects.append(Say(P.LIST_CHOOSE if state.index < 0 else after_item(state)))
        return _listen(state, effects)
    if state.at is At.HOME and state.home_visits <= 1:
        return _reflect(state, effects)
    return close(state, effects)


def _reflect(state: State, effects: list[Effect], theme: str | None = None) -> Step:
    state = replace(state, at=At.PROMPT, from_home=False, prompt=None)
    return state, [*effects, ChoosePrompt(state.skipped, theme=theme)]


def _asked(state: State, intent: Intent) -> Step:
    """A request at the home (or in a list: anything but moving through it)."""
    name, slots = intent.name, intent.slots
    state = replace(state, tries=0)
    if name == "reflect":
        return _reflect(state, [])
    if name == "prompt_theme":
        return _reflect(state, [], theme=str(slots["theme"]))
    if name == "home":
        return home(state, [])
    if name == "hear_news":
        return _news(state)
    if name == "look_back":
        if not state.session.unlocked:
            return _listen(state, [Say(P.JOURNAL_LOCKED)])
        state = replace(state, at=At.LOOKING, from_home=True)
        return state, [LookUp(_str(slots.get("who")), _str(slots.get("when")),
                              _str(slots.get("about")), bool(slots.get("latest")),
                              journal=_str(slots.get("journal")), tag=_str(slots.get("tag")),
                              unread=bool(slots.get("unread")))]
    if name == "progress":
        return home(state, [SayProgress()])
    if name == "goal_list":
        return home(state, [SayGoals()])
    if name == "reminder_list":
        return home(state, [SayReminders()])
    if name == "goal_checkin":
        if not state.session.goals:
            return home(state, [Say(P.NO_GOAL)])
        goal = state.session.goals[0]
        return (replace(state, at=At.RATING, tries=0, from_home=True),
                [Say(P.GOAL_CHECKIN, {"goal": goal.title}), Listen(ListenMode.RATING)])
    if name == "goal_add":
        title = str(slots["title"])
        return ask(replace(state, asked=AddGoal(title)), At.CONFIRM_GOAL, [],
                   Say(P.CONFIRM_GOAL, {"title": title}))
    if name == "reminder_add":
        change = AddReminder(tuple(slots["days"]), str(slots["time"]))
        return ask(replace(state, asked=change), At.CONFIRM_REMINDER, [],
                   Say(P.CONFIRM_REMINDER, reminder_words(change.days, change.time)))
    if name == "record_free":
        state = replace(state, at=At.FREE_RECORD, from_home=True, prompt=None)
        return state, [Say(P.FREE_LISTENING), record(state)]
    if name in ("voice", "rate"):
        handled = anywhere(state, "", Recognised(None), [], intent=intent)
        assert handled is not None
        return _listen(*handled)
    if name in dialog_manage.HOME_INTENTS:
        return dialog_manage.asked(state, intent)
    if name == "mutual_prompt":
        return dialog_manage.mutual(state)
    return _again(state, [Say(P.NOT_UNDERSTOOD, remember=False)])


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _news(state: State) -> Step:
    from confide.voice.dialog import play_news

    news, partner = state.session.news, _partner(state)
    if news and not state.session.unlocked:
        return _listen(state, [Say(P.LOCKED_NEWS, {
            "partner": partner, "count": count_words(len(news), "reflection")})])
    if not news:
        return _listen(state, [Say(P.NO_NEWS, {"partner": partner})])
    return play_news(state, 0, [])


def day_names(days: tuple[int, ...]) -> str:
    """ "Monday", "Monday and Thursday", "Monday, Tuesday and Friday"."""
    names = [_DAYS[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def reminder_words(days: tuple[int, ...], at: str) -> dict[str, object]:
    """ "every Monday and Thursday", "eight o'clock in the evening" for a reminder."""
    every = render(P.EVERY_DAY) if len(days) == 7 else render(P.EVERY, {"days": day_names(days)})
    hour, minute = (int(x) for x in at.split(":"))
    part = "in the morning" if hour < 12 else ("in the afternoon" if hour < 17
                                              else "in the evening")
    return {"days": every, "time": f"{spoken_time(time(hour, minute))} {part}"}


# -- what comes back ------------------------------------------------------------------------
def looked(state: State, event: Looked) -> Step:
    items = event.items
    state = replace(state, found=items, index=-1, tries=0)
    if not items:
        return home(state, [Say(P.FOUND_NONE)])
    if len(items) == 1:
        return _read(replace(state, at=At.LIST), 0)
    named = "; ".join(render(P.FOUND_ITEM, {
        "when": item.when,
        "author": render(P.FOUND_YOU) if item.author is None
        else render(P.FOUND_BY, {"partner": item.author}),
        "words": count_words(item.words, "word")}) for item in items[:LIST_READ])
    count = count_words(len(items), "entry", "entries")
    effects: list[Effect] = [Say(P.FOUND_MANY, {"count": count[0].upper() + count[1:],
                                                "items": named})]
    if len(items) > LIST_READ:
        effects.append(Say(P.FOUND_MORE, {"count": number_word(len(items) - LIST_READ)}))
    effects.append(Say(P.LIST_CHOOSE))
    return _listen(replace(state, at=At.LIST), effects)


def shared(state: State, event: Shared) -> Step:
    said = (Say(P.NO_PARTNER) if event.partner is None
            else Say(P.SHARED, {"partner": event.partner}))
    return _listen(replace(state, at=At.LIST), [said, Say(after_item(state))])


def saved(state: State) -> Step:
    """An answer to the partner's entry at hand is filed."""
    return _listen(replace(state, at=At.LIST),
                   [Say(P.RESPONSE_SAVED, {"partner": _partner(state)}),
                    Say(after_item(state))])


def not_recorded(state: State, effects: list[Effect], command: Command | None) -> Step:
    """Nothing was said for a free entry or an answer (or a command instead)."""
    if command is Command.STOP:
        return close(state, effects)
    if state.at is At.LIST_ANSWER_RECORD:
        return _listen(replace(state, at=At.LIST), [*effects, Say(after_item(state))])
    return home(state, effects)


def changed(state: State, event: Done) -> Step:
    change = state.asked
    if isinstance(change, Act):
        return dialog_manage.done(state, change, event)
    if not event.ok:
        return home(state, [Say(P.COULD_NOT, {"reason": event.reason})])
    if isinstance(change, AddGoal):
        if event.item_id is not None:  # a goal to check in on from now on
            title = change.title[:1].upper() + change.title[1:]  # as the journal keeps it
            goals = (*state.session.goals, GoalItem(event.item_id, title))
            state = replace(state, session=replace(state.session, goals=goals))
        return home(state, [Say(P.GOAL_ADDED, {"title": change.title})])
    assert isinstance(change, AddReminder)
    return home(state, [Say(P.REMINDER_ADDED, reminder_words(change.days, change.time))])


def confirmed(state: State, answer: bool | None, effects: list[Effect]) -> Step:
    """Yes (or no, or nothing) to a change the home asked about."""
    if state.at is At.CONFIRM_CHANGE:
        return dialog_manage.confirmed(state, answer, effects)
    if state.at is At.LIST_CONFIRM_DELETE:
        item = state.found[state.index]
        if not answer:
            return _listen(replace(state, at=At.LIST),
                           [*effects, Say(P.NOT_DELETED), Say(after_item(state))])
        rest = state.found[:state.index] + state.found[state.index + 1:]
        effects = [*effects, Delete(item.entry_id), Say(P.DELETED)]
        if not rest:
            return home(replace(state, found=()), effects)
        state = replace(state, at=At.LIST, found=rest, index=-1, tries=0)
        return _listen(state, [*effects, Say(P.LIST_CHOOSE)])
    if not answer or state.asked is None:
        return home(state, [*effects, Say(P.NOT_ADDED)])
    return replace(state, at=At.CHANGING), [*effects, state.asked]


# -- moving through a list read out --------------------------------------------------------
_LIST_COMMANDS = {Command.SKIP.value, Command.SHARE.value, Command.DELETE.value,
                  Command.READ_BACK.value, Command.NUMBER.value, Command.KEEP_PRIVATE.value}
_LIST_INTENTS = {"play_item", "previous", "play_voice", "answer_it"}


def after_item(state: State) -> P:
    if state.index < 0:
        return P.LIST_CHOOSE
    return P.AFTER_MINE if state.found[state.index].author is None else P.AFTER_PARTNERS


def _read(state: State, index: int, *, recording: bool = False) -> Step:
    item = state.found[index]
    state = replace(state, at=At.LIST, index=index, tries=0)
    author = (render(P.ENTRY_YOURS) if item.author is None
              else render(P.ENTRY_PARTNERS, {"partner": item.author}))
    return _listen(state, [Say(P.ENTRY_INTRO, {"author": author, "when": item.when}),
                           ReadEntry(item.entry_id, recording=recording),
                           Say(after_item(state))])


def _in_list(state: State, intent: Intent) -> Step:
    name, found, at = intent.name, state.found, state.index
    if name in ("play_item", "number"):
        n = int(intent.slots.get("n", 0))
        index = len(found) - 1 if n == -1 else n - 1
        if 0 <= index < len(found):
            return _read(state, index)
        return _listen(state, [Say(P.LIST_END)])
    if name == "skip":
        return _read(state, at + 1) if at + 1 < len(found) else _listen(state, [Say(P.LIST_END)])
    if name == "previous":
        if at > 0:
            return _read(state, at - 1)
        return _listen(state, [Say(P.LIST_START if at == 0 else P.LIST_CHOOSE)])
    if at < 0:
        return _listen(state, [Say(P.LIST_CHOOSE)])
    item = found[at]
    if name in dialog_manage.LIST_INTENTS:
        return dialog_manage.in_list(state, intent, item, after_item(state))
    if name in ("read_back", "play_voice"):
        return _read(state, at, recording=name == "play_voice")
    if name == "answer_it":
        if item.author is None:
            return _listen(state, [Say(P.AFTER_MINE)])
        state = replace(state, at=At.LIST_ANSWER_RECORD)
        return state, [Say(P.ACTIVE_LISTENING, {"partner": item.author}),
                       record(state, journal="shared", answer_to=item.entry_id)]
    if item.author is not None:  # share, keep private, delete: the author's own
        return _listen(state, [Say(P.NOT_YOURS, {"partner": item.author})])
    if name == "share":
        return replace(state, at=At.LIST_SHARING), [Share(item.entry_id)]
    if name == "delete":
        return ask(state, At.LIST_CONFIRM_DELETE, [],
                   Say(P.CONFIRM_DELETE_ENTRY, {"when": item.when}))
    return _listen(state, [Say(after_item(state))])
