"""`confide entries`: the journal in the terminal — list, show, play, search, tag, mood,
share, edit and delete, all through the journal's own operations (the same as the API's).

Every command asks for the passphrase (the words are sealed; ``--as`` alone never unlocks).
On a terminal listings are a table; piped they are plain lines, one entry a line, which
screen readers and scripts read whole; ``--json`` prints the shape README.md documents.
"""

from __future__ import annotations

import enum
import json
import os
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from confide.cli import AsOption, app
from confide.cli_support import fail, out, settings_or_exit

if TYPE_CHECKING:
    import numpy as np
    from sqlmodel import Session

    from confide.settings import Settings
    from models.entries import EntryView
    from models.tables import Person, Response

__all__ = ["entries_app", "parse_when"]

entries_app = typer.Typer(
    help="Read, find and change your journal's entries (asks for your passphrase).",
    no_args_is_help=True,
)

# Printed wording, kept together.
MSG_NONE = "No entries."
MSG_NO_HITS = "Nothing found for {words!r}."
MSG_BAD_DATE = "Cannot read the date {text!r}: try 2024-03-05, yesterday or last monday."
MSG_TAGS = "Entry {id} tags: {tags}."
MSG_MOOD = "Entry {id} mood: {mood}."
MSG_SHARED = "Entry {id} is now in the shared journal: your partner can read it."
MSG_UNSHARED = "Entry {id} is private again: only you can read it."
MSG_EDITED = "Entry {id} edited; the recording is unchanged."
MSG_UNCHANGED = "Entry {id} unchanged."
MSG_DELETE_ASK = "Delete entry {id} ({when}, {words} words{audio}) for good?"
MSG_DELETED = "Entry {id} deleted, with its recording and responses."
MSG_KEPT = "Kept entry {id}."
MSG_NO_WORDS = "Entry {id} has no recording and no words to read aloud."
MSG_EDIT_HEAD = ("# Edit the words of entry {id}, save and close. Lines starting with # are "
                 "left out.\n# The recording is never changed; the entry is marked edited.\n")

class Journal(enum.StrEnum):
    private = "private"
    shared = "shared"


class Author(enum.StrEnum):
    me = "me"
    partner = "partner"


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (shape in README.md).")]
IdArgument = Annotated[int, typer.Argument(help="The entry's number (see `confide entries list`).")]


# -- dates -----------------------------------------------------------------------------------
def parse_when(text: str, zone: str, *, end: bool = False,
               now: datetime | None = None) -> datetime:
    """A date in everyday words ("yesterday", "last monday", "2024-03-05", "march 2024") in
    the person's zone, as UTC. A day, month or year means all of it: its start for
    ``--from``, the start of the next for ``--to`` (``end``), which is exclusive."""
    from dateparser.date import DateDataParser

    from models.errors import InvalidInput

    settings: dict[str, Any] = {"TIMEZONE": zone, "RETURN_AS_TIMEZONE_AWARE": True,
                                "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
        settings["TIMEZONE"] = "UTC"
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(tz).replace(tzinfo=None)
    found = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if found is None or found.date_obj is None:
        raise InvalidInput(MSG_BAD_DATE.format(text=text))
    moment: datetime = found.date_obj.astimezone(tz)
    period = found.period or "day"
    if period == "time":
        return moment.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        start = day.replace(day=1)
        stop = (start + timedelta(days=32)).replace(day=1)
    elif period == "year":
        start = day.replace(month=1, day=1)
        stop = start.replace(year=start.year + 1)
    else:
        start = day
        stop = (day + timedelta(days=1, hours=2)).replace(hour=0)  # a 23- or 25-hour day
    chosen = stop if end else start
    return datetime.combine(chosen.date(), chosen.time(), tzinfo=tz).astimezone(UTC)


# -- shared plumbing --------------------------------------------------------------------------
@dataclass(slots=True)
class _Ctx:
    settings: Settings
    session: Session
    person: Person
    names: dict[int, str]
    private_journal_id: int

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.person.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def local(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def journal(self, journal_id: int) -> str:
        return "private" if journal_id == self.private_journal_id else "shared"


@contextmanager
def _unlocked(as_: str | None) -> Iterator[_Ctx]:
    """The person's journal, unlocked with their passphrase; errors as one line."""
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.wiring import cli_session, resolve_person
    from models.errors import ConfideError
    from models.visibility import viewer_for

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            unlock_in(session, settings, person, ask_passphrase(person.name))
            viewer = viewer_for(session, person)
            names = {viewer.person_id: person.name}
            if viewer.partner_id is not None:
                names[viewer.partner_id] = viewer.partner_name or "your partner"
            yield _Ctx(settings, session, person, names, viewer.private_journal_id)
    except ConfideError as exc:
        fail(str(exc))


def _item(ctx: _Ctx, entry: EntryView, *, unread: bool) -> dict[str, Any]:
    """One entry as --json prints it (README.md, "JSON output"): fields are only added."""
    edited = getattr(entry, "edited_at", None)
    return {
        "id": entry.id,
        "created_at": entry.created_at.astimezone(UTC).isoformat(),
        "journal": ctx.journal(entry.journal_id),
        "author": ctx.names.get(entry.author_id, "?"),
        "mine": entry.author_id == ctx.person.id,
        "kind": entry.kind,
        "prompt_id": entry.prompt_id,
        "prompt": entry.prompt_text,
        "transcript": entry.transcript,
        "word_count": entry.word_count,
        "mood": entry.mood,
        "tags": list(entry.tags or []),
        "status": entry.status,
        "audio": entry.audio_path is not None,
        "audio_duration_s": entry.audio_duration_s,
        "unread": unread,
        "edited_at": edited.astimezone(UTC).isoformat() if edited is not None else None,
    }


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _excerpt(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _line(item: dict[str, Any], when: str, text: str) -> str:
    """One entry as one plain line: what a screen reader reads out, in a fixed order."""
    parts = [f"Entry {item['id']}", when, f"by {item['author']}", f"{item['journal']} journal",
             f"{item['word_count']} words"]
    if item["audio"]:
        parts.append(f"recording {item['audio_duration_s'] or 0:.0f} s")
    if item["unread"]:
        parts.append("unread")
    if item["mood"]:
        parts.append(f"mood {item['mood']}")
    if item["tags"]:
        parts.append("tags " + " ".join(item["tags"]))
    if item["edited_at"]:
        parts.append("edited")
    return ", ".join(parts) + f": {text or '(no words yet)'}"


def _print_listing(ctx: _Ctx, rows: Sequence[tuple[EntryView, dict[str, Any], str]]) -> None:
    if out.is_terminal:
        from rich.table import Table

        table = Table("#", "when", "by", "journal", "tags", "mood", "words")
        for entry, item, text in rows:
            table.add_row(str(item["id"]), ctx.local(entry.created_at), item["author"]
                          + (" •" if item["unread"] else ""), item["journal"],
                          ", ".join(item["tags"]), item["mood"] or "",
                          text or "[dim](no words yet)[/]")
        out.print(table)
        return
    for entry, item, text in rows:
        typer.echo(_line(item, ctx.local(entry.created_at), text))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


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
    from models.entries import EntryFilter, list_entries

    with _unlocked(as_) as ctx:
        flt = EntryFilter(
            journal=journal.value if journal else None,
            author=author.value if author else None,
            since=parse_when(from_, ctx.person.timezone) if from_ else None,
            until=parse_when(to, ctx.person.timezone, end=True) if to else None,
            prompt_id=prompt, tag=tag)
        needle = _fold(contains) if contains else None
        found: list[tuple[EntryView, dict[str, Any], str]] = []
        cursor: str | None = None
        while len(found) < n:
            page = list_entries(ctx.session, ctx.person, flt, cursor=cursor,
                                limit=200 if needle or unread else min(200, n))
            for row in page.entries:
                is_unread = not row.opened and row.author_id != ctx.person.id
                if unread and not is_unread:
                    continue
                if needle is not None and needle not in _fold(row.transcript or ""):
                    continue
                found.append((row, _item(ctx, row, unread=is_unread), _excerpt(row.transcript)))
                if len(found) == n:
                    break
            cursor = page.next_cursor
            if cursor is None:
                break
        if json_:
            _print_json([item for _row, item, _text in found])
        elif not found:
            typer.echo(MSG_NONE)
        else:
            _print_listing(ctx, found)


# -- show ------------------------------------------------------------------------------------
def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, float(seconds)), 60)
    return f"{int(minutes)}:{secs:04.1f}"


def _response_json(ctx: _Ctx, r: Response) -> dict[str, Any]:
    return {"id": r.id, "author": ctx.names.get(r.author_id, "?"),
            "mine": r.author_id == ctx.person.id, "text": r.text,
            "created_at": r.created_at.astimezone(UTC).isoformat(),
            "audio": r.audio_path is not None, "status": r.status}


@entries_app.command("show")
def show(entry_id: IdArgument, as_: AsOption = None, json_: JsonOption = False) -> None:
    """Show an entry: its words with the times they were said, and the responses."""
    from models.entries import get_entry, mark_read, unread_ids
    from models.responses import list_responses

    with _unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        replies = list_responses(ctx.session, ctx.person, entry_id)
        was_unread = entry_id in unread_ids(ctx.session, ctx.person, [entry_id])
        mark_read(ctx.session, ctx.person, entry_id)
        item = _item(ctx, entry, unread=was_unread)
        item["language"] = entry.language
        item["segments"] = [{"start": s.get("start"), "end": s.get("end"), "text": s.get("text")}
                            for s in entry.segments or []]
        item["responses"] = [_response_json(ctx, r) for r in replies]
        if json_:
            _print_json(item)
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
    from voice.sound import SoundDeviceSpeaker

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
    from confide.wiring import audio_store
    from models.entries import get_entry, mark_read
    from models.sealing import require_keys

    with _unlocked(as_) as ctx:
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
                                   min=1, max=200)] = 50,
    as_: AsOption = None,
    json_: JsonOption = False,
) -> None:
    """Find entries by their words, tags or the responses under them."""
    from models.entries import unread_ids
    from models.search import search

    with _unlocked(as_) as ctx:
        text = " ".join(words)
        hits = search(ctx.session, ctx.person, text, limit=n)
        unread = unread_ids(ctx.session, ctx.person, [h.entry.id for h in hits if h.entry.id])
        rows = [(h.entry, _item(ctx, h.entry, unread=h.entry.id in unread) | {
            "snippet": h.snippet}, h.snippet) for h in hits]
        if json_:
            _print_json([item for _e, item, _s in rows])
        elif not rows:
            typer.echo(MSG_NO_HITS.format(words=text))
        else:
            _print_listing(ctx, rows)


# -- changes ---------------------------------------------------------------------------------
@entries_app.command("tag")
def tag(entry_id: IdArgument,
        tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
        as_: AsOption = None) -> None:
    """Add tags to one of your entries."""
    from models.entries import edit_entry, get_entry

    with _unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        done = edit_entry(ctx.session, ctx.person, entry_id, tags=[*(entry.tags or []), *tags])
        typer.echo(MSG_TAGS.format(id=entry_id, tags=", ".join(done.tags) or "none"))


@entries_app.command("untag")
def untag(entry_id: IdArgument,
          tags: Annotated[list[str], typer.Argument(help="Tags to take off.")],
          as_: AsOption = None) -> None:
    """Take tags off one of your entries."""
    from models.entries import edit_entry, get_entry

    gone = {" ".join(t.split()).lower().lstrip("#") for t in tags}
    with _unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        done = edit_entry(ctx.session, ctx.person, entry_id,
                          tags=[t for t in entry.tags or [] if t not in gone])
        typer.echo(MSG_TAGS.format(id=entry_id, tags=", ".join(done.tags) or "none"))


@entries_app.command("mood")
def mood(entry_id: IdArgument,
         value: Annotated[str, typer.Argument(
             metavar="MOOD", help="calm, hopeful, grateful, tender, anxious, sad, angry, hurt, "
             "tired; or none to clear it.")],
         as_: AsOption = None) -> None:
    """Set the mood of one of your entries."""
    from models.entries import edit_entry

    with _unlocked(as_) as ctx:
        clear = value.strip().lower() in ("none", "-", "")
        done = edit_entry(ctx.session, ctx.person, entry_id,
                          mood=None if clear else value.strip().lower(), clear_mood=clear)
        typer.echo(MSG_MOOD.format(id=entry_id, mood=done.mood or "none"))


@entries_app.command("share")
def share(entry_id: IdArgument, as_: AsOption = None) -> None:
    """Move one of your entries to the shared journal, for your partner to read."""
    from models.entries import set_visibility

    with _unlocked(as_) as ctx:
        set_visibility(ctx.session, ctx.person, entry_id, "shared")
        typer.echo(MSG_SHARED.format(id=entry_id))


@entries_app.command("unshare")
def unshare(entry_id: IdArgument, as_: AsOption = None) -> None:
    """Take one of your entries back into your private journal."""
    from models.entries import set_visibility

    with _unlocked(as_) as ctx:
        set_visibility(ctx.session, ctx.person, entry_id, "private")
        typer.echo(MSG_UNSHARED.format(id=entry_id))


def _wipe(path: Path) -> None:
    """Overwrite a file that held plain words, then remove it."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def edit_in_editor(text: str, head: str) -> str | None:
    """The text as the person left it in $EDITOR (None if they quit without saving).

    The plain words are on disk only while the editor runs: in a fresh folder only this
    account can open (0700), overwritten and removed with everything the editor put beside
    it (swap and backup files) as soon as it closes."""
    import click

    folder = Path(tempfile.mkdtemp(prefix="confide-edit-"))
    try:
        os.chmod(folder, 0o700)
        path = folder / "entry.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(head + text + "\n")
        before = path.stat().st_mtime_ns
        click.edit(filename=str(path), editor=os.environ.get("VISUAL") or None)
        if path.stat().st_mtime_ns == before:
            return None
        lines = path.read_text(encoding="utf-8").splitlines()
        return "\n".join(line for line in lines if not line.startswith("#")).strip()
    finally:
        for leftover in folder.rglob("*"):
            if leftover.is_file():
                _wipe(leftover)
        shutil.rmtree(folder, ignore_errors=True)


@entries_app.command("edit")
def edit(entry_id: IdArgument, as_: AsOption = None) -> None:
    """Correct the words of one of your entries in $EDITOR; the recording is never changed
    and the entry is marked edited."""
    from models.entries import edit_entry, get_entry
    from models.errors import Forbidden

    with _unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        if entry.author_id != ctx.person.id:
            raise Forbidden("Only the author can change this entry.")
        new = edit_in_editor(entry.transcript, MSG_EDIT_HEAD.format(id=entry_id))
        if new is None or new == entry.transcript.strip():
            typer.echo(MSG_UNCHANGED.format(id=entry_id))
            return
        edit_entry(ctx.session, ctx.person, entry_id, transcript=new)
        typer.echo(MSG_EDITED.format(id=entry_id))


@entries_app.command("delete")
def delete(entry_id: IdArgument,
           yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
           as_: AsOption = None) -> None:
    """Delete one of your entries for good, with its recording and its responses."""
    from confide.wiring import audio_store
    from models.entries import delete_entry, get_entry
    from models.errors import Forbidden

    with _unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        if entry.author_id != ctx.person.id:
            raise Forbidden("Only the author can delete this entry.")
        if not yes and not typer.confirm(MSG_DELETE_ASK.format(
                id=entry_id, when=ctx.local(entry.created_at), words=entry.word_count,
                audio=", and its recording" if entry.audio_path else ""), default=False):
            typer.echo(MSG_KEPT.format(id=entry_id))
            return
        delete_entry(ctx.session, audio_store(ctx.settings), ctx.person, entry_id)
        typer.echo(MSG_DELETED.format(id=entry_id))


app.add_typer(entries_app, name="entries")
