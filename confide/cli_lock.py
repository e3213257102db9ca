"""`confide unlock` and `confide lock`: one passphrase for a whole terminal session."""

from __future__ import annotations

import shlex
import sys
from typing import Annotated

import typer

from confide.cli import AsOption, app
from confide.cli_support import err, fail, settings_or_exit

__all__ = ["lock", "unlock"]


@app.command()
def unlock(
    as_: AsOption = None,
    minutes: Annotated[float, typer.Option(min=1, max=24 * 60, help=(
        "Forget the key after this many minutes without use."))] = 30,
    remember: Annotated[bool, typer.Option("--remember", help=(
        "Keep the key in this computer account's OS keyring instead: the journal then opens "
        "without a passphrase for anyone who uses this account. For a person who cannot type "
        "and has an account of their own."))] = False,
) -> None:
    """Unlock your journal for this terminal session, as ssh-agent does for keys: run it as
    eval "$(confide unlock --as NAME)" and later commands in this shell will not ask."""
    from confide.agent import ENV, start_agent
    from confide.cli_unlock import ask_passphrase, keyring_available, remember_secret, unlock_in
    from confide.models.errors import ConfideError
    from confide.wiring import cli_session, resolve_person

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            keys = unlock_in(session, settings, person, ask_passphrase(person.name))
            if remember:
                if not keyring_available():
                    fail("This computer account has no OS keyring (Secret Service, Keychain "
                         "or Credential Locker); unlock with the passphrase instead.")
                remember_secret(person.name, keys.secret)
                err.print(f"{person.name}'s journal now opens on this computer account "
                          "without a passphrase; `confide lock --forget` undoes it.")
                return
            socket_path = start_agent(person.name, keys.secret, minutes)
    except ConfideError as exc:
        fail(exc)
    sys.stdout.write(f"{ENV}={shlex.quote(str(socket_path))}; export {ENV};\n")
    err.print(f"{person.name}'s journal is unlocked in this shell for {minutes:g} minutes "
              "without use; `confide lock` locks it now.")


@app.command()
def lock(
    as_: AsOption = None,
    forget: Annotated[bool, typer.Option("--forget", help=(
        "Also remove the key kept in the OS keyring by `unlock --remember`."))] = False,
) -> None:
    """Lock again: this terminal session's unlock agent forgets the key and ends."""
    from confide.agent import lock_agent
    from confide.cli_unlock import forget_secret
    from confide.wiring import cli_session, resolve_person

    if forget:
        settings = settings_or_exit()
        with cli_session(settings) as session:
            name = resolve_person(session, settings, as_).name
        err.print("Removed from the keyring." if forget_secret(name) else
                  "Nothing was kept in the keyring.")
    if lock_agent():
        err.print("Locked.")
    elif not forget:
        err.print("Nothing was unlocked in this shell.")
