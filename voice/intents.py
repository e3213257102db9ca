"""What a person asks for at a listening point: an intent and its slots (pure functions).

The short commands of voice.commands (repeat, skip, slower, share it, delete that, …) come
first; everything else is matched against the sentence templates of voice/data/intents.yaml
with Home Assistant's hassil. Its wildcard slots are turned into values here — dates and
ranges ("this week", "on Tuesday", "in October", with dateparser for the rest), days and
times ("every Monday and Thursday at eight pm"), numbers, the partner or oneself — and a
match whose slot means nothing is dropped, so a whole journal sentence is never a command.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from confide.voice.commands import Command, normalise, recognise

__all__ = ["REQUEST_HINT", "Intent", "date_range", "invite_code", "parse_days", "parse_number", "parse_time",
           "understand"]

_DATA = Path(__file__).parent / "data" / "intents.yaml"
REQUEST_HINT = ("Read my last entry. What did {partner} share this week? Find what I said about "
                "trust. Tag it. Set the mood. Make it private. Read the answers. Change the "
                "words. Start the listening week. Pause my program. Add a prompt. Add a goal. "
                "Mark my goal done. Pause my reminders. Remind me every Monday at 8 pm. Hear "
                "our answers. Read me my chart. Lock my journal. Make an invite code. Slower. "
                "Faster. Share it. Help.")
"""Sentences of the requests, one per kind: Whisper's prompt while a request is heard
(the speech engine leans toward these words; voice.listener)."""
_MAX_WORDS = 16
_FILLERS = {"um", "umm", "uh", "uhh", "er", "erm", "hmm", "mm", "ah", "please", "confide"}
_LEAD_INS = ("so", "okay", "ok", "well", "hey", "now", "oh", "alright", "and", "could you",
             "can you", "would you", "will you", "go ahead and", "i would like you to",
             "i want you to", "yeah", "yes", "actually")
_FIRST = {"hear_news"}
"""Where the same words match two templates equally, these win ("hear Sam's reflections"
is the news, not a look back at everything Sam shared)."""
_MISHEARD_LEADS = ("i am", "i will", "i'll", "of", "let us", "at", "that")
_ME = {"i", "me", "myself", "my", "mine", "my own"}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_SMALL = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
     "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
     "eighteen", "nineteen"))}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_DAY_WORDS = {**{d: i for i, d in enumerate(_WEEKDAYS)},
              **{d + "s": i for i, d in enumerate(_WEEKDAYS)},
              "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
              "fri": 4, "sat": 5, "sun": 6, "wednesdays": 2, "thursdays": 3}


@dataclass(frozen=True, slots=True)
class Intent:
    """An intent's name (a voice.commands name for the short commands) and its slots."""

    name: str
    slots: Mapping[str, Any] = field(default_factory=dict)


# -- the text ---------------------------------------------------------------------------------
def clean(text: str) -> str:
    """Lower case, no punctuation, contractions spelled out, fillers and lead-ins gone,
    "p.m." as "pm"."""
    words = [w for w in normalise(text).split() if w not in _FILLERS]
    cleaned = " ".join(words)
    cleaned = re.sub(r"\b([ap]) m\b", r"\1m", cleaned)
    cleaned = re.sub(r"\b(\d+)(am|pm)\b", r"\1 \2", cleaned)
    changed = True
    while changed:
        changed = False
        for lead in _LEAD_INS:
            if cleaned.startswith(lead + " "):
                cleaned, changed = cleaned[len(lead) + 1:], True
    return cleaned.strip()


@functools.cache
def _templates() -> Any:
    from hassil import Intents

    with _DATA.open(encoding="utf-8") as fh:
        return Intents.from_yaml(fh)


# -- slot values ------------------------------------------------------------------------------
def parse_number(words: str) -> int | None:
    """ "two hundred", "150", "four hundred and fifty" → an integer; None if not a number."""
    tokens = [t for t in words.replace("-", " ").split() if t != "and"]
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    total = current = 0
    for word in tokens:
        if word.isdigit():
            current += int(word)
        elif word in _SMALL:
            current += _SMALL[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total, current = total + (current or 1) * 1000, 0
        else:
            return None
    return total + current


def parse_days(words: str) -> list[int] | None:
    """ "monday and thursday", "every day", "weekdays" → days, 0 = Monday."""
    words = re.sub(r"^(?:every|on|each|at)\s+", "", words.strip())
    if words in ("day", "every day", "daily", "night", "every night", "evening", "each day"):
        return list(range(7))
    if words in ("weekday", "weekdays", "week days", "work days", "workdays"):
        return list(range(5))
    if words in ("weekend", "weekends", "the weekend", "the weekends"):
        return [5, 6]
    days: set[int] = set()
    for token in re.split(r"[\s,]+", words):
        if token in ("and", "every", "on", "or", "each", "", "night", "nights", "evening",
                     "evenings", "morning", "mornings"):
            continue
        if token not in _DAY_WORDS:
            return None
        days.add(_DAY_WORDS[token])
    return sorted(days) or None


def parse_time(words: str) -> str | None:
    """ "eight pm", "8 30 pm", "half past eight in the evening", "20 00" → "HH:MM"."""
    text = re.sub(r"\bo'?clock\b", "", words).strip()
    morning = bool(re.search(r"\b(am|in the morning)\b", text))
    evening = bool(re.search(r"\b(in the evening|at night|tonight|in the afternoon)\b", text)
                   or (re.search(r"\bpm\b", text) and "in the morning" not in text))
    # "9 pm in the morning": the words win over "pm", which the request hint leads
    # Whisper to write (voice.intents.REQUEST_HINT says "8 pm")
    text = re.sub(r"\b(pm|am|in the evening|at night|tonight|in the afternoon|in the morning)\b",
                  "", text).strip()
    text = re.sub(r"^(\d{1,2})(\d{2})$", r"\1 \2", text)  # "2000", "830 pm"
    half = re.fullmatch(r"(half|quarter) (past|to) (.+)", text)
    minute = 0
    if half:
        hour = parse_number(half.group(3))
        if hour is None:
            return None
        minute = 30 if half.group(1) == "half" else 15
        if half.group(2) == "to":
            hour, minute = hour - 1, 60 - minute
    else:
        tokens = text.split()
        if not tokens or len(tokens) > 3:
            return None
        hour_value = parse_number(tokens[0])
        minute_value = parse_number(" ".join(tokens[1:])) if len(tokens) > 1 else 0
        if tokens[1:2] == ["oh"]:
            minute_value = parse_number(" ".join(tokens[2:]))
        if hour_value is None or minute_value is None:
            return None
        hour, minute = hour_value, minute_value
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if evening and hour < 12:
        hour += 12
    elif morning and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


_RANGE_WORDS = {"today", "yesterday", "this week", "last week", "this month", "last month",
                "this year", "last year", "the past week", "past week", "the last week",
                "recently", "lately"}


def _when_words(words: str) -> str:
    return re.sub(r"^(?:on|in|from|during|of)\s+", "", words.strip())


def date_range(words: str, today: date) -> tuple[date, date] | None:
    """The days ``words`` name, first and last included, seen from ``today``: "this week"
    (Monday to today), "last week", "on Tuesday" (the latest Tuesday), "in October" (the
    latest October), "yesterday", else whatever day, month or year dateparser reads."""
    words = _when_words(words)
    monday = today - timedelta(days=today.weekday())
    if words == "today":
        return today, today
    if words == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if words in ("this week", "recently", "lately"):
        return monday, today
    if words in ("last week", "the past week", "past week", "the last week"):
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if words == "this month":
        return today.replace(day=1), today
    if words == "last month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if words == "this year":
        return today.replace(month=1, day=1), today
    if words == "last year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    day_name = re.fullmatch(r"(?:last |this |on )?(\w+?)s?", words)
    if day_name and day_name.group(1) in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(day_name.group(1))) % 7
        if words.startswith("last ") and back == 0:
            back = 7
        day = today - timedelta(days=back)
        return day, day
    month_name = re.fullmatch(r"(?:last |this )?(\w+)(?: (\d{4}))?", words)
    if month_name and month_name.group(1) in _MONTHS:
        month = _MONTHS.index(month_name.group(1)) + 1
        year = int(month_name.group(2)) if month_name.group(2) else (
            today.year if month <= today.month else today.year - 1)
        start = date(year, month, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return start, end
    return _dateparser_range(words, today)


def _dateparser_range(words: str, today: date) -> tuple[date, date] | None:
    if not re.search(r"\d|ago|\bthe\b", words):
        return None  # dateparser reads far too much ("may", "second") as a date
    from dateparser.date import DateDataParser

    settings = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True,
                "RELATIVE_BASE": datetime.combine(today, datetime.min.time())}
    found = DateDataParser(languages=["en"], settings=settings).get_date_data(words)
    if found is None or found.date_obj is None:
        return None
    day = found.date_obj.date()
    if found.period == "month":
        start = day.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if found.period == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


_WORD_SLOTS = {"tag": (1, 4), "text": (3, 30), "goal": (1, 10)}
"""Free-word slots and how many words each may hold."""
_NOT_WORDS = {"it", "this", "that", "one", "a", "the", "me", "them"}
_CODE_DIGITS = {"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "to": "2", "too": "2", "for": "4"}


def invite_code(words: str) -> str | None:
    """ "abcd 2345", "w x y z six seven eight nine", "kmnp-3456" → "ABCD-2345"; None unless
    eight letters and digits are heard (the domain checks the code itself)."""
    tokens = re.split(r"[\s-]+", words.strip())
    chars = "".join(_CODE_DIGITS.get(t, t) for t in tokens if t).upper()
    if len(chars) != 8 or not chars.isalnum():
        return None
    return f"{chars[:4]}-{chars[4:]}"


# -- matching ---------------------------------------------------------------------------------
def _slots(name: str, raw: Mapping[str, Any], today: date) -> dict[str, Any] | None:
    """The slots of a template match as values; None when one of them means nothing."""
    slots: dict[str, Any] = {}
    for key, value in raw.items():
        text = str(value).strip() if isinstance(value, str) else value
        if key == "person":
            words = str(text)
            if len(words.split()) > 3 or words in ("the", "a", "it", "that", "this", "you"):
                return None
            slots["who"] = "me" if words in _ME else "partner"
        elif key == "when":
            if date_range(str(text), today) is None:
                return None
            slots["when"] = _when_words(str(text))
        elif key == "about":
            about = re.sub(r"^(?:the word|the words|a|an)\s+", "", str(text)).strip()
            if not about or len(about.split()) > 6:
                return None
            slots["about"] = about
        elif key == "days":
            days = parse_days(str(text))
            if days is None:
                return None
            slots["days"] = days
        elif key == "time":
            at = parse_time(str(text))
            if at is None:
                return None
            slots["time"] = at
        elif key == "rate":
            rate = parse_number(str(text))
            if rate is None or not 40 <= rate <= 600:
                return None
            slots["rate"] = rate
        elif key == "title":
            title = str(text).strip()
            if not title or len(title.split()) > 12:
                return None
            slots["title"] = title
        elif key in _WORD_SLOTS:
            words = str(text).strip()
            low, high = _WORD_SLOTS[key]
            if not low <= len(words.split()) <= high or words in _NOT_WORDS:
                return None
            slots[key] = words
        elif key == "code":
            code = invite_code(str(text))
            if code is None:
                return None
            slots["code"] = code
        elif key == "nth":
            slots["n"] = int(value)
        elif key == "latest":
            slots["latest"] = value is True or str(value).lower() == "true"
        else:
            slots[key] = value
    if name == "hear_news":
        slots.pop("who", None)
    if name in ("answer_it", "play_voice", "share", "answers_it", "mutual_answers", "join"):
        slots = {k: v for k, v in slots.items() if k == "code"}
    return slots


def _once(cleaned: str) -> str:
    """A request written down twice ("read my last entry read my last entry": Whisper, led
    on by the request hint, can repeat what it heard) as the one request it is."""
    words = cleaned.split()
    half = len(words) // 2
    return " ".join(words[:half]) if half >= 2 and words[:half] == words[half:] else cleaned


def understand(text: str, *, today: date | None = None) -> Intent | None:
    """The intent of a short utterance, or None (a sentence of a reflection is none)."""
    heard = recognise(text)
    if heard.command is not None and heard.command is not Command.NUMBER:
        return Intent(heard.command.value)
    cleaned = _once(clean(text))
    if cleaned and len(cleaned.split()) <= _MAX_WORDS:
        found = _match(cleaned, today or date.today())
        if found is not None:
            return found
    if heard.command is Command.NUMBER and heard.number is not None:
        return Intent(Command.NUMBER.value, {"n": heard.number})
    return None


def _match(cleaned: str, today: date) -> Intent | None:
    """The best template match; failing that, the same without a first word or two that
    tiny.en writes for a filler ("um" as "I'm", "uh" as "I'll" or "of")."""
    from hassil import recognize_all

    tries = [cleaned, *(cleaned[len(lead) + 1:] for lead in _MISHEARD_LEADS
                        if cleaned.startswith(lead + " "))]
    for text in tries:
        results = sorted(recognize_all(text, _templates()),
                         key=lambda r: (-r.text_chunks_matched, r.intent.name not in _FIRST))
        for result in results:
            raw = {k: v.value for k, v in result.entities.items()}
            slots = _slots(result.intent.name, raw, today)
            if slots is not None:
                return Intent(result.intent.name, slots)
    return None
