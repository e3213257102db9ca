"""The `confide` command line. Every subcommand has --help; -v turns on logging."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from confide import __version__
from confide.cli_quick import configure_logging
from confide.cli_support import acting, engine_errors, err, fail, out, settings_or_exit
from confide.models.errors import UsageError

__all__ = ["acting", "app", "fail", "main"]

app = typer.Typer(
    name="confide",
    help="Confide: a private, voice-first trust journal. Prompts read aloud, replies "
    "transcribed on this device.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
people_app = typer.Typer(help="The people who use this journal.", no_args_is_help=True)
pair_app = typer.Typer(help="Pair two people as a couple with an invite code.",
                       no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(people_app, name="people")
app.add_typer(pair_app, name="pair")
app.add_typer(db_app, name="db")

AsOption = Annotated[str | None, typer.Option("--as", help="Whose journal (a person's name).")]


def _version(value: bool) -> None:
    if value:
        out.print(f"confide {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True,
                                         help="More logging (-v info, -vv debug).")] = 0,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    del version  # handled by its eager callback
    configure_logging(verbose)


@app.command()
def doctor() -> None:
    """Check everything the voice loop needs; exit non-zero if it cannot work."""
    from confide.doctor import run_checks

    settings = settings_or_exit()
    checks = run_checks(settings)
    for check in checks:
        mark = "[green]✓[/]" if check.ok else "[red]✗[/]"
        out.print(f"{mark} {check.name}: {check.detail}", highlight=False)
    from confide import messages

    if all(c.ok for c in checks if c.needed_for_voice):
        out.print(messages.DOCTOR_OK)
    else:
        out.print(messages.DOCTOR_FAIL)
        raise typer.Exit(1)


@app.command()
def devices(
    has_real: Annotated[bool, typer.Option("--has-real", help="Only exit 0/1: is there a "
                                           "microphone and a speaker?")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (shape in README.md).")] = False,
) -> None:
    """List audio input and output devices."""
    from confide.models.errors import Unavailable
    from confide.voice.devices import has_real_devices, list_devices

    if has_real:
        raise typer.Exit(0 if has_real_devices() else 1)
    try:
        with engine_errors():
            found = list_devices()
    except Unavailable as exc:
        fail(exc)
    if json_:
        import json

        sys.stdout.write(json.dumps([{"index": d.index, "name": d.name, "inputs": d.inputs,
                                      "outputs": d.outputs, "default_rate": d.default_rate}
                                     for d in found], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table("index", "name", "inputs", "outputs", "rate")
    for d in found:
        table.add_row(str(d.index), d.name, str(d.inputs), str(d.outputs), f"{d.default_rate:.0f}")
    out.print(table)


@people_app.command("add")
def people_add(
    name: str,
    passphrase: Annotated[bool, typer.Option("--passphrase", help="Ask for a passphrase so "
                                             "this person can sign in to the web page.")] = False,
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Berlin.")] = "UTC",
) -> None:
    """Add a person (with their private journal, sealed with their own key)."""
    from confide.models.accounts import register_person
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session

    settings = settings_or_exit()
    secret = typer.prompt("Passphrase", hide_input=True, confirmation_prompt=True) \
        if passphrase else None
    try:
        with cli_session(settings) as session:
            person, _keys, words = register_person(session, name, secret, timezone=timezone)
            out.print(f"Added {person.name}. Their private journal is ready, sealed so only "
                      "they can read it.")
    except ConfideError as exc:
        fail(exc)
    out.print(MSG_RECOVERY.format(words=words), soft_wrap=True)


@people_app.command("list")
def people_list(
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (shape in README.md).")] = False,
) -> None:
    """List the people who use this journal."""
    from sqlmodel import select

    from confide.models.tables import Person
    from confide.wiring import cli_session

    with cli_session(settings_or_exit()) as session:
        people = list(session.exec(select(Person).order_by(Person.name)))
        if json_:
            import json

            sys.stdout.write(json.dumps([{"name": p.name, "paired": p.couple_id is not None,
                                          "timezone": p.timezone} for p in people],
                                        indent=2, ensure_ascii=False) + "\n")
            return
        for person in people:
            paired = "paired" if person.couple_id else "not paired"
            out.print(f"{person.name} ({paired}, {person.timezone})")


MSG_RECOVERY = (
    "Recovery key: {words}\n"
    "Write these 12 words down and keep them somewhere safe. With them you can set a new "
    "passphrase if you forget yours. Without the passphrase and these words, nobody can open "
    "the journal again, not even Confide."
)


@people_app.command("passphrase")
def people_passphrase(
    name: str,
    recovery: Annotated[bool, typer.Option(
        "--recovery", help="Open with the 12 recovery words (a forgotten passphrase).")] = False,
) -> None:
    """Set or change a person's passphrase: asks the current one (or the recovery words);
    only the small wrap of their key changes, nothing is re-encrypted."""
    from confide.cli_unlock import ask_passphrase
    from confide.models import keys
    from confide.models.accounts import get_person_by_name, set_passphrase
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = get_person_by_name(session, name)
            if not keys.has_keys(session, person.id or 0):  # someone from before sealing
                secret = typer.prompt("New passphrase", hide_input=True,
                                      confirmation_prompt=True) \
                    if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
                _keys, words = keys.create_person_keys(session, person, secret)
                out.print(MSG_RECOVERY.format(words=words), soft_wrap=True)
                return
            if recovery or not keys.has_passphrase(session, person):
                words = typer.prompt("Recovery words", hide_input=True) \
                    if sys.stdin.isatty() else sys.stdin.readline()
                unlocked = keys.unlock_with_recovery(session, person, words)
            else:
                from confide.cli_unlock import unlock_in

                unlocked = unlock_in(session, settings, person, ask_passphrase(person.name))
            secret = typer.prompt("New passphrase", hide_input=True, confirmation_prompt=True) \
                if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
            set_passphrase(session, unlocked, secret)
    except ConfideError as exc:
        fail(exc)
    out.print("Passphrase set.")


MSG_SPOKEN_WARNING = (
    "A spoken passphrase lets you unlock by voice alone, in `confide speak`. Anyone in the "
    "room can hear it, your partner too, and a recording of your voice can carry it: use it "
    "only where you can speak it unheard, and choose words you do not say otherwise."
)


@people_app.command("spoken-passphrase")
def people_spoken_passphrase(
    name: str,
    off: Annotated[bool, typer.Option("--off", help="Stop unlocking by voice.")] = False,
) -> None:
    """Opt in to unlocking by voice with a phrase of four or more words (or --off)."""
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models import keys
    from confide.models.accounts import get_person_by_name
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = get_person_by_name(session, name)
            if off:
                keys.remove_spoken_passphrase(session, person.id or 0)
                out.print("Unlocking by voice is off.")
                return
            err.print(MSG_SPOKEN_WARNING)
            unlocked = unlock_in(session, settings, person, ask_passphrase(person.name))
            phrase = typer.prompt("Spoken passphrase", hide_input=True,
                                  confirmation_prompt=True) \
                if sys.stdin.isatty() else sys.stdin.readline()
            keys.set_spoken_passphrase(session, unlocked, phrase)
    except ConfideError as exc:
        fail(exc)
    out.print("Spoken passphrase set: say it when `confide speak` asks, to unlock by voice.")


@pair_app.command("invite")
def pair_invite(as_: AsOption = None) -> None:
    """Make an invite code for your partner (it works once and expires)."""
    from confide.models.couples import create_invite
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session, resolve_person

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            invite = create_invite(session, person,
                                   timedelta(minutes=settings.invite_ttl_minutes))
    except ConfideError as exc:
        fail(exc)
    out.print(f"Invite code: [bold]{invite.code}[/] (valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC)")


@pair_app.command("join")
def pair_join(code: str, as_: AsOption = None) -> None:
    """Join your partner with their invite code."""
    from confide.models.couples import join_couple, partner_of
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session, resolve_person

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            join_couple(session, person, code)
            partner = partner_of(session, person)
    except ConfideError as exc:
        fail(exc)
    out.print(f"Paired with {partner.name if partner else 'your partner'}. "
              "You now share a journal.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (also done on every start)."""
    from confide.models.db import current_revision
    from confide.wiring import database

    settings = settings_or_exit()
    out.print(f"Schema revision: {current_revision(database(settings))}")


@app.command("export")
def export_cmd(
    output: Annotated[Path, typer.Argument(help="The file to write.")],
    as_: AsOption = None,
    format_: Annotated[str, typer.Option(
        "--format", help="zip (Markdown, JSON and recordings), dayone (Day One JSON with "
        "audios), jrnl (jrnl JSON) or txt (plain text).")] = "zip",
    from_: Annotated[str | None, typer.Option(
        "--from", help='Only entries from this day on ("last monday", "2024-03-05").')] = None,
    to: Annotated[str | None, typer.Option("--to", help="Up to and including this day.")] = None,
    journal: Annotated[str | None, typer.Option(help="Only private or shared.")] = None,
) -> None:
    """Export what you can see of your journal; asks for your passphrase, since the file
    holds your words in the clear."""
    from confide.cli_dates import parse_when
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models.errors import ConfideError
    from confide.models.export_formats import FORMATS, ExportFilter, export
    from confide.wiring import audio_store, cli_session, resolve_person

    if format_ not in FORMATS or journal not in (None, "private", "shared"):
        fail(UsageError(f"--format is one of {', '.join(FORMATS)}; --journal private or shared."))
    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            flt = ExportFilter(
                since=parse_when(from_, person.timezone) if from_ else None,
                until=parse_when(to, person.timezone, end=True) if to else None,
                journal=journal)  # type: ignore[arg-type]
            unlock_in(session, settings, person, ask_passphrase(person.name))
            data = export(session, audio_store(settings), person, format_,
                          flt)
    except ConfideError as exc:
        fail(exc)
    output.write_bytes(data)
    out.print(f"Wrote {output} ({len(data) / 1024:.0f} KiB).")


def main() -> None:
    app()


def _register_subcommands() -> None:
    """Attach the commands that live in their own modules (imported here, not at the top,
    because they import this module's app and helpers)."""
    from confide import (  # noqa: F401  (register them)
        cli_demo,
        cli_entries,
        cli_import,
        cli_lock,
        cli_record,
        cli_voice,
    )
    from confide.cli_goals import goals_app, progress, reminders_app
    from confide.cli_prompts import programs_app, prompts_app
    from confide.cli_serve import serve
    from confide.cli_transcribe import transcribe
    from confide.cli_worker import worker

    app.add_typer(prompts_app, name="prompts")
    app.add_typer(programs_app, name="programs")
    app.add_typer(goals_app, name="goals")
    app.add_typer(reminders_app, name="reminders")
    app.command("progress")(progress)
    app.command("transcribe")(transcribe)
    app.command("serve")(serve)
    app.command("worker")(worker)


_register_subcommands()
