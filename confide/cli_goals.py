"""`confide goals`, `confide reminders` and `confide progress`: consistency, kept visible.

Each command opens one database session, acts as one person (``--as``, CONFIDE_PERSON, or
the only person), and turns a domain error into one line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.table import Table

from confide.cli_support import acting, fail

if TYPE_CHECKING:
    from confide.models.progress import Progress

__all__ = ["goals_app", "progress", "reminders_app", "render_chart_svg"]

log = logging.getLogger(__name__)

goals_app = typer.Typer(help="Mutual goals and their check-ins (a 1–5 rating and a note).",
                        no_args_is_help=True)
reminders_app = typer.Typer(help="Your reminders to journal: days, time, time zone; "
                                 "export them to a calendar.", no_args_is_help=True)

AsOption = Annotated[str | None, typer.Option("--as", help="Whose journal (a person's name).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table "
                                                         "(shape in README.md).")]

_out = Console()
_err = Console(stderr=True)

# Printed wording, kept together.
NO_GOALS = "No goals yet. Set one together: confide goals add \"No phones at dinner\""
NO_REMINDERS = "No reminders yet. Add one: confide reminders add --days mon,wed --at 20:00"
CHART_ONLY_SVG = "Charts are written as SVG: name the file with .svg, e.g. --chart progress.svg"
CHART_TITLE = "Journal entries per week"
CHART_DESC = "Bar chart of entries in each of the last {n} weeks, from {first} to {last}: {values}."
BARS = " ▁▂▃▄▅▆▇█"


def _now() -> datetime:
    return datetime.now(UTC)


# -- goals ------------------------------------------------------------------------------
@goals_app.command("list")
def goals_list(as_: AsOption = None, json_: JsonOption = False) -> None:
    """List your couple's goals with their latest and average ratings."""
    from confide.models.goals import list_checkins, list_goals

    with acting(as_) as (session, person):
        goals = list_goals(session, person)
        if json_:
            rows: list[dict[str, object]] = []
            for goal in goals:
                assert goal.id is not None
                ratings = [c.rating for c in list_checkins(session, person, goal.id)]
                rows.append({
                    "id": goal.id, "title": goal.title, "why": goal.why, "status": goal.status,
                    "created_at": goal.created_at.isoformat(), "checkins": len(ratings),
                    "latest": ratings[-1] if ratings else None,
                    "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
                    "ratings": ratings,
                })
            _print_json(rows)
            return
        if not goals:
            _out.print(NO_GOALS, highlight=False)
            return
        table = Table("id", "goal", "status", "check-ins", "latest", "average", "ratings",
                      title="Goals")
        for goal in goals:
            assert goal.id is not None
            ratings = [c.rating for c in list_checkins(session, person, goal.id)]
            table.add_row(
                str(goal.id), goal.title, goal.status, str(len(ratings)),
                str(ratings[-1]) if ratings else "–",
                f"{sum(ratings) / len(ratings):.1f}" if ratings else "–",
                "".join(BARS[r + 3] for r in ratings[-12:]),
            )
        _out.print(table)


@goals_app.command("add")
def goals_add(
    title: Annotated[str, typer.Argument(help="The goal, e.g. \"No phones at dinner\".")],
    why: Annotated[str, typer.Option("--why", help="Why it matters to you both.")] = "",
    as_: AsOption = None,
) -> None:
    """Set a goal together (it is shared with your partner)."""
    from confide.models.goals import create_goal

    with acting(as_) as (session, person):
        goal = create_goal(session, person, title, why)
        _out.print(f"Goal {goal.id} set: {goal.title}", highlight=False)


@goals_app.command("checkin")
def goals_checkin(
    goal: Annotated[int, typer.Argument(help="The goal's id (see confide goals list).")],
    rating: Annotated[int, typer.Argument(help="How it went, 1 (hard) to 5 (great).")],
    note: Annotated[str, typer.Option("--note", help="A word about why.")] = "",
    as_: AsOption = None,
) -> None:
    """Check in on a goal with a 1–5 rating and an optional note."""
    from confide.models.goals import add_checkin, get_goal

    with acting(as_) as (session, person):
        checkin = add_checkin(session, person, goal, rating, note)
        title = get_goal(session, person, goal).title
        _out.print(f"Checked in on “{title}”: {checkin.rating} of 5.", highlight=False)


@goals_app.command("done")
def goals_done(
    goal: Annotated[int, typer.Argument(help="The goal's id.")],
    as_: AsOption = None,
) -> None:
    """Mark a goal as done — well done, both of you."""
    from confide.models.goals import update_goal

    with acting(as_) as (session, person):
        done = update_goal(session, person, goal, status="done")
        _out.print(f"“{done.title}” is marked done.", highlight=False)


def _print_json(rows: list[dict[str, object]]) -> None:
    sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")


# -- reminders --------------------------------------------------------------------------
def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "–"
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M")


@reminders_app.command("list")
def reminders_list(as_: AsOption = None, json_: JsonOption = False) -> None:
    """List your reminders and when each fires next."""
    from confide.models.reminders import list_reminders, next_fire_of
    from confide.models.schedule import DAY_NAMES, rule_days_text

    with acting(as_) as (session, person):
        found = list_reminders(session, person)
        if json_:
            now = _now()
            rows: list[dict[str, object]] = []
            for r in found:
                snoozed = r.enabled and r.snoozed_until is not None and r.snoozed_until > now
                upcoming = next_fire_of(r, now)
                rows.append({
                    "id": r.id, "kind": r.kind, "days": [DAY_NAMES[d][:3].lower()
                                                         for d in sorted(r.days)],
                    "time": r.local_time, "timezone": r.timezone, "enabled": r.enabled,
                    "state": "snoozed" if snoozed else "on" if r.enabled else "paused",
                    "snoozed_until": r.snoozed_until.isoformat() if snoozed and r.snoozed_until
                    else None,
                    "next": upcoming.isoformat() if upcoming is not None else None,
                })
            _print_json(rows)
            return
        if not found:
            _out.print(NO_REMINDERS, highlight=False)
            return
        now = _now()
        table = Table("id", "kind", "days", "time", "time zone", "state", "next",
                      title="Reminders")
        for r in found:
            state = "on" if r.enabled else "paused"
            if r.enabled and r.snoozed_until is not None and r.snoozed_until > now:
                state = f"snoozed to {_local(r.snoozed_until, r.timezone)[-5:]}"
            table.add_row(str(r.id), r.kind.replace("_", " "), rule_days_text(r.days),
                          r.local_time, r.timezone, state,
                          _local(next_fire_of(r, now), r.timezone))
        _out.print(table)


@reminders_app.command("add")
def reminders_add(
    days: Annotated[str, typer.Option("--days", help="Days: mon,wed,fri, weekdays, weekends "
                                                     "or daily.")],
    at: Annotated[str, typer.Option("--at", help="Local time, HH:MM (24-hour).")],
    tz: Annotated[str | None, typer.Option("--tz", help="IANA time zone; yours by "
                                                        "default.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="reflection, goal_checkin or "
                                                     "partner_shared.")] = "reflection",
    as_: AsOption = None,
) -> None:
    """Add a reminder on some days of the week at a local time."""
    from confide.models.reminders import create_reminder, next_fire_of
    from confide.models.schedule import parse_days, rule_days_text

    with acting(as_) as (session, person):
        reminder = create_reminder(session, person, parse_days(days), at, tz,
                                   kind.replace("-", "_").lower())
        upcoming = _local(next_fire_of(reminder, _now()), reminder.timezone)
        _out.print(
            f"Reminder {reminder.id}: {rule_days_text(reminder.days)} at {reminder.local_time} "
            f"({reminder.timezone}); next {upcoming}.",
            highlight=False,
        )


def _set_enabled(reminder_id: int, enabled: bool, as_: str | None) -> None:
    from confide.models.reminders import update_reminder

    with acting(as_) as (session, person):
        update_reminder(session, person, reminder_id, enabled=enabled)
    _out.print(f"Reminder {reminder_id} {'resumed' if enabled else 'paused'}.", highlight=False)


@reminders_app.command("pause")
def reminders_pause(reminder_id: Annotated[int, typer.Argument(metavar="ID")],
                    as_: AsOption = None) -> None:
    """Pause a reminder (it stays, but never fires until resumed)."""
    _set_enabled(reminder_id, False, as_)


@reminders_app.command("resume")
def reminders_resume(reminder_id: Annotated[int, typer.Argument(metavar="ID")],
                     as_: AsOption = None) -> None:
    """Resume a paused reminder."""
    _set_enabled(reminder_id, True, as_)


@reminders_app.command("remove")
def reminders_remove(reminder_id: Annotated[int, typer.Argument(metavar="ID")],
                     as_: AsOption = None) -> None:
    """Remove a reminder for good."""
    from confide.models.reminders import delete_reminder

    with acting(as_) as (session, person):
        delete_reminder(session, person, reminder_id)
    _out.print(f"Reminder {reminder_id} removed.", highlight=False)


@reminders_app.command("export")
def reminders_export(as_: AsOption = None) -> None:
    """Print your reminders as an iCalendar file: confide reminders export > confide.ics"""
    from confide.models.reminders import reminders_ics

    with acting(as_) as (session, person):
        data = reminders_ics(session, person)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


# -- progress ---------------------------------------------------------------------------
def _bar_chart(p: Progress, width: int = 30) -> Table:
    top = max((w.entries for w in p.weeks), default=0)
    table = Table("week of", "entries", "", "words", title="Entries per week",
                  show_edge=False, box=None)
    for week in p.weeks:
        length = round(week.entries / top * width) if top else 0
        table.add_row(week.week_start.strftime("%d %b"), str(week.entries),
                      "█" * length or "·", str(week.words))
    return table


def render_chart_svg(p: Progress) -> str:
    """An accessible SVG bar chart of entries per week (titled, described, each bar labelled)."""
    weeks = p.weeks
    width, height, left, bottom, top_pad = 640, 260, 40, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max((w.entries for w in weeks), default=0) or 1
    slot = plot_w / max(len(weeks), 1)
    values = "; ".join(f"week of {w.week_start:%d %b} {w.entries}" for w in weeks)
    desc = CHART_DESC.format(n=len(weeks), first=f"{weeks[0].week_start:%d %b %Y}",
                             last=f"{weeks[-1].week_start:%d %b %Y}", values=values) \
        if weeks else CHART_TITLE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="chart-title">{escape(CHART_TITLE)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="18" font-size="14" fill="#1a1a1a">{escape(CHART_TITLE)}</text>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" '
        f'y2="{top_pad + plot_h}" stroke="#444444"/>',
    ]
    for i, week in enumerate(weeks):
        bar_h = week.entries / top * plot_h
        x = left + i * slot + slot * 0.15
        y = top_pad + plot_h - bar_h
        label = f"Week of {week.week_start:%d %b}: {week.entries} entries, {week.words} words"
        parts.append(
            f'<g><title>{escape(label)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
            'fill="#2b6cb0"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'fill="#1a1a1a">{week.entries}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{top_pad + plot_h + 16}" '
            f'text-anchor="middle" fill="#1a1a1a">{week.week_start:%d %b}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _print_progress(p: Progress, summary: str) -> None:
    _out.print(summary, highlight=False)
    table = Table("", "", title="Progress", show_header=False)
    this_week = p.weeks[-1] if p.weeks else None
    table.add_row("Current streak", _count(p.current_streak, "day"))
    table.add_row("Longest streak", _count(p.longest_streak, "day"))
    table.add_row("Last 7 days", f"{_count(p.days_journaled_last_7, 'day')} journaled")
    if this_week is not None:
        table.add_row("This week", f"{this_week.entries} entries, {this_week.words} words")
    table.add_row("All entries", f"{p.total_entries} ({p.total_words} words)")
    table.add_row("Shared / private", f"{p.shared_count} / {p.private_count}")
    _out.print(table)
    _out.print(_bar_chart(p))
    if p.goals:
        goals = Table("goal", "status", "check-ins", "latest", "average", "ratings",
                      title="Goal check-ins")
        for g in p.goals:
            goals.add_row(g.title, g.status, str(len(g.points)),
                          str(g.latest) if g.latest is not None else "–",
                          f"{g.average:.1f}" if g.average is not None else "–",
                          "".join(BARS[pt.rating + 3] for pt in g.points[-12:]))
        _out.print(goals)
    if p.milestones:
        milestones = Table("reached", "milestone", title="Milestones")
        for m in p.milestones:
            milestones.add_row(m.reached_on.isoformat(), m.title)
        _out.print(milestones)


def progress(
    as_: AsOption = None,
    chart: Annotated[Path | None, typer.Option("--chart", metavar="FILE",
                                               help="Also write an SVG chart to FILE.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Your streak, entries and words per week, goal ratings and milestones."""
    from confide.models.progress import progress_as_dict, progress_for, summary_sentence

    if chart is not None and chart.suffix.lower() != ".svg":
        fail(CHART_ONLY_SVG)
    with acting(as_) as (session, person):
        figures = progress_for(session, person, _now())
    if chart is not None:
        try:
            chart.write_text(render_chart_svg(figures), encoding="utf-8")
        except OSError as exc:
            fail(f"Could not write {chart}: {exc.strerror or exc}")
    if json_:
        sys.stdout.write(json.dumps(progress_as_dict(figures), indent=2, ensure_ascii=False)
                         + "\n")
        return
    _print_progress(figures, summary_sentence(figures))
    if chart is not None:
        _out.print(f"Chart written to {chart}.", highlight=False)
