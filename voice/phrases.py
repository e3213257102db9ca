"""Everything the voice says, in one catalog keyed by name (wording and translations live here).

``P`` is the catalog: each member's name is the key the dialog, the station, the demo and
the tests refer to, its value the English template (``{braces}`` are filled in by
``render``); a translation maps the same names to other sentences. The helpers below make
the small pieces a template is filled with (counts, times of day) by one rule each.
Progress sentences are the journal's own (models/progress_text.py), chosen by its facts.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Literal

__all__ = ["P", "PartOfDay", "count_words", "greeting", "greeting_key", "number_word",
           "part_of_day", "render", "spoken_time"]

_ONES = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty"}
_HOURS = ("twelve", *_ONES[1:12])

PartOfDay = Literal["morning", "afternoon", "evening"]


def part_of_day(hour: int) -> PartOfDay:
    """The one rule for greetings and reminders alike: morning from 4, afternoon from
    noon, evening from 5 pm (so "Good evening" and "tonight's reflection" agree)."""
    if 4 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    return "evening"


def number_word(n: int) -> str:
    """"five", "twelve"; digits beyond the small numbers."""
    return _ONES[n] if 0 <= n <= 12 else str(n)


def count_words(n: int, singular: str, plural: str | None = None) -> str:
    return f"{number_word(n)} {singular if n == 1 else (plural or singular + 's')}"


def _minutes_words(minute: int) -> str:
    if minute < 20:
        return _ONES[minute]
    tens, ones = divmod(minute, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def spoken_time(at: time) -> str:
    """A clock time the way people say it: "eight o'clock", "half past eight", "eight oh five"."""
    hour = _HOURS[at.hour % 12]
    minute = at.minute
    if minute == 0:
        return f"{hour} o'clock"
    if minute == 15:
        return f"quarter past {hour}"
    if minute == 30:
        return f"half past {hour}"
    if minute == 45:
        return f"quarter to {_HOURS[(at.hour + 1) % 12]}"
    if minute < 10:
        return f"{hour} oh {_ONES[minute]}"
    return f"{hour} {_minutes_words(minute)}"


_GREETINGS = {"morning": "GREETING_MORNING", "afternoon": "GREETING_AFTERNOON",
              "evening": "GREETING_EVENING"}


def greeting_key(hour: int) -> P:
    return P[_GREETINGS[part_of_day(hour)]]


def greeting(name: str, now: datetime) -> str:
    """"Good evening, Sam." on the person's own clock."""
    return render(greeting_key(now.hour), {"name": name})


def render(key: P, params: dict[str, object] | None = None) -> str:
    """The sentence ``key`` with its placeholders filled in."""
    return str(key).format(**params) if params else str(key)


class P(StrEnum):
    """Every sentence the voice says, by name."""

    GREETING_MORNING = "Good morning, {name}."
    GREETING_AFTERNOON = "Good afternoon, {name}."
    GREETING_EVENING = "Good evening, {name}."
    NEWS_OFFER_ONE = "{partner} shared one reflection with you{since}. Would you like to hear it?"
    NEWS_OFFER_MANY = ("{partner} shared {count} with you{since}. "
                       "Would you like to hear them?")
    NEWS_SINCE = " since {day}"
    SAVED_PRIVATE = "Saved to your private journal, {words}."
    SAVED_SHARED = "Saved to your shared journal, {words}."
    HELP = ("You can say: repeat, skip, pause, resume, read it back, delete that, share it, "
            "keep it private, slower, faster, louder, quieter, give me more time, help, "
            "or I'm done. To answer a question, say yes or no, or a number from one to five.")
    PROMPT_INTRO = "Here is tonight's reflection."
    LISTENING_HINT = "Take your time. I'm listening; say I'm done when you are finished."
    TAKE_YOUR_TIME = "Take your time — say I'm done when you are finished."
    MORE_TIME = "Of course. I'll wait longer for you."
    NO_SPEECH = "I didn't hear anything that time, so nothing was saved."
    AFTER_SAVE = ("Would you like me to read it back, share it, or keep it private? "
                  "Or say next to go on.")
    READ_BACK_EMPTY = "There are no words to read back yet, but your recording is saved."
    CONFIRM_DELETE = "Delete this reply for good, recording and all? Say yes or no."
    DELETED = "Deleted. It's gone."
    NOT_DELETED = "Kept it."
    SHARED = "Shared with {partner}. They can listen and answer now."
    NO_PARTNER = "You're not paired with a partner yet, so it stays in your private journal."
    KEPT_PRIVATE = "It stays in your private journal. Only you can see it."
    FOLLOW_UP_OFFER = "Would you like a follow-up question?"
    PLAYING = "Here is {partner}'s reflection from {when}."
    PLAYING_PROMPT = "They were answering: {prompt}"
    ANSWER_OFFER = "Would you like to answer {partner}?"
    ACTIVE_LISTENING = ("Before you answer, try saying back what you heard {partner} say, "
                        "then share your response.")
    RESPONSE_SAVED = "Your answer is saved. {partner} will hear it."
    GOAL_CHECKIN = "Let's check in on your goal: {goal}. From one to five, how did it go?"
    GOAL_REFLECT = "Thank you. Anything you'd like to add about it? Or say no."
    GOAL_SAVED = "Check-in saved: {rating} out of five."
    RATING_AGAIN = "Please say a number from one to five."
    MUTUAL_OFFER = ("{partner} has answered a question for you both: {prompt} "
                    "Would you like to answer it too? You'll hear each other's answers after.")
    MUTUAL_REVEALED = "You have both answered. Would you like to hear {partner}'s answer?"
    PAUSED = "Paused. Say resume when you're ready."
    RESUMED = "Welcome back."
    SLOWER = "Speaking slower."
    FASTER = "Speaking faster."
    LOUDER = "Speaking louder."
    QUIETER = "Speaking more quietly."
    LIMIT = "That is as far as I can go."
    NOT_UNDERSTOOD = "Sorry, I didn't catch that. Say help to hear what you can say."
    YES_NO = "Please say yes or no."
    LOCKED_NEWS = ("{partner} shared {count}. Your journal is locked, so I can't play "
                   "it yet; unlock it to hear them.")
    RECOVERED_LOCKED = ("A reply from earlier was not finished when Confide stopped. It is "
                        "safe, and will be filed once you unlock your journal.")
    RECOVERED = ("Before we begin: a reply from earlier was not finished when Confide stopped. "
                 "It is safe in your journal now{words}.")
    SAFETY = ("It sounds like you may not feel safe right now. You deserve support. "
              "Please reach out to {crisis_line}, or a couples therapist or counsellor you "
              "trust. I'll pause the journal; say resume when you're ready.")
    GOODBYE = "Thank you for taking this time. Good night."

    # The voice station (reminders spoken aloud).
    STATION_REFLECTION = "It's {time} — ready for {part} reflection? Say yes, or later."
    STATION_GOAL_CHECKIN = ("It's {time} — ready to check in on your goals together? "
                            "Say yes, or later.")
    STATION_PARTNER_SHARED = ("It's {time} — {news} Would you like to hear it now? "
                              "Say yes, or later.")
    STATION_PART_MORNING = "this morning's"
    STATION_PART_AFTERNOON = "this afternoon's"
    STATION_PART_EVENING = "tonight's"
    STATION_NEWS_ONE = "{partner} shared something new with you."
    STATION_NEWS_MANY = "{partner} shared {count} new things with you."
    STATION_PARTNER_FALLBACK = "Your partner"
    STATION_SNOOZED = "All right — I'll ask again at {time}."
    STATION_DECLINED = "All right — I'll be here whenever you're ready."
    STATION_SESSION_TROUBLE = "Something went wrong with that session, but your journal is safe."
    NOTIFY_REFLECTION = "Time for your reflection"
    NOTIFY_GOAL_CHECKIN = "Time for a goal check-in"
    NOTIFY_PARTNER_SHARED = "Your partner shared something"
    NOTIFY_BODY = ("Whenever you're ready: say yes to the voice station, "
                   "or run “confide speak”.")
    # Unlocking by voice (opt in: confide people spoken-passphrase).
    SAY_PASSPHRASE = ("Your journal is locked. Say your spoken passphrase to open it, "  # noqa: S105
                      "or say skip.")
    UNLOCKED_BY_VOICE = "Unlocked."
    NOT_UNLOCKED_BY_VOICE = "That did not open it."
    STAYS_LOCKED = "It stays locked. Your replies are still saved, sealed."
