"""`confide entries tag|untag|mood|share|unshare|edit|delete`: changing one of your entries,
through the journal's own operations (the same as the API's); the recording is never
changed, and a deletion takes it with the entry."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from confide.cli import AsOption
from confide.cli_entries import IdArgument, entries_app, unlocked

__all__ = ["edit_in_editor"]

# Printed wording, kept together.
MSG_TAGS = "Entry {id} tags: {tags}."
MSG_MOOD = "Entry {id} mood: {mood}."
MSG_SHARED = "Entry {id} is now in the shared journal: your partner can read it."
MSG_UNSHARED = "Entry {id} is private again: only you can read it."
MSG_EDITED = "Entry {id} edited; the recording is unchanged."
MSG_UNCHANGED = "Entry {id} unchanged."
MSG_DELETE_ASK = "Delete entry {id} ({when}, {words} words{audio}) for good?"
MSG_DELETED = "Entry {id} deleted, with its recording and responses."
MSG_KEPT = "Kept entry {id}."
MSG_EDIT_HEAD = ("# Edit the words of entry {id}, save and close. Lines starting with # are "
                 "left out.\n# The recording is never changed; the entry is marked edited.\n")


@entries_app.command("tag")
def tag(entry_id: IdArgument,
        tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
        as_: AsOption = None) -> None:
    """Add tags to one of your entries."""
    from confide.models.entries import edit_entry, get_entry

    with unlocked(as_) as ctx:
        entry = get_entry(ctx.session, ctx.person, entry_id)
        done = edit_entry(ctx.session, ctx.person, entry_id, tags=[*(entry.tags or []), *tags])
        typer.echo(MSG_TAGS.format(id=entry_id, tags=", ".join(done.tags) or "none"))


@entries_app.command("untag")
def untag(entry_id: IdArgument,
          tags: Annotated[list[str], typer.Argument(help="Tags to take off.")],
          as_: AsOption = None) -> None:
    """Take tags off one of your entries."""
    from confide.models.entries import edit_entry, get_entry

    gone = {" ".join(t.split()).lower().lstrip("#") for t in tags}
    with unlocked(as_) as ctx:
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
    from confide.models.entries import edit_entry

    with unlocked(as_) as ctx:
        clear = value.strip().lower() in ("none", "-", "")
        done = edit_entry(ctx.session, ctx.person, entry_id,
                          mood=None if clear else value.strip().lower(), clear_mood=clear)
        typer.echo(MSG_MOOD.format(id=entry_id, mood=done.mood or "none"))


@entries_app.command("share")
def share(entry_id: IdArgument, as_: AsOption = None) -> None:
    """Move one of your entries to the shared journal, for your partner to read."""
    from confide.models.entries import set_visibility

    with unlocked(as_) as ctx:
        set_visibility(ctx.session, ctx.person, entry_id, "shared")
        typer.echo(MSG_SHARED.format(id=entry_id))


@entries_app.command("unshare")
def unshare(entry_id: IdArgument, as_: AsOption = None) -> None:
    """Take one of your entries back into your private journal."""
    from confide.models.entries import set_visibility

    with unlocked(as_) as ctx:
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
    from confide.models.entries import edit_entry, get_entry
    from confide.models.errors import Forbidden

    with unlocked(as_) as ctx:
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
    from confide.models.entries import delete_entry, get_entry
    from confide.models.errors import Forbidden
    from confide.wiring import audio_store

    with unlocked(as_) as ctx:
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
