"""`confide entries`: the journal in the terminal — list, show, play and search here; tag,
mood, share, edit and delete in confide/cli_entries_change.py; all through the journal's own
operations (the same as the API's).

Every command asks for the passphrase (the words are sealed; ``--as`` alone never unlocks).
On a terminal listings are a table; piped they are plain lines, one entry a line, which
screen readers and scripts read whole; ``--json`` prints the shape README.md documents
(confide/cli_entries_view.py). Search starts without this module at all, from the quick
entry point (confide/cli_quick.py), and in a shell unlocked with ``confide unlock`` the
unlock agent answers it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import TYPE_CHECKING, Annotated, Any

import typer

from confide.cli import AsOption, app
from confide.cli_dates import parse_when
from confide.cli_entries_search import EntryContext
from confide.cli_entries_view import (
    MSG_NONE,
    Row,
    entry_item,
    excerpt,
    fold,
    print_json,
    print_rows,
    stdout_is_terminal,
)
from confide.cli_quick import MAX_HITS
from confide.cli_support import fail, settings_or_exit

if TYPE_CHECKING:
    import numpy as np

    from confide.models.tables import Response
    from confide.settings import Settings

__all__ = ["IdArgument", "JsonOption", "entries_app", "unlocked"]

entries_app = typer.Typer(
    help="Read, find and change your journal's entries (asks for your passphrase).",
    no_args_is_help=True,
)

MSG_NO_WORDS = "Entry {id} has no recording and no words to read aloud."


class Journal(enum.StrEnum):
    private = "private"
    shared = "shared"


class Author(enum.StrEnum):
    me = "me"
    partner = "partner"


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (shape in README.md).")]
IdArgument = Annotated[int, typer.Argument(help="The entry's number (see `confide entries list`).")]


@contextmanager
def unlocked(as_: str | None) -> Iterator[EntryContext]:
    """The person's journal, unlocked with their passphrase; errors as one line."""
    from confide.cli_entries_search import context_for
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session, resolve_person

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            unlock_in(session, settings, person, ask_passphrase(person.name))
            yield context_for(session, settings, person)
    except ConfideError as exc:
        fail(exc)


# -- list ------------------------------------------------------------------------------------
@entries_app.command("list")
def list_cmd(
    n: Annotated[int, typer.Option("-n", help="How many, newest first.", min=1)] = 20,
    from_: Annotated[str | None, typer.Option(
        "--from", help='From this day on: "last monday", "2024-03-05", "march 2024".')] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Up to and including this day (same words as --from).")] = None,
    journal: Annotated[Journal | None, typer.Option(help="Only this journal.")] = None,
    author: Annotated[Author | None, typer.Option(help="Only yours, or your partner's.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only entries with this tag.")] = None,
    contains: Annotated[str | None, typer.Option(
        help="Only entries whose words contain this (any case or accent).")] = None,
    prompt: Annotated[str | None, typer.Option(help="Only answers to this prompt id.")] = None,
    unread: Annotated[bool, typer.Option(
        "--unread", help="Only your partner's entries you have not opened yet.")] = False,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    """List entries, newest first, with filters."""
    from confide.models.entries import EntryFilter, list_entries

    with unlocked(as_) as ctx:
        flt = EntryFilter(
            journal=journal.value if journal else None,
            author=author.value if author else None,
            since=parse_when(from_, ctx.person.timezone) if from_ else None,
            until=parse_when(to, ctx.person.timezone, end=True) if to else None,
            prompt_id=prompt, tag=tag)
        needle = fold(contains) if contains else None
        found: list[Row] = []
        cursor: str | None = None
        while len(found) < n:
            page = list_entries(ctx.session, ctx.person, flt, cursor=cursor,
                                limit=200 if needle or unread else min(200, n))
            for row in page.entries:
                is_unread = not row.opened and row.author_id != ctx.person.id
                if unread and not is_unread:
                    continue
                if needle is not None and needle not in fold(row.transcript or ""):
                    continue
                found.append((entry_item(ctx, row, unread=is_unread), ctx.local(row.created_at),
                              excerpt(row.transcript)))
                if len(found) == n:
                    break
            cursor = page.next_cursor
            if cursor is None:
                break
        if json_:
            print_json([item for item, _when, _text in found])
        elif not found:
            typer.echo(MSG_NONE)
        else:
            print_rows(found, terminal=stdout_is_terminal())


# -- show ------------------------------------------------------------------------------------
def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, float(seconds)), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def _response_json(ctx: EntryContext, r: Response) -> dict[str, Any]:
    return {"id": r.id, "author": ctx.names.get(r.author_id, "?"),
            "mine": r.author_id == ctx.person.id, "text": r.text,
            "created_at": r.created_at.astimezone(UTC).isoformat(),
            "audio": r.audio_path is not None, "status": r.status}


@entries_app.command("show")
def show(entry_id: IdArgument, as_: AsOption = None, json_: JsonOption = False) -> None:
    """Show an entry: its words with the times they were said, and the responses."""
    from confide.models.entries import get_entry, mark_read, unread_ids
    from confide.models.responses import list_responses

    with unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        replies = list_responses(ctx.session, ctx.person, entry_id)
        was_unread = entry_id in unread_ids(ctx.session, ctx.person, [entry_id])
        mark_read(ctx.session, ctx.person, entry_id)
        item = entry_item(ctx, entry, unread=was_unread)
        item["language"] = entry.language
        item["segments"] = [{"start": s.get("start"), "end": s.get("end"), "text": s.get("text")}
                            for s in entry.segments or []]
        item["responses"] = [_response_json(ctx, r) for r in replies]
        if json_:
            print_json(item)
            return
        head = f"Entry {entry.id}, {ctx.local(entry.created_at)}, by {item['author']}, " \
               f"{item['journal']} journal"
        lines = [head]
        if entry.prompt_text:
            lines.append(f"Prompt: {entry.prompt_text}")
        if entry.tags:
            lines.append(f"Tags: {', '.join(entry.tags)}")
        if entry.mood:
            lines.append(f"Mood: {entry.mood}")
        if entry.audio_path:
            lines.append(f"Recording: {entry.audio_duration_s or 0:.1f} s "
                         f"(`confide entries play {entry.id}`)")
        if entry.edited_at is not None:
            lines.append(f"Edited {ctx.local(entry.edited_at)}; the recording is unchanged, "
                         "the timed lines below are what was heard.")
        lines.append("")
        if entry.edited_at is not None or not entry.segments:
            lines.append(entry.transcript or f"(no words yet: {entry.status})")
        if entry.segments:
            if entry.edited_at is not None:
                lines.append("")
            lines += [f"[{_clock(s.get('start', 0))}–{_clock(s.get('end', 0))}] "
                      f"{str(s.get('text', '')).strip()}" for s in entry.segments]
        if replies:
            lines += ["", f"Responses ({len(replies)}):"]
            lines += [f"  {ctx.names.get(r.author_id, '?')}, {ctx.local(r.created_at)}: "
                      f"{r.text or '(a recording, no words yet)'}" for r in replies]
        typer.echo("\n".join(lines))


# -- play ------------------------------------------------------------------------------------
def _speaker(settings: Settings) -> Any:
    from confide.voice.sound import SoundDeviceSpeaker

    return SoundDeviceSpeaker(settings.output_device)


def _synthesizer(settings: Settings) -> Any:
    from confide.wiring import synthesizer

    return synthesizer(settings)


def _decode_flac(data: bytes) -> tuple[np.ndarray, int]:
    import io

    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return samples, int(rate)


@entries_app.command("play")
def play(entry_id: IdArgument, as_: AsOption = None) -> None:
    """Play an entry's recording through the speaker, or read its words aloud."""
    from confide.models.entries import get_entry, mark_read
    from confide.models.sealing import require_keys
    from confide.wiring import audio_store

    with unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        if entry.audio_path:
            assert entry.id is not None
            key = require_keys(ctx.session, ctx.person).data_key(
                ctx.session, "entry", entry.id, ctx.person.couple_id)
            samples, rate = _decode_flac(audio_store(ctx.settings).read_audio(entry.audio_path,
                                                                              key))
        elif entry.transcript.strip():
            samples, rate = _synthesizer(ctx.settings).synthesize(
                entry.transcript, voice=ctx.person.tts_voice,
                rate=ctx.person.tts_rate or ctx.settings.tts_rate,
                volume=ctx.person.tts_volume if ctx.person.tts_volume is not None
                else ctx.settings.tts_volume)
        else:
            fail(MSG_NO_WORDS.format(id=entry_id))
        mark_read(ctx.session, ctx.person, entry_id)
        ctx.session.commit()
        speaker = _speaker(ctx.settings)
        try:
            speaker.play(samples, rate, wait=True)
        except KeyboardInterrupt:
            speaker.stop()


# -- search ----------------------------------------------------------------------------------
@entries_app.command("search")
def search_cmd(
    words: Annotated[list[str], typer.Argument(help="Words to find (every one must be there).")],
    n: Annotated[int, typer.Option("-n", help="At most this many, newest first.",
                                   min=1, max=MAX_HITS)] = 50,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    """Find entries by their words, tags or the responses under them."""
    from confide.cli_entries_search import run_search

    code = run_search(" ".join(words), n, as_, as_json=json_)
    if code:
        raise typer.Exit(code)


app.add_typer(entries_app, name="entries")


# The commands that change entries join entries_app; imported last, because they import the
# names above (importing this module first must work too: tests/process/test_entry_imports.py).
from confide import cli_entries_change  # noqa: E402, F401
