"""The voice station: a long-running, quiet loop that speaks a person's reminders on time.

At a reminder's time it says so ("It's eight o'clock — ready for tonight's reflection? Say
yes, or later"); "yes" runs the voice loop, "later" snoozes that one occurrence, "no" lets
it be, and silence falls back to a desktop notification. When the partner has shared
something new since the last time the station spoke, it says so first. What is said and what
an answer leads to are pure functions (voice.dialog_station); this loop reads the journal
and the clock and carries them out. The clock, speech, listening, the session and
notifications are all injected, so tests run in no time and the lead wires in the real
speaker, microphone and transcriber.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from confide.models.couples import partner_of
from confide.models.entries import news_for
from confide.models.errors import ConfideError
from confide.models.reminders import due_reminders, list_reminders, next_fire_of, snooze_reminder
from confide.models.tables import Person
from confide.voice.dialog_events import Notify, RunSession, Say, Snooze
from confide.voice.dialog_station import (
    KIND_ORDER,
    NOTIFY_TITLES,
    PART_OF_DAY,
    PROMPTS,
    Answer,
    announce,
    lead_kind,
    news_say,
    on_answer,
    prompt_say,
    snoozed,
)
from confide.voice.phrases import P, render, spoken_time

__all__ = [
    "Answer",
    "Clock",
    "Station",
    "SystemClock",
    "news_sentence",
    "prompt_sentence",
    "spoken_time",
]

log = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager[Session]]

# The station's sentences are in the voice's catalog (voice.phrases.P: STATION_*, NOTIFY_*);
# which one a reminder or an answer leads to is decided in voice.dialog_station.
__all__ += ["KIND_ORDER", "NOTIFY_TITLES", "PART_OF_DAY", "PROMPTS"]


class Clock(Protocol):
    """Time for the station: what time it is, and waiting (instant in tests)."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock; ``sleep`` wakes early when ``stop_event`` is set (a clean shutdown)."""

    def __init__(self, stop_event: threading.Event | None = None) -> None:
        self.stop_event = stop_event or threading.Event()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        self.stop_event.wait(max(0.0, seconds))


def _said(say: Say) -> str:
    return render(say.key, dict(say.params))


def news_sentence(partner: str | None, count: int) -> str:
    """"Sam shared something new with you." (empty when there is nothing new)."""
    say = news_say(partner, count)
    return _said(say) if say is not None else ""


def prompt_sentence(kind: str, local: time, *, partner: str | None = None,
                    news_count: int = 0) -> str:
    """What the station says when a reminder of ``kind`` fires at local time ``local``."""
    return _said(prompt_say(kind, local, partner=partner, news_count=news_count))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class _Due:
    reminder_id: int
    kind: str
    timezone: str
    at: datetime


class Station:
    """The idle loop for one person's voice station (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        speak: Callable[[str], None],
        listen_yes_no_later: Callable[[float], Answer],
        run_session: Callable[[Person], None],
        notify: Callable[[str, str], object],
        *,
        sessions: SessionFactory,
        person_id: int,
        snooze_minutes: int = 15,
        answer_timeout_s: float = 20.0,
        poll_s: float = 60.0,
        stale_after: timedelta = timedelta(minutes=30),
    ) -> None:
        self.clock = clock
        self.speak = speak
        self.listen = listen_yes_no_later
        self.run_session = run_session
        self.notify = notify
        self.sessions = sessions
        self.person_id = person_id
        self.snooze_minutes = snooze_minutes
        self.answer_timeout_s = answer_timeout_s
        self.poll_s = poll_s
        self.stale_after = stale_after
        self._last_check: datetime | None = None
        self._announced: set[int] = set()
        self._stopped = False

    # -- the loop ------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the loop to end after what it is doing now."""
        self._stopped = True

    def run(self, *, until: datetime | None = None) -> None:
        """Idle, firing reminders on time, until ``stop()`` (or ``until``, for tests)."""
        self._stopped = False
        if self._last_check is None:
            self._last_check = self.clock.now()
        log.info("voice station started for person %s", self.person_id)
        while not self._stopped:
            now = self.clock.now()
            if until is not None and now >= until:
                break
            try:
                self.tick()
            except ConfideError:
                log.exception("the station could not check reminders; trying again shortly")
            wait = self.seconds_until_next(self.clock.now())
            if until is not None:
                wait = min(wait, max(0.0, (until - self.clock.now()).total_seconds()))
            self.clock.sleep(wait)
        log.info("voice station stopped")

    def seconds_until_next(self, now: datetime) -> float:
        """How long to idle: until the next fire, but at most ``poll_s`` to see new reminders."""
        with self.sessions() as session:
            person = session.get(Person, self.person_id)
            if person is None:
                return self.poll_s
            fires = [t for t in (next_fire_of(r, now) for r in list_reminders(session, person))
                     if t is not None]
        if not fires:
            return self.poll_s
        return max(0.0, min(self.poll_s, (min(fires) - now).total_seconds()))

    def tick(self) -> None:
        """Handle everything due since the last look, each occurrence once."""
        now = self.clock.now()
        since = self._last_check if self._last_check is not None else now
        self._last_check = now
        with self.sessions() as session:
            person = session.get(Person, self.person_id)
            if person is None:
                log.error("the station's person %s no longer exists", self.person_id)
                return
            due = [_Due(r.id, r.kind, r.timezone, at)
                   for r, at in due_reminders(session, now, since=since, person=person)
                   if r.id is not None]
        for at in sorted({d.at for d in due}):
            group = [d for d in due if d.at == at]
            if now - at > self.stale_after:
                log.info("skipping %d reminder(s) due at %s: too long ago to speak", len(group),
                         at.isoformat())
                continue
            if self._handle(group):
                break  # a journaling session ran; whatever else was due is covered by it

    # -- one interaction -----------------------------------------------------------------
    def _handle(self, group: list[_Due]) -> bool:
        """Speak one prompt for reminders due at the same moment; True if a session ran."""
        group.sort(key=lambda d: KIND_ORDER.index(d.kind) if d.kind in KIND_ORDER else 0)
        with self.sessions() as session:
            person = session.get(Person, self.person_id)
            if person is None:
                return False
            news = [e.id for e in news_for(session, person)
                    if e.id is not None and e.id not in self._announced]
            partner = partner_of(session, person)
            partner_name = partner.name if partner is not None else None
        kind = lead_kind([d.kind for d in group], len(news))
        if kind is None:
            log.info("partner-shared reminder at %s: nothing new, staying quiet",
                     group[0].at.isoformat())
            return False
        lead = next(d for d in group if d.kind == kind)
        local = self.clock.now().astimezone(_zone(lead.timezone)).time().replace(
            second=0, microsecond=0)
        said = announce([kind], local, partner=partner_name, news_count=len(news))
        self._announced.update(news)
        self.speak(" ".join(_said(s) for s in said))
        answer = self.listen(self.answer_timeout_s)
        log.info("reminder %s (%s): answer %r", lead.reminder_id, lead.kind, answer)
        for effect in on_answer(lead.kind, answer):
            if isinstance(effect, RunSession):
                self._run_session()
                return True
            if isinstance(effect, Snooze):
                self._snooze(group)
            elif isinstance(effect, Say):
                self.speak(_said(effect))
            elif isinstance(effect, Notify):
                self.notify(str(effect.title), str(effect.body))
        return False

    def _run_session(self) -> None:
        with self.sessions() as session:
            person = session.get(Person, self.person_id)
        if person is None:
            return
        try:
            self.run_session(person)
        except Exception:  # a failed session must not end the station
            log.exception("the voice session ended with an error")
            self.speak(str(P.STATION_SESSION_TROUBLE))
        # Reminders that came due while they were journaling are not asked again.
        self._last_check = max(self._last_check or self.clock.now(), self.clock.now())

    def _snooze(self, group: list[_Due]) -> None:
        now = self.clock.now()
        until: datetime | None = None
        with self.sessions() as session:
            person = session.get(Person, self.person_id)
            if person is None:
                return
            for due in group:
                try:
                    moved = snooze_reminder(session, person, due.reminder_id,
                                            self.snooze_minutes, now, occurrence=due.at)
                except ConfideError as exc:
                    log.warning("could not snooze reminder %s: %s", due.reminder_id, exc)
                    continue
                until = moved.snoozed_until
        if until is not None:
            local = until.astimezone(_zone(group[0].timezone)).time()
            self.speak(_said(snoozed(local)))
