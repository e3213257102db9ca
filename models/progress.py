"""Progress that celebrates small victories: streaks with a grace day, weekly figures, milestones.

The figures are a pure function of facts (``compute_progress(facts, today)``), so every
rule is tested on built histories; ``progress_for`` only gathers those facts from what the
person may see — their own entries (through the visibility rule), their responses to the
partner, and their couple's goal check-ins.

Streak rule: a streak is a run of journaled days in which no two days in a row were
quiet. One quiet day is a rest day and the streak carries on; two in a row end it. A
streak's length counts the days journaled, not the rest days. Today does not count as
quiet until it is over.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from confide.models import progress_text as text
from confide.models.tables import Entry, Goal, GoalCheckIn, Person, Response
from confide.models.visibility import entry_visible, viewer_for

__all__ = [
    "CheckInFact",
    "EntryFact",
    "GoalFact",
    "GoalRatings",
    "Milestone",
    "Progress",
    "ProgressFacts",
    "RatingPoint",
    "WeekFigure",
    "compute_progress",
    "new_milestones",
    "progress_as_dict",
    "progress_for",
    "summary_sentence",
]

log = logging.getLogger(__name__)

WEEKS_SHOWN = 8
HIGH_RATING = 4
HIGH_RATINGS_FOR_MILESTONE = 3
STREAK_MILESTONES = (7, 30)
NOT_JOURNALING = ("no_speech",)  # a recording of silence is not a day journaled
MILESTONE_RANK = ("first_entry", "first_response", "first_shared", "goal_rated_high",
                  "streak_7", "streak_30")  # the greater news last


@dataclass(frozen=True, slots=True)
class EntryFact:
    """One of the person's own entries: its local day, words, and whether it is shared."""

    day: date
    words: int
    shared: bool


@dataclass(frozen=True, slots=True)
class GoalFact:
    goal_id: int
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class CheckInFact:
    goal_id: int
    day: date
    rating: int
    by_me: bool


@dataclass(frozen=True, slots=True)
class ProgressFacts:
    """Everything the figures are computed from, already limited to what the person may see."""

    entries: list[EntryFact] = field(default_factory=list)
    responses: list[date] = field(default_factory=list)  # days they answered their partner
    goals: list[GoalFact] = field(default_factory=list)
    checkins: list[CheckInFact] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WeekFigure:
    """Entries and words in one ISO week (Monday to Sunday)."""

    week_start: date
    iso_year: int
    iso_week: int
    entries: int
    words: int


@dataclass(frozen=True, slots=True)
class RatingPoint:
    day: date
    rating: int
    by_me: bool


@dataclass(frozen=True, slots=True)
class GoalRatings:
    """A goal's check-in ratings over time (both partners'), oldest first."""

    goal_id: int
    title: str
    status: str
    points: list[RatingPoint]
    average: float | None
    latest: int | None


@dataclass(frozen=True, slots=True)
class Milestone:
    """A small victory, reached once on ``reached_on``; ``key`` is stable for "announced"."""

    key: str
    title: str
    reached_on: date


@dataclass(frozen=True, slots=True)
class Progress:
    today: date
    current_streak: int
    longest_streak: int
    journaled_today: bool
    rest_day_yesterday: bool
    days_journaled_last_7: int
    total_entries: int
    total_words: int
    shared_count: int
    private_count: int
    weeks: list[WeekFigure]
    goals: list[GoalRatings]
    milestones: list[Milestone]


def _runs(days: list[date]) -> list[list[date]]:
    """Journaled days split into streaks: a gap of two or more quiet days starts a new one."""
    runs: list[list[date]] = []
    for day in days:
        if runs and (day - runs[-1][-1]).days <= 2:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _weeks(entries: list[EntryFact], today: date) -> list[WeekFigure]:
    this_monday = today - timedelta(days=today.weekday())
    figures: list[WeekFigure] = []
    for back in range(WEEKS_SHOWN - 1, -1, -1):
        start = this_monday - timedelta(weeks=back)
        end = start + timedelta(days=7)
        inside = [e for e in entries if start <= e.day < end]
        iso = start.isocalendar()
        figures.append(WeekFigure(start, iso.year, iso.week, len(inside),
                                  sum(e.words for e in inside)))
    return figures


def _goal_ratings(facts: ProgressFacts, today: date) -> list[GoalRatings]:
    result: list[GoalRatings] = []
    for goal in facts.goals:
        points = sorted(
            (RatingPoint(c.day, c.rating, c.by_me) for c in facts.checkins
             if c.goal_id == goal.goal_id and c.day <= today),
            key=lambda p: p.day,
        )
        average = round(sum(p.rating for p in points) / len(points), 2) if points else None
        result.append(GoalRatings(goal.goal_id, goal.title, goal.status, points, average,
                                  points[-1].rating if points else None))
    return result


def _milestones(facts: ProgressFacts, days: list[date], runs: list[list[date]],
                goals: list[GoalRatings], today: date) -> list[Milestone]:
    found: list[Milestone] = []
    titles = text.MILESTONE_TITLES
    if days:
        found.append(Milestone("first_entry", titles["first_entry"], days[0]))
    shared_days = sorted(e.day for e in facts.entries if e.shared and e.day <= today)
    if shared_days:
        found.append(Milestone("first_shared", titles["first_shared"], shared_days[0]))
    response_days = sorted(d for d in facts.responses if d <= today)
    if response_days:
        found.append(Milestone("first_response", titles["first_response"], response_days[0]))
    for length in STREAK_MILESTONES:
        reached = next((run[length - 1] for run in runs if len(run) >= length), None)
        if reached is not None:
            found.append(Milestone(f"streak_{length}", titles[f"streak_{length}"], reached))
    for goal in goals:
        high = [p.day for p in goal.points if p.rating >= HIGH_RATING]
        if len(high) >= HIGH_RATINGS_FOR_MILESTONE:
            found.append(Milestone(
                f"goal_rated_high_{goal.goal_id}",
                titles["goal_rated_high"].format(title=goal.title),
                high[HIGH_RATINGS_FOR_MILESTONE - 1],
            ))
    found.sort(key=lambda m: (m.reached_on, m.key))
    return found


def compute_progress(facts: ProgressFacts, today: date) -> Progress:
    """All progress figures as of ``today`` (the person's local date); pure."""
    entries = [e for e in facts.entries if e.day <= today]
    days = sorted({e.day for e in entries})
    runs = _runs(days)
    longest = max((len(r) for r in runs), default=0)
    current = 0
    if runs and (today - runs[-1][-1]).days <= 2:
        current = len(runs[-1])
    journaled = set(days)
    yesterday = today - timedelta(days=1)
    last_7 = sum(1 for d in days if (today - d).days < 7)
    goals = _goal_ratings(facts, today)
    shared = sum(1 for e in entries if e.shared)
    return Progress(
        today=today,
        current_streak=current,
        longest_streak=longest,
        journaled_today=today in journaled,
        rest_day_yesterday=current > 0 and yesterday not in journaled
        and runs[-1][0] < yesterday,
        days_journaled_last_7=last_7,
        total_entries=len(entries),
        total_words=sum(e.words for e in entries),
        shared_count=shared,
        private_count=len(entries) - shared,
        weeks=_weeks(entries, today),
        goals=goals,
        milestones=_milestones(facts, days, runs, goals, today),
    )


def new_milestones(progress: Progress, already_announced: set[str]) -> list[Milestone]:
    """Milestones not yet announced; the caller remembers the keys it has announced."""
    return [m for m in progress.milestones if m.key not in already_announced]


def summary_sentence(progress: Progress) -> str:
    """One warm spoken sentence about the person's progress; a quiet day is never scolded."""
    p = progress
    count = p.days_journaled_last_7
    days = text.ALL_SEVEN if count >= 7 else text.DAYS_OF_SEVEN.format(days=count)
    if p.total_entries == 0:
        sentence = text.SUMMARY_NOTHING_YET
    elif p.current_streak == 0:
        sentence = (text.SUMMARY_QUIET_DAYS.format(days=days) if count
                    else text.SUMMARY_BACK_AGAIN.format(
                        entries=p.total_entries,
                        entries_word=text.ENTRY_WORD[p.total_entries != 1]))
    elif p.rest_day_yesterday:
        sentence = text.SUMMARY_REST_YESTERDAY.format(days=days)
    elif p.journaled_today and p.current_streak == 1:
        first = next((m for m in p.milestones if m.key == "first_entry"), None)
        sentence = (text.SUMMARY_FIRST_DAY if first is not None and first.reached_on == p.today
                    else text.SUMMARY_BACK_TODAY)
    elif p.journaled_today:
        sentence = text.SUMMARY_STREAK_TODAY.format(days=days, streak=p.current_streak)
    elif p.current_streak == 1:
        sentence = text.SUMMARY_OPEN_TODAY_SHORT
    else:
        sentence = text.SUMMARY_OPEN_TODAY.format(days=days, streak=p.current_streak)
    # A milestone reached today is the news of the day (the first entry has its own line).
    reached_today = sorted(
        (m for m in p.milestones if m.reached_on == p.today and m.key != "first_entry"),
        key=lambda m: MILESTONE_RANK.index(
            "goal_rated_high" if m.key.startswith("goal_rated_high") else m.key),
    )
    if reached_today:
        sentence = text.SUMMARY_MILESTONE.format(milestone=reached_today[-1].title)
    return sentence


def progress_as_dict(progress: Progress) -> dict[str, Any]:
    """The figures as JSON-ready values (dates as ISO strings)."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    result: dict[str, Any] = plain(asdict(progress))
    result["summary"] = summary_sentence(progress)
    return result


def _zone(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("person %s has an unknown time zone %r; using UTC", person.id,
                    person.timezone)
        return ZoneInfo("UTC")


def progress_for(session: Session, person: Person, now: datetime) -> Progress:
    """Gather what the person may see and compute their progress as of ``now``."""
    zone = _zone(person)
    viewer = viewer_for(session, person)

    def local_day(moment: datetime) -> date:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(zone).date()

    own = session.exec(
        select(Entry.created_at, Entry.word_count, Entry.journal_id).where(
            entry_visible(viewer), Entry.author_id == viewer.person_id,
            col(Entry.status).not_in(NOT_JOURNALING),
        )
    ).all()
    entries = [EntryFact(local_day(at), words or 0, jid == viewer.shared_journal_id)
               for at, words, jid in own]
    responses = [local_day(at) for at in session.exec(
        select(Response.created_at).join(Entry, col(Entry.id) == col(Response.entry_id)).where(
            Response.author_id == viewer.person_id, Entry.author_id != viewer.person_id,
            entry_visible(viewer),
        )
    ).all()]
    goals: list[GoalFact] = []
    checkins: list[CheckInFact] = []
    if person.couple_id is not None:
        for goal in session.exec(select(Goal).where(Goal.couple_id == person.couple_id)
                                 .order_by(col(Goal.created_at), col(Goal.id))):
            assert goal.id is not None
            goals.append(GoalFact(goal.id, goal.title, goal.status))
        rows = session.exec(
            select(GoalCheckIn).join(Goal, col(Goal.id) == col(GoalCheckIn.goal_id))
            .where(Goal.couple_id == person.couple_id)
        ).all()
        checkins = [CheckInFact(c.goal_id, local_day(c.created_at), c.rating,
                                c.person_id == viewer.person_id) for c in rows]
    facts = ProgressFacts(entries, responses, goals, checkins)
    return compute_progress(facts, local_day(now))
