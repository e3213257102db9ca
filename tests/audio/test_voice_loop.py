"""The voice loop on real devices: PulseAudio's virtual microphone and speaker, pyttsx3 with
espeak-ng speaking, faster-whisper listening, a real SQLite journal."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf
from sqlmodel import Session, select

from confide.models.db import create_db_engine
from confide.models.keys import unlock
from confide.models.sealing import open_entries, use_keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person
from confide.voice.virtual_sound import VirtualSoundServer, speak_to_file

pytestmark = [pytest.mark.audio]

CONFIDE = [sys.executable, "-m", "confide"]


def _env(server: VirtualSoundServer, data: Path) -> dict[str, str]:
    env = server.env()
    env["COLUMNS"] = "200"  # rich wraps at 80 columns otherwise
    env["CONFIDE_DATA_DIR"] = str(data)
    env.pop("CONFIDE_PERSON", None)
    return env


def _entries(data: Path, name: str | None = None, passphrase: str = "") -> list[Entry]:
    """Every entry; with a person's passphrase, their words opened (sealed at rest)."""
    engine = create_db_engine(f"sqlite:///{data / 'confide.db'}")
    with Session(engine) as s:
        rows = list(s.exec(select(Entry)))
        if name is not None:
            person = s.exec(select(Person).where(Person.name == name)).one()
            keys = unlock(s, person, passphrase)
            use_keys(s, keys)
            open_entries(s, keys, rows, person.couple_id)
    engine.dispose()
    return rows


def _audio(data: Path, name: str, passphrase: str, entry: Entry) -> bytes:
    """An entry's recording, opened with its author's passphrase (sealed at rest)."""
    engine = create_db_engine(f"sqlite:///{data / 'confide.db'}")
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.name == name)).one()
        assert entry.id is not None and entry.audio_path
        data_key = unlock(s, person, passphrase).data_key(s, "entry", entry.id, person.couple_id)
    engine.dispose()
    return AudioStore(data / "audio").read_audio(entry.audio_path, data_key)


@pytest.mark.slow
def test_demo_runs_a_whole_spoken_session_and_stores_the_reply(tmp_path):
    data = tmp_path / "demo"
    env = {**os.environ, "CONFIDE_DATA_DIR": str(tmp_path)}
    env.pop("PULSE_SERVER", None)
    proc = subprocess.run([*CONFIDE, "demo", "--data-dir", str(data)], env=env,
                          capture_output=True, text=True, timeout=500)
    assert proc.returncode == 0, proc.stderr[-2000:]
    from confide.voice.phrases import P

    assert P.SAVED_PRIVATE.split("{")[0] in proc.stdout
    assert P.SHARED.format(partner="Sam") in proc.stdout
    from confide.cli_demo import DEMO_PASSPHRASES

    reflections = [e for e in _entries(data, "Alex", DEMO_PASSPHRASES["Alex"])
                   if e.kind == "reflection"]
    assert len(reflections) == 1
    entry = reflections[0]
    words = entry.transcript.lower()
    assert "dinner" in words and "phones" in words
    # The closing phrase ended the reply and is not part of it.
    assert "done" not in words and "that's it" not in words
    assert entry.status == "ready" and entry.audio_path
    assert entry.audio_path.endswith(".sealed")
    audio, rate = sf.read(io.BytesIO(_audio(data, "Alex", DEMO_PASSPHRASES["Alex"], entry)))
    assert 8.0 < len(audio) / rate < 60.0


def test_speech_engine_is_heard_on_the_virtual_speaker(sound_server, tmp_path):
    from confide.settings import Settings
    from confide.voice.sound import SoundDeviceSpeaker
    from confide.voice.speech import Pyttsx3Synthesizer
    from confide.wiring import transcriber

    capture = tmp_path / "speaker.wav"
    recorder = sound_server.record_speaker(capture)
    time.sleep(0.5)
    samples, rate = Pyttsx3Synthesizer().synthesize("It is time for tonight's reflection.")
    SoundDeviceSpeaker(None).play(samples, rate)
    time.sleep(0.5)
    recorder.send_signal(signal.SIGINT)
    recorder.wait(timeout=10)
    heard, heard_rate = sf.read(capture, dtype="float32")
    assert heard_rate == 16000
    text = transcriber(Settings(data_dir=tmp_path)).transcribe(heard).text.lower()
    assert "reflection" in text


def test_killing_the_loop_mid_reply_loses_no_audio(sound_server, tmp_path):
    data = tmp_path / "data"
    env = _env(sound_server, data)
    passphrase = "robin's own passphrase"
    subprocess.run([*CONFIDE, "people", "add", "Robin", "--passphrase"], env=env, check=True,
                   capture_output=True, timeout=120, input=f"{passphrase}\n{passphrase}\n",
                   text=True)
    reply = speak_to_file(
        "I want to tell you about the week I had. It was long and I was tired, but I kept my "
        "promise to call you every evening, and I am proud of that. " * 3,
        tmp_path / "reply.wav")
    # Recording needs no passphrase: the reply is sealed for Robin as it is spoken.
    loop = subprocess.Popen([*CONFIDE, "speak", "--locked"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The first listening turn is the home (no partner, so no news): silence there is
        # tonight's prompt, and the next turn is the reply.
        sound_server.wait_for_recorder(timeout=180)
        deadline = time.monotonic() + 60
        while sound_server.recorders_attached() and time.monotonic() < deadline:
            time.sleep(0.05)
        sound_server.wait_for_recorder(timeout=180)
        time.sleep(0.3)
        player = sound_server.play_into_mic(reply)
        time.sleep(8.0)  # well into the reply
        loop.send_signal(signal.SIGKILL)
        loop.wait(timeout=10)
        player.kill()
        player.wait(timeout=10)
    finally:
        if loop.poll() is None:
            loop.kill()
    pending = list((data / "pending").glob("*.sealed"))
    assert len(pending) == 1 and pending[0].stat().st_size > 16000 * 2 * 4  # > 4 s on disk
    assert not list((data / "pending").glob("*.pcm"))  # no plain audio on disk
    assert _entries(data) == []

    # The next start, unlocked, files the reply, transcribes it and says so; then "stop".
    stop = speak_to_file("Stop.", tmp_path / "stop.wav")
    typed = tmp_path / "passphrase.txt"
    typed.write_text(passphrase + "\n")
    with typed.open() as stdin:
        again = subprocess.Popen([*CONFIDE, "speak"], env=env, stdin=stdin,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        sound_server.wait_for_recorder(timeout=180)
        time.sleep(0.3)
        sound_server.play_into_mic(stop).wait()
        out, _ = again.communicate(timeout=180)
    finally:
        if again.poll() is None:
            again.kill()
    assert "reply from earlier was not finished" in out
    entries = _entries(data, "Robin", passphrase)
    assert len(entries) == 1
    assert entries[0].status == "ready"
    assert "promise" in entries[0].transcript.lower() or "week" in entries[0].transcript.lower()
    assert not list((data / "pending").iterdir())


def test_speak_without_a_sound_device_fails_clearly(tmp_path):
    env = {**os.environ, "CONFIDE_DATA_DIR": str(tmp_path), "PULSE_SERVER": "unix:/nonexistent"}
    subprocess.run([*CONFIDE, "people", "add", "Robin"], env=env, check=True,
                   capture_output=True, timeout=120)
    proc = subprocess.run([*CONFIDE, "speak"], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode != 0
    assert "device" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_doctor_lists_the_virtual_devices(sound_server, tmp_path):
    proc = subprocess.run([*CONFIDE, "doctor"], env=_env(sound_server, tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
    assert "sound server" in proc.stdout and "✗" not in proc.stdout


def test_doctor_without_sound_server_says_so_and_uses_only_the_data_dir(tmp_path):
    data = tmp_path / "only-here"
    env = {**os.environ, "CONFIDE_DATA_DIR": str(data), "PULSE_SERVER": "unix:/nonexistent",
           "COLUMNS": "200"}
    proc = subprocess.run([*CONFIDE, "doctor"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert "no sound server is running" in proc.stdout
    assert (data / "confide.db").is_file()
    # Nothing was written to the default data folder (pointed at a temp home by conftest).
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "confide").exists()
