"""What the conversation hears (events) and what it asks for (effects), as plain data.

The dialog (voice.dialog) turns one event into a new state and a list of effects; the runner
(voice.runner) carries the effects out against the speaker, the synthesizer, the listener and
the journal operations, and turns what comes back into the next event. Effects that come
back with an event (``Listen``, ``Record``, ``File``, ``ChoosePrompt``, ``Share``) are always
the last of their list, so a list of effects is one step of the conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from confide.voice.dialog_acts import Act, Op
from confide.voice.dialog_facts import FollowUp, FoundItem, GoalItem, NewsItem, VoiceSettings
from confide.voice.phrases import P

__all__ = [
    "AWAITING",
    "Act",
    "AddGoal",
    "AddReminder",
    "Began",
    "CheckIn",
    "ChoosePrompt",
    "Delete",
    "Discard",
    "Done",
    "Effect",
    "End",
    "Event",
    "File",
    "FollowUp",
    "FoundItem",
    "GoalItem",
    "Heard",
    "Listen",
    "ListenMode",
    "LookUp",
    "Looked",
    "MarkNewsSeen",
    "MarkRead",
    "NewsItem",
    "Notify",
    "Op",
    "Play",
    "PromptChosen",
    "ReadEntry",
    "Record",
    "ReplyRecorded",
    "RunSession",
    "Saved",
    "Say",
    "SayGoals",
    "SayNotices",
    "SayProgress",
    "SayReminders",
    "SayText",
    "SetPauseAllowance",
    "SetVoice",
    "SetVoiceName",
    "Share",
    "Shared",
    "Snooze",
    "Timeout",
    "VoiceSettings",
]


# -- events ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Began:
    """A session starts: who, the time of day on their clock, and what is waiting for them."""

    name: str
    local_hour: int = 20
    partner: str | None = None
    unlocked: bool = True
    news: tuple[NewsItem, ...] = ()
    news_since: str | None = None
    """Weekday the person last heard news ("Monday"), if ever."""
    goals: tuple[GoalItem, ...] = ()
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    crisis_line: str = "your local emergency number"
    home: bool = False
    """Offer the spoken home after the news (`confide speak` does; a scripted session goes
    straight to tonight's prompt)."""


@dataclass(frozen=True, slots=True)
class Heard:
    """Something was said at a listening point (its transcript)."""

    text: str


@dataclass(frozen=True, slots=True)
class Timeout:
    """Nothing was said in time."""


@dataclass(frozen=True, slots=True)
class ReplyRecorded:
    """A reply was recorded (durably, still pending); ``text`` is its transcript as heard."""

    text: str
    no_speech: bool = False


@dataclass(frozen=True, slots=True)
class Saved:
    """The pending reply is filed: an entry (or an answer to the partner) of ``words`` words."""

    id: int
    words: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class PromptChosen:
    prompt_id: str
    text: str
    spoken: str
    follow_up: FollowUp | None = None
    mutual: bool = False
    """A question for both: the answer goes to the shared journal, heard once both answered."""


@dataclass(frozen=True, slots=True)
class Shared:
    """The entry was shared with ``partner``; None when there is no partner to share with."""

    partner: str | None


@dataclass(frozen=True, slots=True)
class Looked:
    """What a look back found, newest first."""

    items: tuple[FoundItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Done:
    """A change asked for (a goal, a reminder) was made, or not, and why not."""

    ok: bool
    reason: str = ""
    item_id: int | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    """What the sentence saying it was done names (an invite code, a program's title)."""


Event = (Began | Heard | Timeout | ReplyRecorded | Saved | PromptChosen | Shared | Looked
         | Done)


# -- effects ------------------------------------------------------------------------------
class ListenMode(StrEnum):
    SHORT = "short"
    """A command after a reply was saved."""
    YES_NO = "yes_no"
    RATING = "rating"
    REPLY = "reply"
    """A few free words (a goal check-in's note)."""
    RESUME = "resume"
    """Paused: waiting, a long while, for "resume"."""
    HOME = "home"
    """What would you like to do: a short request."""


@dataclass(frozen=True, slots=True)
class Say:
    """Say the catalog sentence ``key``; ``remember`` makes it what "repeat" says again."""

    key: P
    params: Mapping[str, object] = field(default_factory=dict)
    remember: bool = True


@dataclass(frozen=True, slots=True)
class SayText:
    """Say words that are not the voice's own: a prompt, the person's reply read back."""

    text: str
    remember: bool = True


@dataclass(frozen=True, slots=True)
class Listen:
    mode: ListenMode
    timeout_s: float = 10.0
    max_s: float = 8.0


@dataclass(frozen=True, slots=True)
class Record:
    """Record a reply, written to disk as it is spoken (sealed for the person)."""

    journal: str = "private"
    kind: str = "reflection"
    prompt_id: str | None = None
    prompt_text: str | None = None
    answer_to: int | None = None
    pause_allowance_s: float = 3.0


@dataclass(frozen=True, slots=True)
class File:
    """File the pending reply with ``text`` as its transcript (the closing phrase gone)."""

    text: str


@dataclass(frozen=True, slots=True)
class Discard:
    """Throw the pending recording away (nothing was said, or it was a command)."""


@dataclass(frozen=True, slots=True)
class ChoosePrompt:
    exclude: tuple[str, ...] = ()
    theme: str | None = None
    """A theme of the prompt library the person asked for."""
    mutual: bool = False


@dataclass(frozen=True, slots=True)
class LookUp:
    """Find entries the person may read: by whom ("me", "partner"), in the days ``when``
    names (voice.intents.date_range, on the person's clock), holding the words ``about``;
    ``latest`` keeps only the newest."""

    who: str | None = None
    when: str | None = None
    about: str | None = None
    latest: bool = False
    journal: str | None = None
    """"private" or "shared": one journal only."""
    tag: str | None = None
    unread: bool = False
    """Only the partner's entries not heard yet."""


@dataclass(frozen=True, slots=True)
class ReadEntry:
    """Read an entry aloud (the words), or play its recording (``recording``) where it has
    one; marks a partner's entry read."""

    entry_id: int
    recording: bool = False


@dataclass(frozen=True, slots=True)
class AddGoal:
    title: str


@dataclass(frozen=True, slots=True)
class AddReminder:
    days: tuple[int, ...]
    time: str
    """HH:MM on the person's clock."""


@dataclass(frozen=True, slots=True)
class SayGoals:
    """Say the person's active goals."""


@dataclass(frozen=True, slots=True)
class SayReminders:
    """Say the person's reminders and when each asks next."""


@dataclass(frozen=True, slots=True)
class SetVoiceName:
    """Speak with this voice (voice.voices: "natural", "fast") and keep it."""

    name: str


@dataclass(frozen=True, slots=True)
class Play:
    """Play the partner's entry: their own recording, else its words spoken."""

    entry_id: int


@dataclass(frozen=True, slots=True)
class MarkRead:
    entry_id: int


@dataclass(frozen=True, slots=True)
class MarkNewsSeen:
    """The partner's news was offered: do not offer it again."""


@dataclass(frozen=True, slots=True)
class Share:
    entry_id: int


@dataclass(frozen=True, slots=True)
class Delete:
    entry_id: int


@dataclass(frozen=True, slots=True)
class CheckIn:
    goal_id: int
    rating: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class SetVoice:
    """Speak at this rate and volume from now on, and keep it as the person's preference."""

    rate: int
    volume: float


@dataclass(frozen=True, slots=True)
class SetPauseAllowance:
    seconds: float


@dataclass(frozen=True, slots=True)
class SayNotices:
    """Say what start-up found (a reply from a stopped session filed, or waiting)."""


@dataclass(frozen=True, slots=True)
class SayProgress:
    """Say the journal's one-sentence progress summary."""


@dataclass(frozen=True, slots=True)
class End:
    """The session is over."""


# The station's effects.
@dataclass(frozen=True, slots=True)
class RunSession:
    """Start a voice session now."""


@dataclass(frozen=True, slots=True)
class Snooze:
    """Move the reminder(s) on by the snooze time, then say when they will ask again."""


@dataclass(frozen=True, slots=True)
class Notify:
    title: P
    body: P


Effect = (Say | SayText | Listen | Record | File | Discard | ChoosePrompt | Play | MarkRead
          | MarkNewsSeen | Share | Delete | CheckIn | SetVoice | SetPauseAllowance | SayNotices
          | SayProgress | End | RunSession | Snooze | Notify | LookUp | ReadEntry | AddGoal
          | AddReminder | SayGoals | SayReminders | SetVoiceName | Act)

AWAITING = (Listen, Record, File, ChoosePrompt, Share, LookUp, AddGoal, AddReminder, Act)
"""Effects the runner answers with the next event."""
