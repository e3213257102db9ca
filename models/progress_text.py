"""Every sentence progress tracking says or prints, in one place for wording and translation.

The tone is the product's: consistency is celebrated, a quiet day is named gently and
never scolded. Tests check that no sentence here blames (no "missed", "failed", "broke").
"""

from __future__ import annotations

__all__ = [
    "ALL_SEVEN",
    "DAYS_OF_SEVEN",
    "ENTRY_WORD",
    "MILESTONE_TITLES",
    "SUMMARY_BACK_AGAIN",
    "SUMMARY_BACK_TODAY",
    "SUMMARY_FIRST_DAY",
    "SUMMARY_MILESTONE",
    "SUMMARY_NOTHING_YET",
    "SUMMARY_OPEN_TODAY",
    "SUMMARY_OPEN_TODAY_SHORT",
    "SUMMARY_QUIET_DAYS",
    "SUMMARY_REST_YESTERDAY",
    "SUMMARY_STREAK_TODAY",
]

MILESTONE_TITLES = {
    "first_entry": "your first entry",
    "first_shared": "your first shared reflection",
    "first_response": "your first response to your partner",
    "streak_7": "a 7-day streak",
    "streak_30": "a 30-day streak",
    "goal_rated_high": "“{title}” rated 4 or more three times",
}

# Summary sentences: one is chosen by the facts, then filled in. Each is one sentence.
SUMMARY_NOTHING_YET = (
    "Your journal is ready whenever you are — one small reflection is a lovely way to begin."
)
DAYS_OF_SEVEN = "{days} of the last 7 days"
ALL_SEVEN = "every one of the last 7 days"
SUMMARY_FIRST_DAY = "You journaled today — a good start, and every reflection counts."
SUMMARY_BACK_TODAY = "Welcome back — you journaled today, and every reflection counts."
SUMMARY_STREAK_TODAY = (
    "You journaled {days}, today included — a streak of {streak} days worth being proud of."
)
SUMMARY_REST_YESTERDAY = "You journaled {days} — yesterday was a rest day, and that's fine."
SUMMARY_OPEN_TODAY = (
    "You journaled {days} — a streak of {streak} days, and today is still open whenever "
    "you're ready."
)
SUMMARY_OPEN_TODAY_SHORT = (
    "You journaled yesterday — today is still open whenever you're ready."
)
SUMMARY_QUIET_DAYS = (
    "You journaled {days} — quiet days are part of it, and you can pick up again whenever "
    "you're ready."
)
SUMMARY_BACK_AGAIN = (
    "Welcome back — you've made {entries} {entries_word} so far, and today is a fine day "
    "to add another."
)
SUMMARY_MILESTONE = (
    "Today you reached a milestone, {milestone} — a small victory worth celebrating!"
)
ENTRY_WORD = ("entry", "entries")
