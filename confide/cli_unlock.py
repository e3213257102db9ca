"""Unlocking in the terminal: a plain passphrase prompt (one line, no cursor tricks, so it
works with screen readers and braille displays), or one line on standard input when it is
not a terminal (``confide export j.zip --as Alex < passphrase-file``). ``--as`` names
whose journal it is; it never unlocks anything by itself."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session

from confide.models.keys import Keys
from confide.models.tables import Person
from confide.settings import Settings

__all__ = ["ask_passphrase", "forget_secret", "keyring_available", "keys_from_secret",
           "remember_secret", "remembered_secret", "settled", "unlock_in"]

KEYRING_SERVICE = "confide"


_FROM_AGENT = "\x00from the unlock agent"
"""What ``ask_passphrase`` answers when this terminal session's agent holds the person's
secret (no one can type it), so every command that asks uses the agent the same way."""


def ask_passphrase(name: str, *, optional: bool = False) -> str:
    """The passphrase typed at a prompt, or read as one line from a pipe ("" if none); no
    question at all when ``confide unlock`` already unlocked this person in this shell."""
    from confide.agent import ask_agent

    if ask_agent(name) is not None or remembered_secret(name) is not None:
        return _FROM_AGENT
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import typer  # only to ask at a terminal: a quick search piped its passphrase need not load it

    hint = " (press Enter to go on without unlocking)" if optional else ""
    return str(typer.prompt(f"Passphrase for {name}'s journal{hint}", hide_input=True,
                            default="" if optional else None, show_default=False))


def unlock_in(session: Session, settings: Settings, person: Person, passphrase: str) -> Keys:
    """Open the person's keys in this session, then do what waited for them (files and
    index replies written locked, seal a journal from before sealing). Wrong passphrases are
    counted and refused past five (models/keys.py)."""
    from confide.models.accounts import sign_in
    from confide.models.errors import Locked

    if not passphrase:
        raise Locked(f"{person.name}'s journal is sealed: give the passphrase to open it.")
    if passphrase == _FROM_AGENT:
        unlocked = _from_agent(session, person)
    else:
        _person, unlocked = sign_in(session, person.name, passphrase)
    return settled(session, settings, person, unlocked)


def settled(session: Session, settings: Settings, person: Person, unlocked: Keys) -> Keys:
    """Install opened keys in the session and do the work that waited for them."""
    from confide.models.sealing import use_keys
    from confide.models.unlocking import settle, wipe_free_space
    from confide.wiring import audio_store

    use_keys(session, unlocked)
    done = settle(session, audio_store(settings), unlocked, person)
    session.commit()
    if done.sealed_old:
        wipe_free_space(session.get_bind())  # type: ignore[arg-type]
    return unlocked


def _from_agent(session: Session, person: Person) -> Keys:
    """The agent's secret, checked against the person's public key (a stale or foreign
    agent gives nothing)."""
    from confide.agent import ask_agent

    return keys_from_secret(session, person, ask_agent(person.name)
                            or remembered_secret(person.name))


def keys_from_secret(session: Session, person: Person, secret: bytes | None) -> Keys:
    """The person's keys from a secret held outside the database (the unlock agent, the OS
    keyring), once it proves to be theirs: it must match their public key."""
    from confide.models.crypto import public_of
    from confide.models.errors import Locked
    from confide.models.tables import PersonKey

    row = session.get(PersonKey, person.id)
    if secret is None or row is None or public_of(secret) != row.public_key:
        raise Locked(f"The unlock agent does not hold {person.name}'s key; unlock again.")
    assert person.id is not None
    return Keys(person.id, secret)


def _keyring_user(name: str) -> str:
    # The data dir is part of the name: two journals on one account never share a key.
    from confide.settings import load_settings

    return f"{load_settings().data_dir.resolve()}:{' '.join(name.split()).lower()}"


def keyring_available() -> bool:
    """Whether this computer account has an OS keyring (Secret Service, Keychain, ...);
    a headless server usually has none, and Confide works without it."""
    try:
        import keyring
        from keyring.backends.fail import Keyring as NoKeyring
    except ImportError:
        return False
    return not isinstance(keyring.get_keyring(), NoKeyring)


def remember_secret(name: str, secret: bytes) -> None:
    """Keep the person's secret in the OS keyring: their journal then opens on this computer
    account without a passphrase (so anyone who uses this account can read it)."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, _keyring_user(name), secret.hex())
    _marker().parent.mkdir(parents=True, exist_ok=True)
    _marker().touch()


def _marker() -> Path:
    """Written by ``unlock --remember`` (holding no secret): asking the OS keyring costs a
    sixth of a second, so only a journal that has used it asks."""
    from confide.settings import load_settings

    return load_settings().data_dir / "keyring-used"


def remembered_secret(name: str) -> bytes | None:
    if not _marker().exists() or not keyring_available():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        found = keyring.get_password(KEYRING_SERVICE, _keyring_user(name))
    except KeyringError:
        return None
    return bytes.fromhex(found) if found else None


def forget_secret(name: str) -> bool:
    if not keyring_available():
        return False
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, _keyring_user(name))
    except (PasswordDeleteError, KeyringError):
        return False
    return True
