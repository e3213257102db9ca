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
) -> None:
    """Unlock your journal for this terminal session, as ssh-agent does for keys: run it as
    eval "$(confide unlock --as NAME)" and later commands in this shell will not ask."""
    from confide.agent import ENV, start_agent
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.wiring import cli_session, resolve_person
    from models.errors import ConfideError

    settings = settings_or_exit()
    try:
        with cli_session(settings) as session:
            person = resolve_person(session, settings, as_)
            keys = unlock_in(session, settings, person, ask_passphrase(person.name))
            socket_path = start_agent(person.name, keys.secret, minutes)
    except (ConfideError, RuntimeError) as exc:
        fail(str(exc))
    sys.stdout.write(f"{ENV}={shlex.quote(str(socket_path))}; export {ENV};\n")
    err.print(f"{person.name}'s journal is unlocked in this shell for {minutes:g} minutes "
              "without use; `confide lock` locks it now.")


@app.command()
def lock() -> None:
    """Lock again: this terminal session's unlock agent forgets the key and ends."""
    from confide.agent import lock_agent

    if lock_agent():
        err.print("Locked.")
    else:
        err.print("Nothing was unlocked in this shell.")
