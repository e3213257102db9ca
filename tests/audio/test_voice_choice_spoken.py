"""Choosing the voice by voice, on real devices: the session wired as `confide speak` wires it
hears "use the fast voice" through the virtual microphone, says so in the fast voice, and keeps
the choice for the next session."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voice.virtual_sound import VirtualSoundServer, write_wav

pytestmark = [pytest.mark.audio]


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


def test_use_the_fast_voice_said_at_the_home_switches_the_voice_and_keeps_it(sound_server,
                                                                              tmp_path):
    from confide.cli_voice import build_session, ready_transcriber
    from confide.settings import load_settings
    from confide.wiring import cli_session
    from confide.wiring import synthesizer as voices
    from models import accounts
    from models.accounts import register_person
    from voice.phrases import P
    from voice.session import VoiceSession

    settings = load_settings(data_dir=tmp_path / "data", barge_in="off")
    router = voices(settings)
    if not router.neural_available:
        pytest.skip("the natural voice is not installed")
    with cli_session(settings) as s:
        person, unlocked, _words = register_person(s, "Alex", "a passphrase for the test")
    assert person.id is not None
    # The person's words, in the natural voice (tiny.en hears it as well as a person).
    wavs = []
    for i, line in enumerate(["Use the fast voice.", "I'm done for tonight."]):
        samples, rate = router.synthesize(line, voice="natural", rate=150)
        wavs.append(tmp_path / f"say-{i}.wav")
        write_wav(wavs[-1], samples, rate)
    session = build_session(settings, person.id, stt=ready_transcriber(settings))
    assert isinstance(session, VoiceSession)
    session.unlocked = unlocked
    session.home = True
    feeder = _answers(sound_server, wavs)
    capture = tmp_path / "speaker.wav"
    recorder = sound_server.record_speaker(capture)
    report = session.run()
    recorder.terminate()
    recorder.wait()
    feeder.join(timeout=5)
    assert P.VOICE_FAST in report.spoken, report.spoken
    with cli_session(settings) as s:
        assert accounts.get_person(s, person.id).tts_voice == "fast"
    heard, _rate = sf.read(capture, dtype="float32")
    assert np.abs(heard).max() > 0.05  # Confide was heard on the speaker
    # The next session starts in the chosen voice.
    again = build_session(settings, person.id, stt=ready_transcriber(settings))
    assert isinstance(again, VoiceSession) and again.voice.voice == "fast"
