"""`confide prompts ...` and `confide programs ...`: the library, custom prompts, programs.

Output is plain lines (no tables or box drawing) so a screen reader reads it in order.
Listing and showing need no database; adding and enrolling do, and import it only then.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from confide.cli_support import acting, fail
from confide.prompts import Library, Prompt, as_prompt, load_library, load_messages, validate_custom_prompt

if TYPE_CHECKING:

    from confide.models.tables import Person, ProgramEnrollment

__all__ = ["programs_app", "prompts_app"]

logger = logging.getLogger(__name__)

prompts_app = typer.Typer(
    name="prompts",
    help="The prompt library: list and show prompts, add your own as a couple.",
    no_args_is_help=True,
)
programs_app = typer.Typer(
    name="programs",
    help="Guided programs: a prompt a day in order. List, start, pause or leave one.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str | None, typer.Option("--as", help="Whose journal (a person's name).", metavar="NAME")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _custom_prompts(name: str | None) -> list[Prompt]:
    from confide.models.prompt_state import list_custom_prompts

    with acting(name) as (session, person):
        rows = list_custom_prompts(session, person)
        return [as_prompt(row.id, row.text, row.theme) for row in rows if row.id is not None]


def _today(person: Person) -> date:
    """Today where the person lives, so a program day starts at their midnight."""
    try:
        return datetime.now(ZoneInfo(person.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return date.today()


def _crisis_line() -> str | None:
    """The configured crisis line for the help prompt's text; the default when unset."""
    from confide.settings import SettingsError, load_settings

    try:
        return load_settings().crisis_line
    except SettingsError:
        return None


def _audience_words(prompt: Prompt) -> str:
    return load_messages().say(f"audience_{prompt.audience}")


def _prompt_line(prompt: Prompt) -> str:
    said = load_messages()
    return said.say("cli_prompt_line", id=prompt.id, depth=said.say(f"depth_{prompt.depth}"),
                    audience=_audience_words(prompt))


@prompts_app.command("list")
def list_prompts(
    theme: Annotated[
        str | None, typer.Option("--theme", help="Only this theme (see the headings).")
    ] = None,
    as_json: JsonOption = False,
    name: AsOption = None,
) -> None:
    """Every prompt, grouped by theme; with --as, your couple's own prompts too."""
    library = load_library()
    said = load_messages()
    if theme is not None and theme not in library.themes:
        fail(said.say("cli_unknown_theme", theme=theme, themes=", ".join(library.themes)))
    chosen = [p for p in library.prompts.values() if theme is None or p.theme == theme]
    crisis_line = _crisis_line()
    if name is not None:
        chosen += [p for p in _custom_prompts(name) if theme is None or p.theme == theme]
    if as_json:
        typer.echo(json.dumps([p.as_dict() for p in chosen], ensure_ascii=False, indent=2))
        return
    for theme_id, info in library.themes.items():
        group = [p for p in chosen if p.theme == theme_id]
        if not group:
            continue
        typer.echo(said.say("cli_theme_heading", title=info.title, id=theme_id, about=info.about))
        for prompt in group:
            typer.echo(f"  {_prompt_line(prompt)}")
            typer.echo(f"    {prompt.speak(crisis_line)}")
        typer.echo("")


def _find_prompt(library: Library, prompt_id: str, name: str | None) -> Prompt:
    if prompt_id in library.prompts:
        return library.prompts[prompt_id]
    if name is not None:
        for prompt in _custom_prompts(name):
            if prompt.id == prompt_id:
                return prompt
    fail(load_messages().say("cli_unknown_prompt", id=prompt_id))


@prompts_app.command("show")
def show_prompt(
    prompt_id: Annotated[str, typer.Argument(metavar="ID", help="A prompt id, from the list.")],
    as_json: JsonOption = False,
    name: AsOption = None,
) -> None:
    """One prompt as it is read aloud, with its theme and follow-up questions."""
    library = load_library()
    said = load_messages()
    prompt = _find_prompt(library, prompt_id, name)
    if as_json:
        typer.echo(json.dumps(prompt.as_dict(), ensure_ascii=False, indent=2))
        return
    theme = library.themes.get(prompt.theme)
    typer.echo(prompt.id)
    typer.echo(prompt.speak(_crisis_line()))
    typer.echo(f"{said.say('cli_label_theme')}: {theme.title if theme else prompt.theme}")
    typer.echo(f"{said.say('cli_label_depth')}: {said.say(f'depth_{prompt.depth}')}")
    typer.echo(f"{said.say('cli_label_audience')}: {_audience_words(prompt)}")
    if prompt.source == "custom":
        typer.echo(said.say("cli_label_source_custom"))
    if prompt.revisit_after_days is not None:
        typer.echo(said.say("cli_label_revisit", days=prompt.revisit_after_days))
    if prompt.follow_ups:
        typer.echo(f"{said.say('cli_label_follow_ups')}:")
        for follow_id in prompt.follow_ups:
            follow = library.prompts.get(follow_id)
            typer.echo(f"  {follow_id}: {follow.speak(_crisis_line()) if follow else ''}")


@prompts_app.command("add")
def add_prompt(
    text: Annotated[str, typer.Argument(help="The question, in plain words (40 at most).")],
    theme: Annotated[str, typer.Option("--theme", help="One of the library's themes.")],
    name: AsOption = None,
) -> None:
    """Add a prompt of your own; only you and your partner will see it."""
    from confide.models.prompt_state import add_custom_prompt

    try:
        validate_custom_prompt(text, theme)  # a clear message before touching the database
    except ValueError as exc:
        fail(str(exc))
    with acting(name) as (session, person):
        row = add_custom_prompt(session, person, text, theme)
        prompt_id = as_prompt(row.id or 0, row.text, row.theme).id
    typer.echo(load_messages().say("cli_prompt_added", id=prompt_id, theme=theme))


def _title(library: Library, program_id: str) -> str:
    program = library.programs.get(program_id)
    return program.title if program else program_id


def _days(library: Library, program_id: str) -> int:
    program = library.programs.get(program_id)
    return len(program.days) if program else 0


@programs_app.command("list")
def list_programs(as_json: JsonOption = False, name: AsOption = None) -> None:
    """The guided programs; with --as, where you are in yours."""
    library = load_library()
    said = load_messages()
    current: ProgramEnrollment | None = None
    if name is not None:
        from confide.models.prompt_state import current_program

        with acting(name) as (session, person):
            current = current_program(session, person)
    if as_json:
        rows = [p.as_dict() for p in library.programs.values()]
        for row in rows:
            if current is not None and current.program_id == row["id"]:
                row["status"], row["days_done"] = current.status, current.days_done
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for program in library.programs.values():
        typer.echo(said.say("cli_program_line", id=program.id, title=program.title,
                            days=len(program.days)))
        typer.echo(f"    {program.about}")
    if name is not None:
        typer.echo("")
        if current is None:
            typer.echo(said.say("cli_program_none"))
        else:
            typer.echo(said.say(
                "cli_program_current", day=min(current.days_done + 1,
                                               _days(library, current.program_id)),
                days=_days(library, current.program_id),
                title=_title(library, current.program_id), status=current.status,
            ))


@programs_app.command("start")
def start(
    program_id: Annotated[str, typer.Argument(metavar="ID", help="A program id, from the list.")],
    name: AsOption = None,
) -> None:
    """Start a program (or carry on with a paused one); its prompts come first each day."""
    from confide.models.prompt_state import start_program

    library = load_library()
    said = load_messages()
    if program_id not in library.programs:
        fail(said.say("cli_unknown_program", id=program_id))
    with acting(name) as (session, person):
        enrollment = start_program(session, person, program_id, _today(person))
        days_done = enrollment.days_done
    title, days = _title(library, program_id), _days(library, program_id)
    if days_done > 0:
        typer.echo(said.say("cli_program_resumed", title=title, day=min(days_done + 1, days),
                            days=days))
    else:
        typer.echo(said.say("cli_program_started", title=title, days=days))


@programs_app.command("pause")
def pause(name: AsOption = None) -> None:
    """Pause your program; your place is kept until you start it again."""
    from confide.models.prompt_state import pause_program

    library = load_library()
    with acting(name) as (session, person):
        enrollment = pause_program(session, person)
        program_id, days_done = enrollment.program_id, enrollment.days_done
    typer.echo(load_messages().say(
        "cli_program_paused", title=_title(library, program_id), id=program_id,
        done=days_done, days=_days(library, program_id),
    ))


@programs_app.command("leave")
def leave(name: AsOption = None) -> None:
    """Leave your program; your entries stay, and prompts are chosen freely again."""
    from confide.models.prompt_state import leave_program

    library = load_library()
    with acting(name) as (session, person):
        enrollment = leave_program(session, person)
        program_id = enrollment.program_id
    typer.echo(load_messages().say("cli_program_left", title=_title(library, program_id)))
