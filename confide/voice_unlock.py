"""Unlocking by voice, for a person who opted in (`confide people spoken-passphrase`): the
loop asks for the phrase, hears it, and opens the journal with it. What was heard is never
printed or logged; three misses (or "skip") and the session goes on locked, replies still
saved sealed."""

from __future__ import annotations

from typing import Any

from confide.models.keys import Keys
from confide.settings import Settings

__all__ = ["unlock_by_voice"]

TRIES = 3


def unlock_by_voice(session: Any, settings: Settings, person_id: int) -> Keys | None:
    """``session``: the voice session (its ``say`` and ``listener``)."""
    from confide.cli_unlock import settled
    from confide.models import accounts, keys
    from confide.models.errors import ConfideError, NotAuthenticated
    from confide.voice.commands import Command, recognise
    from confide.voice.phrases import P
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        if not keys.has_spoken_passphrase(s, person_id):
            return None
    for _ in range(TRIES):
        session.say(P.SAY_PASSPHRASE, key="SAY_PASSPHRASE")
        heard = session.listener.utterance(timeout_s=12.0, pause_s=1.2, short=False)
        if not heard or recognise(heard).command in (Command.SKIP, Command.NO, Command.STOP):
            break
        try:
            with cli_session(settings) as s:
                person = accounts.get_person(s, person_id)
                opened = settled(s, settings, person, keys.unlock_spoken(s, person, heard))
        except NotAuthenticated:
            session.say(P.NOT_UNLOCKED_BY_VOICE, key="NOT_UNLOCKED_BY_VOICE")
            continue
        except ConfideError as exc:  # rate limited: said as it is
            session.say(str(exc))
            break
        session.say(P.UNLOCKED_BY_VOICE, key="UNLOCKED_BY_VOICE")
        return opened
    session.say(P.STAYS_LOCKED, key="STAYS_LOCKED")
    return None
