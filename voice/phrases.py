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

    # The spoken home, looking back, and what can be asked for from there (issue 17).
    HOME = ("What would you like to do? You can reflect, hear {partner}'s reflections, look "
            "back, goals, reminders, or progress. Or just say start.")
    HOME_ALONE = ("What would you like to do? You can reflect, look back, goals, reminders, "
                  "or progress. Or just say start.")
    HOME_AGAIN = "Anything else? Say start to reflect, help for ideas, or I'm done."
    HELP_HOME = ("You can say: just start; give me a prompt about trust; hear {partner}'s "
                 "reflections; read my last entry; what did {partner} share this week; find "
                 "what I said about dinner; I want to say something; how am I doing; check in "
                 "on my goal; add a goal, then its name; what are my goals; remind me every "
                 "Monday at eight pm; what are my reminders; use the natural voice or the fast "
                 "voice; slower, faster, or speak at two hundred words a minute; what programs are "
                 "there; start the listening week; add a prompt, then its words; I finished my "
                 "goal; pause my reminders; a question for both of us; hear our answers; read "
                 "me my chart; make an invite code; lock my journal; or I'm done.")
    HELP_LIST = ("You can say: play the first one, or another number; next; previous; play "
                 "their own voice; answer it; read the answers; share it; make it private "
                 "again; tag it, then a word; set the mood to calm; change the words; delete "
                 "it; go home; or I'm done.")
    JOURNAL_LOCKED = ("Your journal is locked, so I can't read it to you. Unlock it first, "
                      "with confide unlock, and then ask again.")
    FOUND_NONE = "I found nothing there."
    FOUND_ONE = "One entry: {items}."
    FOUND_MANY = "{count}: {items}."
    FOUND_MORE = "And {count} more."
    FOUND_ITEM = "{when}, {author}, {words}"
    FOUND_YOU = "yours"
    FOUND_BY = "by {partner}"
    LIST_CHOOSE = "Say play the first one, or another number, or go home."
    ENTRY_INTRO = "{author} entry from {when}."
    ENTRY_YOURS = "Your"
    ENTRY_PARTNERS = "{partner}'s"
    ENTRY_NO_WORDS = "There are no words in this entry yet."
    AFTER_MINE = "Say next, previous, share it, delete it, or go home."
    AFTER_PARTNERS = "Say next, previous, play their own voice, answer it, or go home."
    LIST_END = "That was the last one."
    LIST_START = "That was the first one."
    NOT_YOURS = "Only {partner} can change that one."
    CONFIRM_DELETE_ENTRY = "Delete your entry from {when} for good, recording and all? Say yes or no."
    NO_NEWS = "There is nothing new from {partner} right now."
    FREE_LISTENING = "I'm listening. Say I'm done when you are finished."
    CONFIRM_GOAL = "Add the goal: {title}? Say yes or no."
    GOAL_ADDED = "Goal added: {title}."
    NO_GOAL = "You have no active goal yet. Say add a goal, then its name."
    CONFIRM_REMINDER = "Remind you {days} at {time}? Say yes or no."
    REMINDER_ADDED = "Done. I'll remind you {days} at {time}."
    NOT_ADDED = "All right, nothing was changed."
    COULD_NOT = "That did not work: {reason}"
    VOICE_NATURAL = "This is the natural voice."
    VOICE_FAST = "This is the fast voice."
    RATE_SET = "Speaking at {rate} words a minute now."
    RATE_BOUNDS = "I can speak from 80 to 450 words a minute."
    EVERY_DAY = "every day"
    EVERY = "every {days}"
    GOALS = "{count}: {titles}."
    NO_REMINDERS = "You have no reminders. Say remind me, then the days and the time."
    REMINDERS = "{count}: {items}."
    REMINDER_ITEM = "{days} at {time}"
    REMINDER_PAUSED = "{item}, paused"

    # The rest of the journal by voice (voice.dialog_manage, voice.runner_acts).
    CONFIRM_TAG = "Tag your entry from {when} with {tag}? Say yes or no."
    TAGGED = "Tagged {tag}."
    CONFIRM_UNTAG = "Take the tag {tag} off your entry from {when}? Say yes or no."
    UNTAGGED = "The tag {tag} is off."
    CONFIRM_MOOD = "Set the mood of your entry from {when} to {mood}? Say yes or no."
    MOOD_SET = "The mood is {mood} now."
    CONFIRM_UNSHARE = ("Make your entry from {when} private again? {partner} will no longer "
                       "see it. Say yes or no.")
    UNSHARED = "It's private again. Only you can see it."
    ALREADY_PRIVATE = "It's in your private journal already."
    ANSWERS_NONE = "Nobody has answered this entry yet."
    ANSWER_FROM = "{author} answered {when}:"
    ANSWER_YOU = "You"
    EDIT_LISTENING = ("Say the new words for this entry, then stop. The recording stays as "
                      "it was.")
    CONFIRM_EDIT = "Change the words of your entry from {when} to: {text} Say yes or no."
    EDITED = "The words are changed. The recording is as it was."
    CONFIRM_PROGRAM_START = "Start the program {title}? Say yes or no."
    PROGRAM_STARTED = "Started {title}: {days} days, one prompt a day. Tonight's comes from it."
    CONFIRM_PROGRAM_PAUSE = "Pause your program? Say yes or no."
    PROGRAM_PAUSED = "Paused {title}, with {done} of {days} days done."
    CONFIRM_PROGRAM_LEAVE = "Leave your program for good? Say yes or no."
    PROGRAM_LEFT = "You have left {title}."
    CONFIRM_PROGRAM_RESUME = "Carry on with your program? Say yes or no."
    PROGRAM_RESUMED = "Carrying on with {title}, with {done} of {days} days done."
    PROGRAMS = "{count}: {titles}."
    PROGRAM_NOW = "You are on {title}, with {done} of {days} days done."
    PROGRAM_NOW_PAUSED = "{title} is paused, with {done} of {days} days done."
    CONFIRM_PROMPT_ADD = "Add your own prompt: {text}? Say yes or no."
    PROMPT_ADDED = "Added. It will come up among your prompts."
    CONFIRM_GOAL_DONE = "Mark your goal {title} as done? Say yes or no."
    GOAL_DONE = "Well done. {title} is marked as done."
    CONFIRM_GOAL_PAUSE = "Pause your goal {title}? Say yes or no."
    GOAL_PAUSED = "{title} is paused."
    CONFIRM_REMINDERS_PAUSE = "Pause all your reminders? Say yes or no."
    REMINDERS_PAUSED = "Your reminders are paused. Say turn my reminders back on to have them again."
    CONFIRM_REMINDERS_RESUME = "Turn your reminders back on? Say yes or no."
    REMINDERS_RESUMED = "Your reminders are on again."
    CONFIRM_REMINDERS_REMOVE = "Remove all your reminders for good? Say yes or no."
    CONFIRM_REMINDERS_REMOVE_ON = "Remove your reminders on {days} for good? Say yes or no."
    REMINDERS_REMOVED = "Removed: {count}."
    MUTUAL_NONE = ("There are no answers to hear yet. You hear each other's answers to a "
                   "question for you both once you have both answered.")
    MUTUAL_QUESTION = "The question was: {prompt}"
    MUTUAL_THEIRS = "{partner} answered:"
    MUTUAL_YOURS = "You answered:"
    CHART = "Entries in each of the last {n} weeks: {values}."
    CHART_WEEK = "the week of {day}, {count}"
    LOCKED = ("Locked. I won't read your journal until you unlock it again. Your replies are "
              "still saved, sealed.")
    CONFIRM_INVITE = "Make an invite code for your partner? Say yes or no."
    INVITE_MADE = "Your invite code is {spelled}. Once more: {spelled}. It works until {until}."
    CONFIRM_JOIN = "Join your partner with the code {spelled}? Say yes or no."
    JOINED = "You are paired with {partner} now."
    NOTHING_CHANGED = "All right, nothing was changed."
    MUTUAL_INTRO = ("Here is a question for you both. {partner} hears your answer once they "
                    "have answered it too.")
    MUTUAL_SAVED = ("Your answer is in your shared journal. Once {partner} has answered too, "
                    "say hear our answers.")
    MUTUAL_NEEDS_PARTNER = "A question for both needs a partner. Say make an invite code to pair."

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
