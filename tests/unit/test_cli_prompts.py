"""`confide prompts` and `confide programs`: listing, showing, custom prompts, starting a program."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from confide.prompts import (
    load_library,
)

pytestmark = pytest.mark.unit


# ----------------------------------------------------------------- the command line


def _invoke(app: Any, *args: str) -> Any:
    from typer.testing import CliRunner

    return CliRunner().invoke(app, list(args))


def test_cli_prompts_list_json_prints_every_prompt_with_its_fields() -> None:
    from confide.cli_prompts import prompts_app

    result = _invoke(prompts_app, "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {row["id"] for row in rows} == set(load_library().prompts)
    for row in rows:
        assert set(row) == {"id", "text", "theme", "depth", "audience", "follow_ups",
                            "revisit_after_days", "source"}
        assert row == load_library().get(row["id"]).as_dict()


def test_cli_prompts_list_by_theme_in_plain_lines() -> None:
    from confide.cli_prompts import prompts_app

    result = _invoke(prompts_app, "list", "--theme", "repair")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Repair (repair): ")
    assert "repair-slow-breath (gentle, your private journal)" in result.output
    assert "win-this-week" not in result.output
    assert "│" not in result.output
    assert "─" not in result.output
    rows = json.loads(_invoke(prompts_app, "list", "--theme", "repair", "--json").output)
    assert {row["theme"] for row in rows} == {"repair"}


def test_cli_prompts_show_and_unknown_ids() -> None:
    from confide.cli_prompts import prompts_app

    shown = _invoke(prompts_app, "show", "self-loud-worry")
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[:2] == ["self-loud-worry",
                                             load_library().get("self-loud-worry").spoken]
    assert "self-worry-origin: Where do you think" in shown.output
    assert "Asked again after 30 days" in shown.output
    missing = _invoke(prompts_app, "show", "no-such-prompt")
    assert missing.exit_code == 1
    assert "no prompt called “no-such-prompt”" in missing.output
    bad_theme = _invoke(prompts_app, "list", "--theme", "gossip")
    assert bad_theme.exit_code == 1
    assert "no theme called “gossip”" in bad_theme.output


def test_cli_show_speaks_the_configured_crisis_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from confide.cli_prompts import prompts_app

    monkeypatch.setenv("CONFIDE_CRISIS_LINE", "the crisis line on 988")
    shown = _invoke(prompts_app, "show", "help-too-heavy")
    assert "contact the crisis line on 988." in shown.output


def test_cli_programs_list() -> None:
    from confide.cli_prompts import programs_app

    result = _invoke(programs_app, "list")
    assert result.exit_code == 0, result.output
    assert "listening-week: Listening week, 7 days." in result.output
    rows = json.loads(_invoke(programs_app, "list", "--json").output)
    assert {row["id"] for row in rows} == set(load_library().programs)


@pytest.fixture
def couple_station(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data folder where Alex and Sam are a couple and Olive is on her own."""
    from confide.models.accounts import register
    from confide.models.couples import create_invite, join_couple
    from confide.settings import load_settings
    from confide.wiring import cli_session

    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    with cli_session(load_settings()) as session:
        alex, sam = register(session, "Alex"), register(session, "Sam")
        register(session, "Olive")
        join_couple(session, sam, create_invite(session, alex, timedelta(hours=1)).code)


@pytest.mark.usefixtures("couple_station")
def test_cli_custom_prompts_belong_to_the_couple() -> None:
    from confide.cli_prompts import prompts_app

    added = _invoke(prompts_app, "add", "What made you both laugh this week?",
                    "--theme", "small-victories", "--as", "Alex")
    assert added.exit_code == 0, added.output
    assert "Added your prompt custom-1" in added.output
    partner = _invoke(prompts_app, "list", "--json", "--as", "Sam")
    assert "custom-1" in {row["id"] for row in json.loads(partner.output)}
    outsider = _invoke(prompts_app, "list", "--json", "--as", "Olive")
    assert "custom-1" not in {row["id"] for row in json.loads(outsider.output)}
    assert _invoke(prompts_app, "show", "custom-1", "--as", "Olive").exit_code == 1
    refused = _invoke(prompts_app, "add", "<b>Why?</b> tell me now", "--theme",
                      "small-victories", "--as", "Alex")
    assert refused.exit_code == 1
    assert "plain words" in refused.output


@pytest.mark.usefixtures("couple_station")
def test_cli_programs_start_pause_leave() -> None:
    from confide.cli_prompts import programs_app

    started = _invoke(programs_app, "start", "listening-week", "--as", "Sam")
    assert started.exit_code == 0, started.output
    assert "Started Listening week: 7 days." in started.output
    status = _invoke(programs_app, "list", "--as", "Sam")
    assert "You are on day 1 of 7 of Listening week (active)." in status.output
    paused = _invoke(programs_app, "pause", "--as", "Sam")
    assert paused.exit_code == 0, paused.output
    assert "Paused Listening week" in paused.output
    left = _invoke(programs_app, "leave", "--as", "Sam")
    assert "You have left Listening week." in left.output
    again = _invoke(programs_app, "leave", "--as", "Sam")
    assert again.exit_code == 1
    assert "not following a program" in again.output
    unknown = _invoke(programs_app, "start", "no-such-program", "--as", "Sam")
    assert unknown.exit_code == 1
    assert "no program called “no-such-program”" in unknown.output
