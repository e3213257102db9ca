"""What the voice station says at a reminder and does with the answer (pure functions).

The station (voice.station) reads the journal and the clock, then asks these: which reminder
leads and how it is said ("It's eight o'clock — ready for tonight's reflection? Say yes, or
later"), what the answer was ("yes", "later", "no", or nothing), and what follows: a voice
session, a snooze, a kind "all right", or a desktop notification instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Literal

from confide.voice.commands import Command, recognise
from confide.voice.dialog_events import Effect, Notify, RunSession, Say, Snooze
from confide.voice.phrases import P, part_of_day, spoken_time

__all__ = ["KIND_ORDER", "Answer", "announce", "answer_of", "news_say", "on_answer", "snoozed"]

Answer = Literal["yes", "later", "no"] | None
KIND_ORDER = ("reflection", "goal_checkin", "partner_shared")
PROMPTS = {"reflection": P.STATION_REFLECTION, "goal_checkin": P.STATION_GOAL_CHECKIN,
           "partner_shared": P.STATION_PARTNER_SHARED}
PART_OF_DAY = {"morning": P.STATION_PART_MORNING, "afternoon": P.STATION_PART_AFTERNOON,
               "evening": P.STATION_PART_EVENING}
NOTIFY_TITLES = {"reflection": P.NOTIFY_REFLECTION, "goal_checkin": P.NOTIFY_GOAL_CHECKIN,
                 "partner_shared": P.NOTIFY_PARTNER_SHARED}
_ANSWERS: dict[Command | None, Answer] = {Command.YES: "yes", Command.LATER: "later",
                                          Command.NO: "no"}


def answer_of(text: str) -> Answer:
    """What was said to a reminder: yes, later (snooze), no, or nothing we understood."""
    return _ANSWERS.get(recognise(text).command)


def news_say(partner: str | None, count: int) -> Say | None:
    """"Sam shared something new with you." (None when there is nothing new)."""
    if count <= 0:
        return None
    who = partner or str(P.STATION_PARTNER_FALLBACK)
    if count == 1:
        return Say(P.STATION_NEWS_ONE, {"partner": who})
    return Say(P.STATION_NEWS_MANY, {"partner": who, "count": count})


def prompt_say(kind: str, local: time, *, partner: str | None = None,
               news_count: int = 0) -> Say:
    """What the station says when a reminder of ``kind`` fires at local time ``local``."""
    news = news_say(partner, max(news_count, 1))
    assert news is not None
    return Say(PROMPTS.get(kind, P.STATION_REFLECTION),
               {"time": spoken_time(local), "part": PART_OF_DAY[part_of_day(local.hour)],
                "news": news.key.format(**news.params)})


def lead_kind(kinds: Sequence[str], news_count: int) -> str | None:
    """Of reminders due together, the one spoken (a partner-shared one only with news)."""
    wanted = sorted((k for k in kinds if k != "partner_shared" or news_count),
                    key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 0)
    return wanted[0] if wanted else None


def announce(kinds: Sequence[str], local: time, *, partner: str | None,
             news_count: int) -> list[Say]:
    """The sentences that ask, in order; none when nothing due is worth speaking."""
    kind = lead_kind(kinds, news_count)
    if kind is None:
        return []
    said = [prompt_say(kind, local, partner=partner, news_count=news_count)]
    news = news_say(partner, news_count)
    if news is not None and kind != "partner_shared":
        said.insert(0, news)
    return said


def on_answer(kind: str, answer: Answer) -> list[Effect]:
    """What follows the answer to a reminder of ``kind``."""
    if answer == "yes":
        return [RunSession()]
    if answer == "later":
        return [Snooze()]
    if answer == "no":
        return [Say(P.STATION_DECLINED)]
    return [Notify(NOTIFY_TITLES.get(kind, P.NOTIFY_REFLECTION), P.NOTIFY_BODY)]


def snoozed(local: time) -> Say:
    return Say(P.STATION_SNOOZED, {"time": spoken_time(local)})
