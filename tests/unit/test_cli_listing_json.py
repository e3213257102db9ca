"""Every listing command prints JSON with --json, in the shape README.md documents; an
empty list is ``[]``, never a sentence, so scripts need no special case."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from confide.cli import app

pytestmark = pytest.mark.unit


@pytest.fixture
def cli(tmp_path, monkeypatch):
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
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result

    return invoke


def test_goals_list_json(cli):
    assert json.loads(cli("goals", "list", "--as", "Alex", "--json").stdout) == []
    cli("goals", "add", "No phones at dinner", "--why", "We talk more.", "--as", "Alex")
    cli("goals", "checkin", "1", "3", "--as", "Alex")
    cli("goals", "checkin", "1", "4", "--as", "Sam")
    (goal,) = json.loads(cli("goals", "list", "--as", "Sam", "--json").stdout)
    created = goal.pop("created_at")
    assert created.endswith("+00:00")
    assert goal == {"id": 1, "title": "No phones at dinner", "why": "We talk more.",
                    "status": "active", "checkins": 2, "latest": 4, "average": 3.5,
                    "ratings": [3, 4]}


def test_reminders_list_json(cli):
    assert json.loads(cli("reminders", "list", "--as", "Alex", "--json").stdout) == []
    cli("reminders", "add", "--days", "wed,mon", "--at", "20:00", "--as", "Alex")
    cli("reminders", "add", "--days", "weekends", "--at", "09:30", "--tz", "UTC",
        "--kind", "goal_checkin", "--as", "Alex")
    cli("reminders", "pause", "2", "--as", "Alex")
    first, second = json.loads(cli("reminders", "list", "--as", "Alex", "--json").stdout)
    assert set(first) == {"id", "kind", "days", "time", "timezone", "enabled", "state",
                          "snoozed_until", "next"}
    assert (first["days"], first["time"], first["timezone"], first["state"]) == (
        ["mon", "wed"], "20:00", "Europe/Berlin", "on")
    assert first["next"].endswith("+00:00") and first["snoozed_until"] is None
    assert (second["kind"], second["days"], second["enabled"], second["state"]) == (
        "goal_checkin", ["sat", "sun"], False, "paused")


def test_people_list_json(cli):
    people = json.loads(cli("people", "list", "--json").stdout)
    assert people == [
        {"name": "Alex", "paired": True, "timezone": "Europe/Berlin"},
        {"name": "Olive", "paired": False, "timezone": "UTC"},
        {"name": "Sam", "paired": True, "timezone": "UTC"},
    ]


@pytest.mark.parametrize("command", [
    ["goals", "list"], ["reminders", "list"], ["people", "list"], ["prompts", "list"],
    ["programs", "list"], ["devices"],
])
def test_every_listing_command_offers_json(cli, command):
    assert "--json" in cli(*command, "--help").stdout
