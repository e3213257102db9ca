"""`confide import dayone|jrnl|text|memos`: bring a journal in, idempotently.

Each command reads its source first (a bad source stops it with one line and nothing
written), then writes entry by entry through the journal's own operations, each entry in
its own transaction with its import mark. Recordings are then transcribed from the
durable job queue with a progress bar; stopping at any point loses nothing, and running
the same command again carries on where it stopped (what is in is skipped as already
imported, waiting recordings are transcribed).

Writing is sealed and needs no secret, so the passphrase is optional: given, the entries
are indexed for search and the recordings transcribed now; not given (Enter, or an empty
line on standard input), everything is still imported, and the recordings wait, sealed,
for the person's next unlock.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console

from confide.cli import app
from confide.cli_support import engine_errors, fail, settings_or_exit
from confide.models.errors import Unavailable, UsageError

if TYPE_CHECKING:
    import numpy as np

    from confide.models.import_marks import SourceKind
    from confide.models.import_types import Candidate, ImportReport, Parsed
    from confide.models.keys import Keys
    from confide.settings import Settings

__all__ = ["import_app"]

import_app = typer.Typer(
    help="Bring entries in: a Day One or jrnl JSON export, a folder of Markdown or text "
    "files, a folder of voice memos. Importing the same thing twice adds nothing.",
    no_args_is_help=True,
)

_err = Console(stderr=True)

# Printed wording, kept together.
MSG_IMPORTED = "Imported {n} {entries} into your {journal} journal from {source}."
MSG_NOTHING_NEW = "Nothing new to import from {source}."
MSG_SKIPPED_HEAD = "Skipped {n}:"
MSG_NOTICES_HEAD = "Notes:"
MSG_INTERRUPTED = ("Stopped. Everything listed above is in; run the same command again to "
                   "import the rest.")
MSG_TRANSCRIBING = "Transcribing {n} {recordings}"
MSG_TRANSCRIBED = "Transcribed {done} {recordings}."
MSG_TRANSCRIBE_LATER = ("Waiting for a transcript: {n}. Run the same command again, or sign "
                        "in to `confide serve`, to transcribe them.")
MSG_NO_MODEL = "The speech model is not available ({reason}); the recordings are kept."
MSG_TRANSCRIPTION_STOPPED = ("Transcription stopped; still waiting: {n}. Run the same command "
                             "again to carry on.")
MSG_LOCKED_WAITING = ("Waiting for a transcript: {n}, sealed. They are transcribed when {name} "
                      "next unlocks: run the same command again with the passphrase, start "
                      "`confide speak`, or sign in to `confide serve`.")
MSG_BAD_TZ = "Unknown time zone {tz!r}: use an IANA name such as Europe/Berlin."

MAX_FILE_BYTES = 2 * 1024**3
MAX_SECONDS = 4 * 3600.0


class Journal(enum.StrEnum):
    private = "private"
    shared = "shared"


AsOption = Annotated[str | None, typer.Option("--as", help="Whose journal (a person's name).")]
JournalOption = Annotated[Journal, typer.Option(
    help="Which journal the entries go to.")]
TzOption = Annotated[str | None, typer.Option(
    "--tz", help="IANA time zone for dates the source gives without one; yours by default.")]
JsonOption = Annotated[bool, typer.Option(
    "--json", help="Print the report as JSON (imported, skipped with reasons, notes).")]
RenamedOption = Annotated[str | None, typer.Option(
    "--renamed-from", metavar="NAME", help=(
        "Your name in the journal this export came from, if it was not the one you have "
        "here (someone else's export is refused)."))]
TranscribeOption = Annotated[bool, typer.Option(
    "--transcribe/--no-transcribe",
    help="Transcribe the imported recordings now, when the passphrase is given (else they "
    "wait in the queue).")]


def _word(n: int, word: str) -> str:
    return word if n == 1 else f"{word}s"


def _decode(source: Path | bytes) -> tuple[np.ndarray, int]:
    from confide.voice.decoding import decode_audio

    audio = decode_audio(source, target_rate=None, max_bytes=MAX_FILE_BYTES,
                         max_seconds=MAX_SECONDS)
    return audio.samples, audio.rate


@contextmanager
def _steps(total: int, label: str) -> Iterator[Callable[[Candidate], None]]:
    """A progress bar over the entries being written, on stderr when it is a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    if total == 0 or not _err.is_terminal:
        yield lambda _candidate: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=_err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda _candidate: bar.advance(task)


def _run_import(source: Path, kind: SourceKind, as_: str | None, journal: Journal,
                tz: str | None, json_: bool, transcribe: bool,
                parse: Callable[[ZoneInfo], Parsed], *, ask: bool = True,
                renamed_from: str | None = None) -> None:
    """Parse, then (``ask``: unless standard input is the source) ask for the passphrase,
    then write; a bad source or a wrong passphrase stops it before anything is written."""
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models.errors import ConfideError
    from confide.models.importing import import_candidates, recording_statuses
    from confide.wiring import audio_store, cli_session, resolve_person

    settings = settings_or_exit()
    zone: ZoneInfo | None = None
    if tz is not None:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            fail(UsageError(MSG_BAD_TZ.format(tz=tz)))
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            if zone is None:
                try:
                    zone = ZoneInfo(person.timezone)
                except (ZoneInfoNotFoundError, ValueError):
                    zone = ZoneInfo("UTC")
            parsed = parse(zone)
            passphrase = ask_passphrase(person.name, optional=True) if ask else ""
            unlocked: Keys | None = unlock_in(session, settings, person, passphrase) \
                if passphrase else None
            assert person.id is not None
            person_id, name = person.id, person.name
            with _steps(len(parsed.candidates), f"Importing {source.name}") as step:
                report = import_candidates(session, audio_store(settings), person, parsed,
                                           kind=kind, journal=journal.value, decode=_decode,
                                           on_step=step, renamed_from=renamed_from)
    except ConfideError as exc:
        fail(exc)
    transcription: dict[str, int] = {}
    if not json_:
        _print_report(report, source, journal)
    if report.interrupted:
        if json_:
            _print_json(report, transcription)
        raise typer.Exit(130)
    if kind in ("dayone", "memo") and (report.audio_entry_ids or _waiting(settings, person_id)):
        transcription = _transcribe(settings, person_id, name, unlocked, transcribe,
                                    quiet=json_)
        with cli_session(settings) as session:
            transcription["imported_recordings"] = len(report.audio_entry_ids)
            for status, n in recording_statuses(session, report.audio_entry_ids).items():
                transcription[status] = n
    if json_:
        _print_json(report, transcription)


def _print_json(report: ImportReport, transcription: dict[str, int]) -> None:
    data = report.as_dict()
    data["transcription"] = transcription
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _print_report(report: ImportReport, source: Path, journal: Journal) -> None:
    """Plain lines (no table): they read well piped and through a screen reader."""
    count = sum(len(i.entry_ids) for i in report.imported)
    if count:
        typer.echo(MSG_IMPORTED.format(n=count, entries="entry" if count == 1 else "entries",
                                       journal=journal.value, source=source))
    else:
        typer.echo(MSG_NOTHING_NEW.format(source=source))
    if report.skipped:
        typer.echo(MSG_SKIPPED_HEAD.format(n=len(report.skipped)))
        for skipped in report.skipped:
            typer.echo(f"  {skipped.label}: {skipped.message}")
    if report.notices:
        typer.echo(MSG_NOTICES_HEAD)
        for notice in report.notices:
            typer.echo(f"  {notice}")
    if report.interrupted:
        typer.echo(MSG_INTERRUPTED, err=True)


def _waiting(settings: Settings, person_id: int) -> int:
    from confide.models.importing import queued_transcriptions
    from confide.wiring import cli_session

    with cli_session(settings) as session:
        return queued_transcriptions(session, person_id)


def _transcribe(settings: Settings, person_id: int, name: str, unlocked: Keys | None,
                transcribe: bool, *, quiet: bool) -> dict[str, int]:
    """Drain the person's part of the durable queue with a progress bar; Ctrl+C leaves the
    rest queued (a job cut off mid-way is put back by the next run). Locked, the recordings
    cannot be opened: they wait for the next unlock."""
    from confide.models import jobs

    def say(line: str) -> None:
        if not quiet:
            typer.echo(line, err=True)

    waiting = _waiting(settings, person_id)
    if unlocked is None:
        say(MSG_LOCKED_WAITING.format(n=waiting, name=name))
        return {"transcribed": 0, "waiting": waiting}
    if not transcribe:
        say(MSG_TRANSCRIBE_LATER.format(n=waiting))
        return {"transcribed": 0, "waiting": waiting}
    from confide.voice.jobs_runner import run_one_job
    from confide.wiring import audio_store, cli_session, database
    from confide.wiring import transcriber as make_transcriber

    with cli_session(settings) as session:
        jobs.requeue_stale(session)
    try:
        with engine_errors():
            engine = make_transcriber(settings)
    except Unavailable as exc:
        say(MSG_NO_MODEL.format(reason=exc))
        say(MSG_TRANSCRIBE_LATER.format(n=waiting))
        return {"transcribed": 0, "waiting": waiting}
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    done = 0
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=_err, transient=True,
                      disable=quiet or not _err.is_terminal) as bar:
            task = bar.add_task(MSG_TRANSCRIBING.format(
                n=waiting, recordings=_word(waiting, "recording")), total=waiting)
            ring = {person_id: unlocked}
            while run_one_job(database(settings), audio_store(settings), engine,
                              lambda: ring) is not None:
                done += 1
                bar.update(task, completed=done, total=done + _waiting(settings, person_id))
    except KeyboardInterrupt:
        left = _waiting(settings, person_id)
        say(MSG_TRANSCRIPTION_STOPPED.format(n=left))
        raise typer.Exit(130) from None
    say(MSG_TRANSCRIBED.format(done=done, recordings=_word(done, "recording")))
    return {"transcribed": done, "waiting": _waiting(settings, person_id)}


@import_app.command("dayone")
def import_dayone(
    export: Annotated[Path, typer.Argument(
        help="The Day One JSON export: its zip, the unzipped folder, or Journal.json.")],
    as_: AsOption = None,
    journal: JournalOption = Journal.private,
    tz: TzOption = None,
    json_: JsonOption = False,
    transcribe: TranscribeOption = True,
    renamed_from: RenamedOption = None,
) -> None:
    """Import a Day One JSON export (text, tags, recordings).

    Dates keep their time zones; each recording in audios/ becomes a spoken entry and is
    transcribed. Photos, videos and PDFs are skipped with a note."""
    from confide.models.import_dayone import parse_dayone

    _run_import(export, "dayone", as_, journal, tz, json_, transcribe,
                lambda zone: parse_dayone(export, zone), renamed_from=renamed_from)


@import_app.command("jrnl")
def import_jrnl(
    export: Annotated[Path, typer.Argument(
        help="The file `jrnl --export json` wrote (use - for standard input).")],
    as_: AsOption = None,
    journal: JournalOption = Journal.private,
    tz: TzOption = None,
    json_: JsonOption = False,
    renamed_from: RenamedOption = None,
) -> None:
    """Import a jrnl JSON export (title and body, date and time, tags, starred)."""
    from confide.models.errors import InvalidInput
    from confide.models.import_jrnl import parse_jrnl

    def parse(zone: ZoneInfo) -> Parsed:
        if str(export) == "-":
            return parse_jrnl(sys.stdin.buffer.read(), zone, name="standard input")
        try:
            data = export.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"{export}: {exc.strerror or exc}.") from exc
        return parse_jrnl(data, zone, name=export.name)

    # Standard input is the export then, not the passphrase: the search index of these
    # entries is built at the next unlock.
    _run_import(export, "jrnl", as_, journal, tz, json_, False, parse, ask=str(export) != "-",
                renamed_from=renamed_from)


@import_app.command("text")
def import_text(
    folder: Annotated[Path, typer.Argument(help="A folder of .md or .txt files, one entry each.")],
    as_: AsOption = None,
    journal: JournalOption = Journal.private,
    tz: TzOption = None,
    json_: JsonOption = False,
) -> None:
    """Import a folder of Markdown or text files, one entry each.

    A file's date comes from its front matter (date:), its first heading, or its name
    (2024-03-05.md); tags and mood from its front matter."""
    from confide.models.import_text import parse_text_folder

    _run_import(folder, "text", as_, journal, tz, json_, False,
                lambda zone: parse_text_folder(folder, zone))


@import_app.command("memos")
def import_memos(
    folder: Annotated[Path, typer.Argument(
        help="A folder of voice memos: WAV, M4A, MP3, OGG, Opus, FLAC, AAC.")],
    as_: AsOption = None,
    journal: JournalOption = Journal.private,
    tz: TzOption = None,
    json_: JsonOption = False,
    transcribe: TranscribeOption = True,
) -> None:
    """Import a folder of voice memos as spoken entries, and transcribe them.

    A memo's date comes from its metadata, else its name (2024-03-05 18.22.m4a,
    20240305_182200.m4a), else its modification time. Stopped half-way? Run it again: it
    carries on."""
    from confide.models.import_memos import parse_memo_folder

    _run_import(folder, "memo", as_, journal, tz, json_, transcribe,
                lambda zone: parse_memo_folder(folder, zone))


app.add_typer(import_app, name="import")
