"""`confide demo`: one whole spoken session on a virtual sound server, a synthesized person
(espeak-ng) answering through the virtual microphone, wired as `confide speak` is."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from confide.cli import app
from confide.cli_support import err, out, settings_or_exit
from confide.settings import Settings

__all__ = ["DEMO_ANSWERS", "DEMO_PASSPHRASES", "DEMO_REPLY", "demo", "demo_answer"]

log = logging.getLogger(__name__)


DEMO_REPLY = (
    "Tonight I noticed that I felt calmer when we talked at dinner without our phones. "
    "I trusted that you were really listening to me, and I want to keep doing that. "
    "That's it. I'm done."
)


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo journal lives "
                                                  "(default: <data dir>/demo).")] = None,
) -> None:
    """One whole spoken session on a virtual sound server, a synthesized person answering."""
    from confide.settings import load_settings
    from confide.voice.devices import refresh
    from confide.voice.virtual_sound import VirtualSoundServer

    base = settings_or_exit()
    folder = data_dir or base.data_dir / "demo"
    settings = load_settings(data_dir=folder, database_url=None)
    server = VirtualSoundServer().start()
    try:
        refresh()
        _run_demo(settings, server)
    finally:
        server.stop()


DEMO_PASSPHRASES = {"Alex": "demo passphrase alex", "Sam": "demo passphrase sam"}
"""The demo's made-up people unlock with these; a real person's passphrase is never stored."""


def _seed_demo(settings: Settings) -> int:
    from datetime import timedelta

    from confide.models import accounts, couples, entries, goals
    from confide.models.errors import NotFound
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        try:
            alex = accounts.get_person_by_name(s, "Alex")
        except NotFound:
            alex = accounts.register(s, "Alex", DEMO_PASSPHRASES["Alex"])
            sam = accounts.register(s, "Sam", DEMO_PASSPHRASES["Sam"])
            invite = couples.create_invite(s, alex, timedelta(hours=1))
            couples.join_couple(s, sam, invite.code)
            goals.create_goal(s, alex, "No phones at dinner", "So we really listen.")
        sam = accounts.get_person_by_name(s, "Sam")
        entries.create_written_entry(
            s, sam, "I felt close to you today when you asked about my work and waited "
            "for the whole answer.", journal="shared")
        assert alex.id is not None
        return alex.id


def _run_demo(settings: Settings, server: object) -> None:
    from confide.cli_voice import build_session  # here: cli_voice imports the CLI, which imports this
    from confide.voice.session import VoiceSession
    from confide.voice.virtual_sound import VirtualSoundServer

    person_id = _seed_demo(settings)
    out.print(f"[bold]Confide demo[/] — journal in {settings.data_dir}")
    from confide.voice.voices import describe
    from confide.wiring import synthesizer as voices

    out.print(f"Confide speaks with {describe(voices(settings).choice(settings.tts_voice))}; "
              "a synthesized person, Alex, answers through the virtual microphone.\n")
    session = build_session(settings, person_id)
    assert isinstance(session, VoiceSession)
    from confide.cli_unlock import unlock_in
    from confide.models import accounts
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        session.unlocked = unlock_in(s, settings, accounts.get_person(s, person_id),
                                     DEMO_PASSPHRASES["Alex"])
    session.home = True
    if isinstance(server, VirtualSoundServer):
        feeder = threading.Thread(target=_feed_answers, args=(server, session.report.keys),
                                  daemon=True)
        feeder.start()
    report = session.run()
    from confide.models.entries import get_entry
    from confide.models.errors import NotFound
    from confide.models.sealing import use_keys

    with cli_session(settings) as s:
        use_keys(s, session.unlocked)
        alex = accounts.get_person(s, person_id)
        for entry_id in report.saved:
            try:
                entry = get_entry(s, alex, entry_id)
            except NotFound:
                continue
            if entry is not None:
                out.print(f"\nStored entry {entry.id} ({entry.status}, {entry.word_count} words, "
                          f"audio {entry.audio_path}):\n  {entry.transcript}")
    if not report.saved:
        err.print("The demo ended without saving an entry.")
        raise typer.Exit(1)


# What the demo person answers, by the catalog name of what Confide asked last (voice.phrases.P);
# anything else (a prompt) gets the reflection.
DEMO_ANSWERS: dict[str, list[str]] = {
    "NEWS_OFFER_ONE": ["Yes please."],
    "NEWS_OFFER_MANY": ["Yes please."],
    "ANSWER_OFFER": ["No."],
    "AFTER_SAVE": ["Read it back.", "Share it.", "Next."],
    "FOLLOW_UP_OFFER": ["No thanks."],
    "GOAL_CHECKIN": ["Four."],
    "GOAL_REFLECT": ["No."],
    "YES_NO": ["No."],
    "CONFIRM_DELETE": ["No."],
    # The home and one look back, then tonight's reflection; silence at the end is good night.
    "HOME": ["What did Sam share?"],
    "LIST_CHOOSE": ["Play the first one."],
    "AFTER_PARTNERS": ["Go home."],
    "HOME_AGAIN": ["Just start.", ""],
    "NOT_UNDERSTOOD": ["Just start.", ""],
}


def demo_answer(last_key: str, counts: dict[str, int]) -> str:
    """The demo person's next line: a scripted answer to a question, else the reflection."""
    lines = DEMO_ANSWERS.get(last_key)
    if lines is None:
        return DEMO_REPLY
    n = counts.get(last_key, 0)
    counts[last_key] = n + 1
    return lines[min(n, len(lines) - 1)]


def _feed_answers(server: object, asked: list[str]) -> None:
    """Answer each listening turn, spoken into the virtual microphone by espeak-ng."""
    import tempfile

    from confide.voice.virtual_sound import VirtualSoundServer, speak_to_file

    assert isinstance(server, VirtualSoundServer)
    folder = Path(tempfile.mkdtemp(prefix="confide-demo-"))
    counts: dict[str, int] = {}
    for turn in range(40):
        try:
            server.wait_for_recorder(timeout=120)
        except Exception:
            return
        line = demo_answer(asked[-1] if asked else "", counts)
        if line:  # "" is silence: the listening turn times out
            wav = speak_to_file(line, folder / f"answer-{turn}.wav")
            time.sleep(0.3)
            log.info("demo person says %r", line)
            server.play_into_mic(wav).wait()
        deadline = time.monotonic() + 120
        while server.recorders_attached() and time.monotonic() < deadline:
            time.sleep(0.05)
