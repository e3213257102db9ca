"""The prompt library data, its loader's rules, custom prompt validation, and program days."""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections import Counter
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from prompts import (
    ARTICLE_THEMES,
    REPEAT_WINDOW_DAYS,
    LibraryError,
    Prompt,
    UnknownProgramError,
    UnknownPromptError,
    allowed_in,
    as_prompt,
    completes_day,
    is_complete,
    load_library,
    load_messages,
    natural_context,
    program_intro,
    program_state,
    validate_custom_prompt,
)
from prompts.library import (
    AUDIENCES_FOR_CONTEXT,
    MAX_FOLLOW_UPS,
    MAX_WORDS,
    build_library,
    plain_text_problem,
)

pytestmark = pytest.mark.unit


def _raw(name: str) -> dict[str, Any]:
    text = (resources.files("prompts") / "data" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


RAW_PROMPTS = _raw("prompts.toml")
RAW_PROGRAMS = _raw("programs.toml")


# ----------------------------------------------------------------- the whole library


def test_library_loads_and_is_cached_once_per_process() -> None:
    assert load_library() is load_library()


def test_library_has_at_least_sixty_prompts_with_unique_stable_ids() -> None:
    ids = [row["id"] for row in RAW_PROMPTS["prompts"]]
    assert len(ids) >= 60
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
    assert set(ids) == set(load_library().prompts)
    for prompt_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", prompt_id), prompt_id
        assert not prompt_id.startswith("custom-")


def test_every_prompt_has_a_known_theme_and_every_article_theme_is_covered() -> None:
    library = load_library()
    for prompt in library.prompts.values():
        assert prompt.theme in library.themes, prompt.id
    covered = {p.theme for p in library.prompts.values()}
    assert set(ARTICLE_THEMES) <= covered
    assert set(ARTICLE_THEMES) <= set(library.themes)


def test_every_prompt_is_short_plain_spoken_text() -> None:
    for prompt in load_library().prompts.values():
        spoken = prompt.spoken
        assert len(spoken.split()) <= MAX_WORDS, prompt.id
        assert plain_text_problem(spoken) is None, prompt.id
        assert not {"{", "}"} & set(spoken), prompt.id
        assert spoken == " ".join(spoken.split()), prompt.id
        assert spoken[0].isupper(), prompt.id
        assert spoken[-1] in ".?…", prompt.id


def test_every_prompt_speaks_to_the_person_in_the_second_person() -> None:
    for prompt in load_library().prompts.values():
        words = set(re.findall(r"[a-z']+", prompt.text.lower()))
        assert words & {"you", "your", "yourself", "each"}, prompt.id


NEVER_DIAGNOSE = (
    "narcissis", "disorder", "diagnos", "toxic", "codependen", "gaslight", "attachment style",
    "borderline", "bipolar", "depressed", "depression", "ptsd", "abusive", "patholog",
    "symptom", "therapy will", "you should leave",
)


def test_no_prompt_diagnoses_or_labels_anyone() -> None:
    for prompt in load_library().prompts.values():
        lowered = prompt.text.lower()
        assert not [w for w in NEVER_DIAGNOSE if w in lowered], prompt.id


def test_both_depths_and_all_three_audiences_are_present_in_every_context() -> None:
    prompts = list(load_library().prompts.values())
    assert {p.depth for p in prompts} == {"gentle", "deeper"}
    assert {p.audience for p in prompts} == {"private", "share", "mutual"}
    for context in AUDIENCES_FOR_CONTEXT:
        fitting = [p for p in prompts if allowed_in(p.audience, context)]
        # One prompt a day never runs out inside the repeat window, with room for the
        # theme rule; gentle ones exist for new users everywhere.
        assert len(fitting) >= REPEAT_WINDOW_DAYS + 7, context
        assert any(p.depth == "gentle" for p in fitting), context
        assert len({p.theme for p in fitting}) >= 3, context


def test_every_theme_has_a_gentle_way_in() -> None:
    library = load_library()
    for theme in library.themes:
        assert any(p.depth == "gentle" for p in library.by_theme(theme)), theme


def test_every_follow_up_resolves_to_a_deeper_prompt_usable_where_its_parent_is() -> None:
    library = load_library()
    with_follow_ups = [p for p in library.prompts.values() if p.follow_ups]
    assert len(with_follow_ups) >= 10
    for prompt in with_follow_ups:
        assert 1 <= len(prompt.follow_ups) <= MAX_FOLLOW_UPS, prompt.id
        for target_id in prompt.follow_ups:
            target = library.get(target_id)
            assert target.id != prompt.id
            assert target.depth == "deeper", (prompt.id, target_id)
            for context in AUDIENCES_FOR_CONTEXT:
                if allowed_in(prompt.audience, context):
                    assert allowed_in(target.audience, context), (prompt.id, target_id, context)


def test_revisits_are_sensible_and_never_on_couple_prompts() -> None:
    revisited = [p for p in load_library().prompts.values() if p.revisit_after_days]
    assert len(revisited) >= 5
    for prompt in revisited:
        assert prompt.audience != "mutual", prompt.id
        assert 7 <= (prompt.revisit_after_days or 0) <= 365


def test_the_required_programs_exist_and_every_day_resolves() -> None:
    library = load_library()
    titles = {p.title for p in library.programs.values()}
    assert {"Begin with yourself", "Listening week", "Goals together",
            "Repair after a hard day"} <= titles
    ids = [row["id"] for row in RAW_PROGRAMS["programs"]]
    assert len(ids) == len(set(ids))
    for program in library.programs.values():
        assert program.days, program.id
        assert len(set(program.days)) == len(program.days), program.id
        for prompt_id in program.days:
            assert prompt_id in library.prompts, (program.id, prompt_id)


def test_programs_follow_their_themes() -> None:
    library = load_library()

    def themes(program_id: str) -> Counter[str]:
        return Counter(library.get(i).theme for i in library.program(program_id).days)

    assert themes("begin-with-yourself") == Counter({"self-reflection": 7})
    assert len(library.program("begin-with-yourself").days) == 7
    assert themes("listening-week").most_common(1)[0][0] == "active-listening"
    assert themes("goals-together").most_common(1)[0][0] == "mutual-goals"
    assert set(themes("repair-after-a-hard-day")) == {"repair"}
    # A first week starts gently.
    first = library.get(library.program("begin-with-yourself").days[0])
    assert first.depth == "gentle"


def test_a_library_entry_points_to_professional_help_and_the_crisis_line() -> None:
    library = load_library()
    help_prompts = library.by_theme("professional-help")
    assert any("couples therapist" in p.text for p in help_prompts)
    pointer = [p for p in help_prompts if "{crisis_line}" in p.text]
    assert pointer
    assert "988 or text" in pointer[0].speak("988 or text")
    default = load_messages().say("crisis_line_default")
    assert default in pointer[0].spoken


def test_get_and_program_raise_clear_errors_for_unknown_ids() -> None:
    library = load_library()
    with pytest.raises(UnknownPromptError):
        library.get("no-such-prompt")
    with pytest.raises(UnknownProgramError):
        library.program("no-such-program")


def test_prompts_are_frozen_and_library_mappings_read_only() -> None:
    library = load_library()
    prompt = next(iter(library.prompts.values()))
    with pytest.raises(ValidationError):
        prompt.text = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        library.prompts["x"] = prompt  # type: ignore[index]


def test_as_dict_has_every_field_in_json_ready_form() -> None:
    data = load_library().get("self-loud-worry").as_dict()
    assert data == {
        "id": "self-loud-worry",
        "text": data["text"],
        "theme": "self-reflection",
        "depth": "gentle",
        "audience": "private",
        "follow_ups": ["self-worry-origin"],
        "revisit_after_days": 30,
        "source": "library",
    }


# ----------------------------------------------------------------- messages


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


EXPECTED_PLACEHOLDERS = {
    "revisit": {"ago", "quote"},
    "ago_days": {"n"},
    "program_day": {"n", "title"},
    "safety_crisis": {"crisis_line"},
    "safety_professional_help": {"crisis_line"},
    "custom_unknown_theme": {"theme", "themes"},
    "custom_too_many_words": {"words", "max_words"},
    "cli_prompt_added": {"id", "theme"},
    "cli_program_paused": {"title", "done", "days", "id"},
}


@pytest.mark.parametrize(("key", "names"), sorted(EXPECTED_PLACEHOLDERS.items()))
def test_message_templates_keep_their_placeholders(key: str, names: set[str]) -> None:
    assert _placeholders(load_messages().text[key]) >= names


def test_spoken_numbers() -> None:
    said = load_messages()
    assert [said.number(n) for n in (0, 2, 19, 20, 30, 42, 99, 100)] == [
        "zero", "two", "nineteen", "twenty", "thirty", "forty-two", "ninety-nine", "100"
    ]


# ----------------------------------------------------------------- the loader's rules


def _good_prompt(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": "a-prompt", "text": "How are you today?", "theme": "t", "depth": "gentle",
        "audience": "private",
    }
    row.update(changes)
    return row


def _doc(*prompts: dict[str, Any]) -> dict[str, Any]:
    return {"themes": {"t": {"title": "T", "about": "A theme."}}, "prompts": list(prompts)}


def _mutual_and_share() -> list[dict[str, Any]]:
    return [
        _good_prompt(id="together", audience="mutual"),
        _good_prompt(id="deep-share", audience="share", depth="deeper"),
        _good_prompt(id="deep-private", depth="deeper"),
    ]


def test_a_minimal_valid_library_builds() -> None:
    library = build_library(_doc(_good_prompt(), *_mutual_and_share()),
                            {"programs": [{"id": "p", "title": "P", "about": "A.",
                                           "days": ["a-prompt"]}]})
    assert set(library.prompts) == {"a-prompt", "together", "deep-share", "deep-private"}


BROKEN: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]], str]] = [
    ("duplicate id", [_good_prompt(), _good_prompt()], [], "appears twice"),
    ("unknown theme", [_good_prompt(theme="nope")], [], "unknown theme"),
    ("too long", [_good_prompt(text="word " * 41 + "end?")], [], "more than 40"),
    ("markup", [_good_prompt(text="How are **you** today?")], [], "not plain text"),
    ("link", [_good_prompt(text="Read https://example.org first?")], [], "not plain text"),
    ("emoji", [_good_prompt(text="How are you 😀 today?")], [], "not plain text"),
    ("bad depth", [_good_prompt(depth="medium")], [], "depth"),
    ("bad audience", [_good_prompt(audience="everyone")], [], "audience"),
    ("unknown field", [_good_prompt(colour="blue")], [], "colour"),
    ("dangling follow-up", [_good_prompt(follow_ups=["missing"])], [], "does not exist"),
    ("three follow-ups",
     [_good_prompt(follow_ups=["deep-private", "deep-share", "deep-private"])], [],
     "more than 2"),
    ("gentle follow-up", [_good_prompt(follow_ups=["a-prompt"])], [], "should be a deeper"),
    ("private follow-up of a share prompt",
     [_good_prompt(audience="share", follow_ups=["deep-private"])], [], "cannot be asked"),
    ("revisit on a couple prompt",
     [_good_prompt(id="both", audience="mutual", revisit_after_days=30)], [],
     "cannot be revisited"),
    ("revisit too soon", [_good_prompt(revisit_after_days=1)], [], "revisit_after_days"),
    ("reserved id", [_good_prompt(id="custom-1")], [], "custom prompts"),
    ("dangling program day", [_good_prompt()],
     [{"id": "p", "title": "P", "about": "A.", "days": ["a-prompt", "missing"]}],
     "no prompt 'missing'"),
    ("empty program", [_good_prompt()], [{"id": "p", "title": "P", "about": "A.", "days": []}],
     "days"),
]


@pytest.mark.parametrize(("prompts", "programs", "message"),
                         [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_loader_rejects_broken_data_with_a_clear_message(
    prompts: list[dict[str, Any]], programs: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(LibraryError, match=re.escape(message)):
        build_library(_doc(*prompts, *_mutual_and_share()), {"programs": programs})


def test_loader_reports_every_problem_at_once() -> None:
    with pytest.raises(LibraryError) as caught:
        build_library(_doc(_good_prompt(theme="x"), _good_prompt(id="b", depth="odd")),
                      {"programs": []})
    assert "unknown theme" in str(caught.value)
    assert "depth" in str(caught.value)


def test_loader_requires_a_prompt_for_every_context() -> None:
    with pytest.raises(LibraryError, match="mutual session"):
        build_library(_doc(_good_prompt()), {"programs": []})


# ----------------------------------------------------------------- custom prompts


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("What made you laugh today?", "What made you laugh today?"),
        ("  What   made you\nlaugh today?  ", "What made you laugh today?"),
        ("Qu'est-ce qui t'a fait rire aujourd'hui ?", "Qu'est-ce qui t'a fait rire aujourd'hui ?"),
        ("What did we do well, together, this week?", "What did we do well, together, this week?"),
        ("Is it — honestly — better?", "Is it — honestly — better?"),
    ],
)
def test_custom_prompt_text_is_cleaned(text: str, cleaned: str) -> None:
    assert validate_custom_prompt(text, "communication") == cleaned


@pytest.mark.parametrize(
    ("text", "theme", "message"),
    [
        ("", "communication", "empty"),
        ("   \n ", "communication", "empty"),
        ("Why?", "communication", "at least 3 words"),
        ("word " * 41, "communication", "41 words"),
        ("<b>What</b> made you laugh?", "communication", "“<”"),
        ("What made you **laugh** today?", "communication", "“*”"),
        ("# What made you laugh today", "communication", "“#”"),
        ("Watch https://example.org and tell me why", "communication", "web links"),
        ("What made you laugh today 😂", "communication", "emoji"),
        ("What made you\u200b laugh today?", "communication", "hidden"),
        ("What made you laugh today?", "gossip", "no theme called “gossip”"),
        ("a" * 300 + " b c", "communication", "characters"),
    ],
)
def test_custom_prompt_text_is_refused_with_a_readable_reason(
    text: str, theme: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_custom_prompt(text, theme)


def test_custom_prompt_becomes_a_gentle_shareable_prompt_never_for_joint_sessions() -> None:
    prompt = as_prompt(12, "What made you laugh today?", "small-victories")
    assert prompt == Prompt(id="custom-12", text="What made you laugh today?",
                            theme="small-victories", depth="gentle", audience="share",
                            source="custom")
    assert allowed_in(prompt.audience, "private")
    assert allowed_in(prompt.audience, "shared")
    assert not allowed_in(prompt.audience, "mutual")


# ----------------------------------------------------------------- programs


def test_program_state_follows_status_and_days_done() -> None:
    program = load_library().program("listening-week")
    state = program_state(program, status="active", days_done=0)
    assert state is not None
    assert (state.day, state.prompt_id, state.previous_prompt_id) == (1, program.days[0], None)
    later = program_state(program, status="active", days_done=3)
    assert later is not None
    assert later.prompt_id == program.days[3]
    assert later.previous_prompt_id == program.days[2]
    assert program_state(program, status="paused", days_done=3) is None
    assert program_state(program, status="left", days_done=3) is None
    assert program_state(program, status="active", days_done=len(program.days)) is None
    assert is_complete(program, len(program.days))
    assert not is_complete(program, 0)
    with pytest.raises(ValueError, match="negative"):
        program_state(program, status="active", days_done=-1)


def test_completes_day_only_for_the_days_prompt() -> None:
    program = load_library().program("begin-with-yourself")
    state = program_state(program, status="active", days_done=1)
    assert completes_day(state, program.days[1])
    assert not completes_day(state, program.days[0])
    assert not completes_day(None, program.days[1])


def test_program_intro_is_spoken_words() -> None:
    program = load_library().program("listening-week")
    state = program_state(program, status="active", days_done=1)
    assert state is not None
    assert program_intro(state) == "Day two of Listening week."


def test_natural_context_puts_couple_prompts_in_a_joint_session() -> None:
    library = load_library()
    assert natural_context(library.get("listen-say-it-back")) == "mutual"
    assert natural_context(library.get("listen-in-your-words")) == "private"
    assert natural_context(library.get("listen-hard-to-hear")) == "private"


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
    from confide.settings import load_settings
    from confide.wiring import cli_session
    from models.accounts import register
    from models.couples import create_invite, join_couple

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
