"""Barge-in on real devices: the session wired as `confide speak` wires it (Whisper, the
synthesizer, the Silero VAD, sounddevice) in a virtual room where one stereo recording holds
Confide (left) and the person (right) on one clock, and the microphone hears only the person."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from confide.voice.commands import Command, recognise
from confide.voice.virtual_sound import Room, VirtualSoundServer, barge_in_latency, speak_to_file

pytestmark = [pytest.mark.audio]

LONG = ("What did you do this week that you are proud of, however small? Take a moment to "
        "really notice it, and then tell me about it in your own words, as slowly as you "
        "like. There is no right answer, only yours.")


@pytest.fixture
def room(sound_server: VirtualSoundServer) -> Iterator[Room]:
    with Room(sound_server) as room:
        yield room


def _session(tmp_path: Path) -> object:
    from confide.cli_voice import build_session, ready_transcriber
    from confide.models.accounts import register_person
    from confide.settings import load_settings
    from confide.voice.session import VoiceSession
    from confide.wiring import cli_session

    settings = load_settings(data_dir=tmp_path / "data", barge_in="on", tts_voice="fast")
    with cli_session(settings) as s:
        person, unlocked, _words = register_person(s, "Alex", "a passphrase for the test")
    assert person.id is not None
    session = build_session(settings, person.id, stt=ready_transcriber(settings))
    assert isinstance(session, VoiceSession)
    session.unlocked = unlocked
    return session


def _say_over(room: Room, wav: Path, after_s: float) -> threading.Thread:
    def speak() -> None:
        deadline = time.monotonic() + 30
        while not room.speaking() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(after_s)
        room.play_person(wav).wait()

    thread = threading.Thread(target=speak)
    thread.start()
    return thread


def test_stop_said_over_a_long_prompt_silences_it_and_is_heard_as_stop(room, tmp_path):
    session = _session(tmp_path)
    stop = speak_to_file("stop", tmp_path / "stop.wav", voice="en-gb", wpm=170)
    capture = tmp_path / "room.wav"
    recorder = room.record(capture)
    time.sleep(0.5)
    person = _say_over(room, stop, after_s=1.5)
    started = time.monotonic()
    session.say(LONG)
    took = time.monotonic() - started
    person.join()
    time.sleep(0.3)
    recorder.terminate()
    recorder.wait()
    # Read in full the prompt takes over ten seconds; spoken over, it ends at the word.
    assert took < 6.0
    latency = barge_in_latency(capture)
    assert latency is not None and latency < 1.0  # quiet soon after "stop" began
    audio = session._interruption
    assert audio is not None
    heard = session.listener.transcriber.transcribe(audio).text
    assert recognise(heard).command is Command.STOP, heard


def test_nobody_speaking_lets_the_prompt_play_to_its_end(room, tmp_path):
    session = _session(tmp_path)
    capture = tmp_path / "room.wav"
    recorder = room.record(capture)
    time.sleep(0.3)
    started = time.monotonic()
    session.say(LONG)
    took = time.monotonic() - started
    recorder.terminate()
    recorder.wait()
    assert took > 8.0 and session._interruption is None
