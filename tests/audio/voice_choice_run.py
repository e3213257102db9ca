"""The voice-choice scenario of test_voice_choice_spoken.py, run as its own process (as
`confide speak` runs): its own virtual sound server, the session wired by build_session,
answers spoken into the virtual microphone. Prints one JSON line of what happened."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from confide.voice.virtual_sound import VirtualSoundServer, write_wav


def _answers(server: VirtualSoundServer, wavs: list[Path]) -> threading.Thread:
    """Say each answer once Confide listens (barge-in off: it listens only when quiet)."""
    def run() -> None:
        for wav in wavs:
            server.wait_for_recorder(timeout=120)
            time.sleep(0.3)
            server.play_into_mic(wav).wait()
            deadline = time.monotonic() + 60
            while server.recorders_attached() and time.monotonic() < deadline:
                time.sleep(0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def main(folder: Path) -> None:
    from confide.cli_voice import build_session, ready_transcriber
    from confide.models import accounts
    from confide.models.accounts import register_person
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
        assert person.id is not None
        # The person's words, in the natural voice (tiny.en hears it as well as a person).
        wavs = []
        for i, line in enumerate(["Use the fast voice.", "I'm done for tonight."]):
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
            kept = accounts.get_person(s, person.id).tts_voice
        again = build_session(settings, person.id, stt=ready_transcriber(settings))
        assert isinstance(again, VoiceSession)
        print(json.dumps({"spoken": report.spoken, "kept": kept,
                          "next_session_voice": again.voice.voice}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
