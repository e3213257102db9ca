"""`confide goals`, `confide reminders` and `confide progress` from the command line."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import icalendar
import pytest
import typer
from typer.testing import CliRunner

from confide.cli_goals import goals_app, progress, reminders_app

pytestmark = pytest.mark.unit


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """An app with the three command groups as the lead registers them, on a fresh data dir."""
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    from confide.models.accounts import register
    from confide.models.couples import create_invite, join_couple
    from confide.settings import load_settings
    from confide.wiring import cli_session

    with cli_session(load_settings()) as session:
        alex = register(session, "Alex", timezone="Europe/Berlin")
        sam = register(session, "Sam")
        register(session, "Olive")
        join_couple(session, sam, create_invite(session, alex, timedelta(hours=1)).code)

    app = typer.Typer()
    app.add_typer(goals_app, name="goals")
    app.add_typer(reminders_app, name="reminders")
    app.command("progress")(progress)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def test_goals_add_checkin_list_done(cli):
    added = cli("goals", "add", "No phones at dinner", "--why", "We talk more.", "--as", "Alex")
    assert added.exit_code == 0, added.output
    assert "Goal 1 set: No phones at dinner" in added.output
    checked = cli("goals", "checkin", "1", "4", "--note", "Better.", "--as", "Sam")
    assert checked.exit_code == 0, checked.output
    assert "4 of 5" in checked.output
    listed = cli("goals", "list", "--as", "Alex")
    assert "No phones at dinner" in listed.output
    assert "4.0" in listed.output
    assert cli("goals", "done", "1", "--as", "Alex").exit_code == 0


def test_goal_errors_are_one_line_and_exit_one(cli):
    cli("goals", "add", "Walk", "--as", "Alex")
    bad = cli("goals", "checkin", "1", "9", "--as", "Alex")
    assert bad.exit_code == 1
    assert "1 to 5" in bad.output
    other = cli("goals", "checkin", "1", "3", "--as", "Olive")
    assert other.exit_code == 1
    assert "not found" in other.output
    unpaired = cli("goals", "add", "Solo", "--as", "Olive")
    assert unpaired.exit_code == 1
    assert "Pair" in unpaired.output


def test_reminders_add_list_pause_resume_remove(cli):
    added = cli("reminders", "add", "--days", "mon,wed", "--at", "20:00", "--as", "Alex")
    assert added.exit_code == 0, added.output
    assert "Mon, Wed at 20:00 (Europe/Berlin)" in added.output
    listed = cli("reminders", "list", "--as", "Alex")
    assert "Europe/Berlin" in listed.output
    assert " on " in listed.output
    assert cli("reminders", "pause", "1", "--as", "Alex").exit_code == 0
    assert "paused" in cli("reminders", "list", "--as", "Alex").output
    assert cli("reminders", "resume", "1", "--as", "Alex").exit_code == 0
    assert cli("reminders", "list", "--as", "Sam").output.startswith("No reminders yet")
    assert cli("reminders", "remove", "1", "--as", "Sam").exit_code == 1  # not Sam's
    assert cli("reminders", "remove", "1", "--as", "Alex").exit_code == 0


def test_reminders_add_refuses_unclear_input(cli):
    bad = cli("reminders", "add", "--days", "funday", "--at", "20:00", "--as", "Alex")
    assert bad.exit_code == 1
    assert "not a day" in bad.output
    bad_kind = cli("reminders", "add", "--days", "daily", "--at", "20:00", "--kind", "nag",
                   "--as", "Alex")
    assert bad_kind.exit_code == 1


def test_reminders_export_prints_an_icalendar_file(cli):
    cli("reminders", "add", "--days", "weekdays", "--at", "07:30", "--kind", "goal-checkin",
        "--as", "Alex")
    result = cli("reminders", "export", "--as", "Alex")
    assert result.exit_code == 0
    cal = icalendar.Calendar.from_ical(result.stdout_bytes)
    (event,) = cal.walk("VEVENT")
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"


def test_progress_table_json_and_chart(cli, tmp_path):
    from confide.models.accounts import get_person_by_name
    from confide.models.entries import create_written_entry
    from confide.settings import load_settings
    from confide.wiring import cli_session

    with cli_session(load_settings()) as session:
        alex = get_person_by_name(session, "Alex")
        create_written_entry(session, alex, "Today I listened more than I spoke.")
        create_written_entry(session, alex, "Shared with Sam.", journal="shared")

    shown = cli("progress", "--as", "Alex")
    assert shown.exit_code == 0, shown.output
    assert "Today you reached a milestone, your first shared reflection" in shown.output
    assert re.search(r"Current streak\W+1 day\b", shown.output)
    assert "Current streak" in shown.output
    assert "Entries per week" in shown.output
    assert "your first entry" in shown.output

    as_json = cli("progress", "--json", "--as", "Alex")
    data = json.loads(as_json.stdout)
    assert (data["total_entries"], data["shared_count"], data["private_count"]) == (2, 1, 1)
    assert len(data["weeks"]) == 8

    chart = tmp_path / "progress.svg"
    drawn = cli("progress", "--chart", str(chart), "--as", "Alex")
    assert drawn.exit_code == 0, drawn.output
    svg = ET.fromstring(chart.read_text())
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img"
    assert svg.findtext(f"{ns}title") == "Journal entries per week"
    assert "entries" in svg.findtext(f"{ns}desc", "")
    assert len(svg.findall(f"{ns}g")) == 8

    png = cli("progress", "--chart", str(tmp_path / "p.png"), "--as", "Alex")
    assert png.exit_code == 1
    assert ".svg" in png.output
