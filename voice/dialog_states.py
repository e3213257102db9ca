"""The dialog's state, and what every listening point shares: commands said anywhere
(repeat, pause, slower, help, I'm done, …), the crisis words, asking a yes/no question,
pausing and closing. Pure, as voice.dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from confide.prompts.safety import is_crisis
from confide.voice.commands import Command
from confide.voice.commands import Heard as Recognised
from confide.voice.dialog_events import (
    Act,
    AddGoal,
    AddReminder,
    Began,
    Effect,
    End,
    FoundItem,
    Listen,
    ListenMode,
    PromptChosen,
    Record,
    Saved,
    Say,
    SayProgress,
    SayText,
    SetPauseAllowance,
    SetVoice,
    SetVoiceName,
    VoiceSettings,
)
from confide.voice.intents import Intent, understand
from confide.voice.phrases import P

__all__ = ["At", "State", "Step", "Then", "anywhere", "ask", "close", "in_other_words", "pause",
           "record", "safety"]

RATE_STEP, MIN_RATE, MAX_RATE = 25, 80, 450
VOLUME_STEP, MIN_VOLUME, MAX_VOLUME = 0.2, 0.2, 1.0
MAX_PAUSE_ALLOWANCE_S = 60.0
YES_NO_TRIES = RATING_TRIES = 3
AFTER_SAVE_TRIES = 4

# Commands that may stand in for a reply (said instead of answering the prompt).
SHORT_COMMANDS = {Command.SKIP, Command.REPEAT, Command.STOP, Command.HELP, Command.PAUSE,
                   Command.MORE_TIME}
_COMMANDS = {c.value for c in Command} - {Command.NUMBER.value}
_VOICE_CHANGES = {Command.SLOWER: P.SLOWER, Command.FASTER: P.FASTER,
                  Command.LOUDER: P.LOUDER, Command.QUIETER: P.QUIETER}


class At(StrEnum):
    """Where the conversation is: what it is waiting for."""

    START = "start"
    NEWS_OFFER = "news_offer"
    ANSWER_OFFER = "answer_offer"
    ANSWER_RECORD = "answer_record"
    ANSWER_FILING = "answer_filing"
    PROMPT = "prompt"
    REPLY_RECORD = "reply_record"
    REPLY_FILING = "reply_filing"
    AFTER_SAVE = "after_save"
    CONFIRM_DELETE = "confirm_delete"
    SHARING = "sharing"
    FOLLOW_UP_OFFER = "follow_up_offer"
    FOLLOW_UP_RECORD = "follow_up_record"
    FOLLOW_UP_FILING = "follow_up_filing"
    RATING = "rating"
    GOAL_NOTE_OFFER = "goal_note_offer"
    GOAL_NOTE = "goal_note"
    PAUSED = "paused"
    ENDED = "ended"
    HOME = "home"
    LOOKING = "looking"
    LIST = "list"
    LIST_CONFIRM_DELETE = "list_confirm_delete"
    LIST_SHARING = "list_sharing"
    LIST_ANSWER_RECORD = "list_answer_record"
    LIST_ANSWER_FILING = "list_answer_filing"
    FREE_RECORD = "free_record"
    FREE_FILING = "free_filing"
    CONFIRM_GOAL = "confirm_goal"
    CONFIRM_REMINDER = "confirm_reminder"
    CHANGING = "changing"
    CONFIRM_CHANGE = "confirm_change"
    LIST_EDIT = "list_edit"


YES_NO_AT = {At.NEWS_OFFER, At.ANSWER_OFFER, At.CONFIRM_DELETE, At.FOLLOW_UP_OFFER,
           At.GOAL_NOTE_OFFER, At.LIST_CONFIRM_DELETE, At.CONFIRM_GOAL, At.CONFIRM_REMINDER,
           At.CONFIRM_CHANGE}
_HELP = {At.HOME: P.HELP_HOME, At.LIST: P.HELP_LIST}
HOME_YES_NO = {At.LIST_CONFIRM_DELETE, At.CONFIRM_GOAL, At.CONFIRM_REMINDER, At.CONFIRM_CHANGE}
"""Questions the home asks (voice.dialog_home answers them)."""
RECORDING = {At.ANSWER_RECORD, At.REPLY_RECORD, At.FOLLOW_UP_RECORD, At.LIST_ANSWER_RECORD,
             At.FREE_RECORD}
FILING = {At.ANSWER_FILING, At.REPLY_FILING, At.FOLLOW_UP_FILING, At.LIST_ANSWER_FILING,
          At.FREE_FILING}
Then = Literal["next_try", "choose_prompt", "after_saved"]
"""What happens once a pause (or the crisis sentence) is over."""


@dataclass(frozen=True, slots=True)
class State:
    at: At = At.START
    session: Began = field(default_factory=lambda: Began(name=""))
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    last_said: Say | SayText | None = None
    tries: int = 0
    news_index: int = 0
    prompt: PromptChosen | None = None
    skipped: tuple[str, ...] = ()
    reply_text: str = ""
    saved: Saved | None = None
    rating: int | None = None
    following_up: bool = False
    """The reply just saved answers the follow-up question (so none is offered again)."""
    resume_at: At = At.START
    then: Then = "next_try"
    found: tuple[FoundItem, ...] = ()
    """What the last look back found (the list read out), and the entry at hand."""
    index: int = -1
    asked: AddGoal | AddReminder | Act | None = None
    """A change waiting for the person's yes."""
    home_visits: int = 0
    from_home: bool = False
    """Asked for at the home: when it is over the home asks what next (the guided session
    of tonight goes on to its follow-up and the goal check-in as before)."""


Step = tuple[State, list[Effect]]


def record(state: State, *, journal: str = "private", prompt_id: str | None = None,
            prompt_text: str | None = None, answer_to: int | None = None,
            mutual: bool = False) -> Record:
    """Record a reply (a mutual answer goes to the shared journal, as the domain keeps it)."""
    return Record(journal="shared" if mutual else journal,
                  kind="mutual" if mutual else "reflection", prompt_id=prompt_id,
                  prompt_text=prompt_text, answer_to=answer_to,
                  pause_allowance_s=state.voice.pause_allowance_s)


def close(state: State, effects: list[Effect]) -> Step:
    """The progress in one kind sentence, then good night."""
    return (replace(state, at=At.ENDED),
            [*effects, SayProgress(), Say(P.GOODBYE, remember=False), End()])


def ask(state: State, at: At, effects: list[Effect], question: Say) -> Step:
    return replace(state, at=at, tries=0), [*effects, question, Listen(ListenMode.YES_NO)]



# -- commands that mean the same at every listening point ------------------------------------
def anywhere(state: State, text: str, heard: Recognised, effects: list[Effect], *,
             intent: Intent | None = None) -> Step | None:
    """Handle a command said anywhere; None when it is not one. The state comes back
    ``PAUSED`` (or ``ENDED``) when the conversation waits (or is over). Besides the short
    commands: the voice, the rate and the progress (voice.intents), and help for the place."""
    if text and is_crisis(text):
        return pause(state, [*effects, safety(state)], then=state.then)
    cmd = heard.command
    if cmd is None and text and intent is None:
        intent = understand(text)
        if intent is not None and intent.name in _COMMANDS:
            cmd = Command(intent.name)
    if cmd is None and intent is not None:
        return _asked_anywhere(state, intent, effects)
    if cmd is Command.STOP:
        return close(state, effects)
    if cmd is Command.HELP:
        key = _HELP.get(state.at, P.HELP)
        return state, [*effects, Say(key, {"partner": state.session.partner or "your partner"},
                                     remember=False)]
    if cmd is Command.REPEAT:
        return state, [*effects, state.last_said or Say(P.HELP)]
    if cmd is Command.PAUSE:
        return pause(state, [*effects, Say(P.PAUSED, remember=False)], then=state.then)
    if cmd in _VOICE_CHANGES:
        return adjust_voice(state, cmd, effects)
    if cmd is Command.MORE_TIME:
        seconds = min(MAX_PAUSE_ALLOWANCE_S, state.voice.pause_allowance_s * 2)
        state = replace(state, voice=replace(state.voice, pause_allowance_s=seconds))
        return state, [*effects, SetPauseAllowance(seconds), Say(P.MORE_TIME, remember=False)]
    return None


def in_other_words(text: str) -> Recognised:
    """A short command said in words of the templates ("play it again", "you're speaking
    too fast"), or none."""
    intent = understand(text)
    if intent is not None and intent.name in _COMMANDS:
        return Recognised(Command(intent.name))
    return Recognised(None)


def _asked_anywhere(state: State, intent: Intent, effects: list[Effect]) -> Step | None:
    if intent.name == "voice":
        name = str(intent.slots["voice"])
        return state, [*effects, SetVoiceName(name),
                       Say(P.VOICE_NATURAL if name == "natural" else P.VOICE_FAST,
                           remember=False)]
    if intent.name == "rate":
        rate = int(intent.slots["rate"])
        if not MIN_RATE <= rate <= MAX_RATE:
            return state, [*effects, Say(P.RATE_BOUNDS, remember=False)]
        state = replace(state, voice=replace(state.voice, rate=rate))
        return state, [*effects, SetVoice(rate, state.voice.volume),
                       Say(P.RATE_SET, {"rate": rate}, remember=False)]
    if intent.name == "progress" and state.at not in (At.HOME, At.LIST):
        return state, [*effects, SayProgress()]
    return None


def adjust_voice(state: State, cmd: Command, effects: list[Effect]) -> Step:
    v = state.voice
    rate, volume = v.rate, v.volume
    if cmd is Command.SLOWER:
        rate = max(MIN_RATE, rate - RATE_STEP)
    elif cmd is Command.FASTER:
        rate = min(MAX_RATE, rate + RATE_STEP)
    elif cmd is Command.LOUDER:
        volume = min(MAX_VOLUME, round(volume + VOLUME_STEP, 2))
    else:
        volume = max(MIN_VOLUME, round(volume - VOLUME_STEP, 2))
    line = _VOICE_CHANGES[cmd] if (rate, volume) != (v.rate, v.volume) else P.LIMIT
    state = replace(state, voice=replace(v, rate=rate, volume=volume))
    return state, [*effects, SetVoice(rate, volume), Say(line, remember=False)]


def safety(state: State) -> Say:
    return Say(P.SAFETY, {"crisis_line": state.session.crisis_line})


def pause(state: State, effects: list[Effect], *, then: Then) -> Step:
    state = replace(state, at=At.PAUSED, resume_at=state.at if state.at is not At.PAUSED
                    else state.resume_at, then=then)
    return state, [*effects, Listen(ListenMode.RESUME, timeout_s=300.0)]
