"""The prompt library data as shipped: every prompt, theme, program and message template."""

from __future__ import annotations

import re
import string
import tomllib
from collections import Counter
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from confide.prompts import (
    ARTICLE_THEMES,
    REPEAT_WINDOW_DAYS,
    UnknownProgramError,
    UnknownPromptError,
    allowed_in,
    load_library,
    load_messages,
)
from confide.prompts.library import (
    AUDIENCES_FOR_CONTEXT,
    MAX_FOLLOW_UPS,
    MAX_WORDS,
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
