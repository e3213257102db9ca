"""The voice station on real devices with an injected clock: the reminder is spoken on the
virtual speaker at its time, "yes" spoken into the virtual microphone starts a session, and
silence leads to a desktop notification instead."""

from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import soundfile as sf

from confide.models.accounts import register
from confide.models.db import create_db_engine, migrate, session_scope
from confide.models.reminders import create_reminder
from confide.settings import Settings
from confide.voice.commands import Command, recognise
from confide.voice.listener import Listener
from confide.voice.sound import SoundDeviceMicrophone, SoundDeviceSpeaker
from confide.voice.speech import Pyttsx3Synthesizer
from confide.voice.station import Answer, Station
from confide.voice.vad import SileroVoiceActivity, VadTracker
from confide.voice.virtual_sound import VirtualSoundServer, speak_to_file
from confide.wiring import transcriber

pytestmark = [pytest.mark.audio, pytest.mark.slow]


class JumpingClock:
    """Starts just before the reminder; sleeping moves time on instantly."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=max(seconds, 1.0))


def _station(tmp_path: Path, answer: Path | None, server: VirtualSoundServer):
    settings = Settings(data_dir=tmp_path / "data")
    engine = create_db_engine(settings.db_url)
    migrate(engine)
    with session_scope(engine) as s:
        person = register(s, "Robin", timezone="Europe/Berlin")
        create_reminder(s, person, [6], "20:00", kind="reflection")  # Sundays at eight
        person_id = person.id
    stt = transcriber(settings)
    speaker = SoundDeviceSpeaker(None)
    synth = Pyttsx3Synthesizer()
    listener = Listener(SoundDeviceMicrophone(None), stt, lambda: VadTracker(SileroVoiceActivity()))
    sessions_run: list[int] = []
    notifications: list[tuple[str, str]] = []

    def speak(text: str) -> None:
        samples, rate = synth.synthesize(text)
        speaker.play(samples, rate)

    answers: dict[Command | None, Answer] = {Command.YES: "yes", Command.LATER: "later",
                                             Command.NO: "no"}

    def listen(timeout_s: float) -> Answer:
        if answer is not None:
            def say_it() -> None:
                server.wait_for_recorder(timeout=30)
                time.sleep(0.3)
                server.play_into_mic(answer).wait()
            threading.Thread(target=say_it, daemon=True).start()
        heard = recognise(listener.utterance(timeout_s=min(timeout_s, 6.0)))
        return answers.get(heard.command)

    # Sunday 29 November 2026, 18:59:30 UTC = 19:59:30 in Berlin, half a minute early.
    clock = JumpingClock(datetime(2026, 11, 29, 18, 59, 30, tzinfo=UTC))
    station = Station(clock, speak, listen, lambda p: sessions_run.append(p.id or 0),
                      lambda title, body: notifications.append((title, body)),
                      sessions=lambda: session_scope(engine), person_id=person_id or 0,
                      answer_timeout_s=6.0, poll_s=30.0)
    return station, clock, sessions_run, notifications, stt


def test_reminder_is_spoken_and_yes_starts_a_session(sound_server, tmp_path):
    yes = speak_to_file("Yes.", tmp_path / "yes.wav")
    station, clock, sessions_run, notifications, stt = _station(tmp_path, yes, sound_server)
    capture = tmp_path / "speaker.wav"
    recorder = sound_server.record_speaker(capture)
    time.sleep(0.5)
    station.run(until=clock.at + timedelta(minutes=3))
    recorder.send_signal(signal.SIGINT)
    recorder.wait(timeout=10)
    heard, _ = sf.read(capture, dtype="float32")
    spoken = stt.transcribe(heard).text.lower()
    assert "reflection" in spoken
    assert sessions_run and not notifications


def test_silence_at_a_reminder_sends_a_notification(sound_server, tmp_path):
    station, clock, sessions_run, notifications, _ = _station(tmp_path, None, sound_server)
    station.run(until=clock.at + timedelta(minutes=3))
    assert not sessions_run
    assert len(notifications) == 1 and "reflection" in notifications[0][0].lower()
