"""The spoken-journal scenario of test_spoken_journal.py, run as its own process (as
`confide speak` runs): one session wired by build_session on its own virtual sound server,
the person's words spoken by the natural voice into the virtual microphone, reaching three
feature groups of docs/VOICE.md — a change to an entry in a list read out (a tag), a program
started at the home, and pairing (an invite code made). Prints one JSON line of what the
journal holds after."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from confide.voice.virtual_sound import VirtualSoundServer, write_wav
from tests.audio.voice_choice_run import _answers

LINES = ["Read my last entry.", "Tag it dinner.", "Yes.", "Go home.",
         "Start the listening week.", "Yes.", "Make an invite code.", "Yes.",
         "I'm done for tonight."]


def main(folder: Path) -> None:
    from confide.cli_voice import build_session, ready_transcriber
    from confide.models import entries
    from confide.models.accounts import register_person
    from confide.models.prompt_state import current_program
    from confide.models.sealing import use_keys
    from confide.models.tables import Couple
    from confide.settings import load_settings
    from confide.voice.devices import refresh
    from confide.voice.session import VoiceSession
    from confide.wiring import cli_session
    from confide.wiring import synthesizer as voices
    from tests.person import say

    with VirtualSoundServer() as server:
        refresh()
        settings = load_settings(data_dir=folder / "data", barge_in="off")
        router = voices(settings)
        if not router.neural_available:
            print(json.dumps({"skipped": "the natural voice is not installed"}))
            return
        with cli_session(settings) as s:
            person, unlocked, _words = register_person(s, "Alex", "a passphrase for the test")
            use_keys(s, unlocked)
            entry = entries.create_written_entry(s, person, "We cooked together and laughed.")
            entry_id = entry.id
        assert person.id is not None and entry_id is not None
        wavs = []
        for i, line in enumerate(LINES):
            samples, rate = say(line, rate=150)  # the stand-in person (tests.person)
            wavs.append(folder / f"say-{i}.wav")
            write_wav(wavs[-1], samples, rate)
        session = build_session(settings, person.id, stt=ready_transcriber(settings))
        assert isinstance(session, VoiceSession)
        session.unlocked = unlocked
        session.home = True
        feeder = _answers(server, wavs)
        report = session.run()
        feeder.join(timeout=5)
        with cli_session(settings) as s:
            use_keys(s, unlocked)
            alex = s.get(type(person), person.id)
            assert alex is not None
            tags = list(entries.get_entry(s, alex, entry_id).tags or [])
            program = current_program(s, alex)
            couple = s.get(Couple, alex.couple_id) if alex.couple_id else None
        print(json.dumps({"keys": report.keys, "spoken": report.spoken, "tags": tags,
                          "program": program.program_id if program else None,
                          "invite": couple is not None and couple.invite_code_hash is not None}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
