"""Everything the voice loop says, in one place (wording and future translations live here)."""

from __future__ import annotations

from datetime import datetime

__all__ = ["P", "count_words", "greeting", "news", "saved"]

_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve"]


def count_words(n: int, singular: str, plural: str | None = None) -> str:
    word = _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)
    return f"{word} {singular if n == 1 else (plural or singular + 's')}"


def greeting(name: str, now: datetime) -> str:
    hour = now.hour
    part = "morning" if 5 <= hour < 12 else "afternoon" if 12 <= hour < 18 else "evening"
    return f"Good {part}, {name}."


def news(partner: str, count: int, since: datetime | None) -> str:
    when = f" since {since:%A}" if since is not None else ""
    what = count_words(count, "reflection")
    return f"{partner} shared {what} with you{when}. Would you like to hear {'it' if count == 1 else 'them'}?"


def saved(journal: str, words: int) -> str:
    where = "your private journal" if journal == "private" else "your shared journal"
    return f"Saved to {where}, {words} {'word' if words == 1 else 'words'}."


class P:
    """Fixed sentences."""

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
