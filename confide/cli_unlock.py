"""Unlocking in the terminal: a plain passphrase prompt (one line, no cursor tricks, so it
works with screen readers and braille displays), or one line on standard input when it is
not a terminal (``confide export j.zip --as Alex < passphrase-file``). ``--as`` names
whose journal it is; it never unlocks anything by itself."""

from __future__ import annotations

import sys

import typer
from sqlmodel import Session

from confide.settings import Settings
from models.keys import Keys
from models.tables import Person

__all__ = ["ask_passphrase", "unlock_in"]


def ask_passphrase(name: str, *, optional: bool = False) -> str:
    """The passphrase typed at a prompt, or read as one line from a pipe ("" if none)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    hint = " (press Enter to go on without unlocking)" if optional else ""
    return str(typer.prompt(f"Passphrase for {name}'s journal{hint}", hide_input=True,
                            default="" if optional else None, show_default=False))


def unlock_in(session: Session, settings: Settings, person: Person, passphrase: str) -> Keys:
    """Open the person's keys in this session, then do what waited for them (files and
    index replies written locked, seal a journal from before sealing). Wrong passphrases are
    counted and refused past five (models/keys.py)."""
    from confide.wiring import audio_store
    from models.accounts import sign_in
    from models.errors import Locked
    from models.sealing import use_keys
    from models.unlocking import settle, wipe_free_space

    if not passphrase:
        raise Locked(f"{person.name}'s journal is sealed: give the passphrase to open it.")
    _person, unlocked = sign_in(session, person.name, passphrase)
    use_keys(session, unlocked)
    done = settle(session, audio_store(settings), unlocked, person)
    session.commit()
    if done.sealed_old:
        wipe_free_space(session.get_bind())  # type: ignore[arg-type]
    return unlocked
