"""A private PulseAudio server with a virtual speaker and microphone.

Used by ``confide demo`` on machines without a sound card and by the audio-tier tests:
real recording and playback through a real sound server, no hardware. The server runs
as its own process in its own runtime folder and is stopped by its handle.

Layout: ``confide_speaker`` (null sink; what is played can be captured from its monitor)
and ``confide_mic`` (a source remapped from the monitor of the ``confide_mic_feed`` null
sink, so audio played into the feed arrives at the microphone in real time).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import numpy as np

__all__ = [
    "MIC_FEED", "MIC_SOURCE", "SPEAKER_SINK", "Room", "VirtualSoundServer", "barge_in_latency",
    "speak_to_file", "turn_latency", "write_wav",
]

log = logging.getLogger(__name__)

SPEAKER_SINK = "confide_speaker"
MIC_FEED = "confide_mic_feed"
MIC_SOURCE = "confide_mic"

_SCRIPT = f"""
load-module module-native-protocol-unix auth-anonymous=1 socket={{socket}}
load-module module-null-sink sink_name={SPEAKER_SINK} norewinds=1 rate=48000 \
sink_properties=device.description=Confide_virtual_speaker
load-module module-null-sink sink_name={MIC_FEED} norewinds=1 rate=48000 \
sink_properties=device.description=Confide_virtual_microphone_feed
load-module module-remap-source master={MIC_FEED}.monitor source_name={MIC_SOURCE} \
source_properties=device.description=Confide_virtual_microphone
set-default-sink {SPEAKER_SINK}
set-default-source {MIC_SOURCE}
"""


class SoundServerError(RuntimeError):
    pass


class VirtualSoundServer:
    """Start with ``with VirtualSoundServer() as server:``; sets PULSE_SERVER for this process."""

    def __init__(self, root: Path | None = None) -> None:
        self._own_root = root is None
        self.root = root or Path(tempfile.mkdtemp(prefix="confide-pulse-"))
        self.socket = self.root / "native"
        self._proc: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def address(self) -> str:
        return f"unix:{self.socket}"

    def env(self) -> dict[str, str]:
        """Environment for child processes that should use this server."""
        return {**os.environ, "PULSE_SERVER": self.address,
                "PULSE_RUNTIME_PATH": str(self.root), "HOME": os.environ.get("HOME", str(self.root))}

    def start(self, timeout: float = 15.0) -> VirtualSoundServer:
        exe = shutil.which("pulseaudio")
        if exe is None:
            raise SoundServerError("pulseaudio is not installed; apt-get install pulseaudio")
        script = self.root / "confide.pa"
        script.write_text(_SCRIPT.format(socket=self.socket))
        env = {**os.environ, "HOME": str(self.root), "XDG_RUNTIME_DIR": str(self.root),
               "XDG_CONFIG_HOME": str(self.root / "config"), "PULSE_RUNTIME_PATH": str(self.root)}
        env.pop("PULSE_SERVER", None)
        self._log = open(self.root / "pulseaudio.log", "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [exe, "-n", "-F", str(script), "--daemonize=no", "--exit-idle-time=-1",
             "--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr"],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise SoundServerError(
                    "pulseaudio exited at start: "
                    + (self.root / "pulseaudio.log").read_text(errors="replace")[-800:])
            if self.socket.exists() and self._pactl("info", check=False).returncode == 0:
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise SoundServerError("pulseaudio did not start in time")
        for key in ("PULSE_SERVER", "PULSE_RUNTIME_PATH"):
            self._saved_env[key] = os.environ.get(key)
        os.environ["PULSE_SERVER"] = self.address
        os.environ["PULSE_RUNTIME_PATH"] = str(self.root)
        log.info("virtual sound server at %s", self.address)
        return self

    def _pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pactl", *args], env={**os.environ, "PULSE_SERVER": self.address},
                              capture_output=True, text=True, timeout=10, check=check)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if hasattr(self, "_log"):
            self._log.close()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> VirtualSoundServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # Feeding the microphone and listening to the speaker -------------------------------

    def recorders_attached(self, source: str = MIC_SOURCE) -> int:
        """How many streams are recording from the virtual microphone right now."""
        sources = self._pactl("list", "short", "sources").stdout.splitlines()
        mic = {line.split("\t")[0] for line in sources if f"\t{source}\t" in line}
        out = self._pactl("list", "short", "source-outputs").stdout
        return sum(1 for line in out.splitlines() if line.split("\t")[1:2] and
                   line.split("\t")[1] in mic)

    def wait_for_recorder(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.recorders_attached() == 0:
            if time.monotonic() > deadline:
                raise SoundServerError("nothing started recording from the virtual microphone")
            time.sleep(0.02)

    def play_into_mic(self, wav: Path) -> subprocess.Popen[bytes]:
        """Start playing a sound file into the virtual microphone (in real time)."""
        return subprocess.Popen(["paplay", f"--device={MIC_FEED}", str(wav)], env=self.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def record_speaker(self, path: Path) -> subprocess.Popen[bytes]:
        """Start capturing what is played on the virtual speaker into a WAV file."""
        return subprocess.Popen(
            ["parec", f"--device={SPEAKER_SINK}.monitor", "--file-format=wav", "--rate=16000",
             "--channels=1", "--format=s16le", str(path)],
            env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Room:
    """One stereo sink as a room where both are heard on one clock: Confide's speaker on the
    left channel, the person (what is played into the microphone) on the right, and the
    microphone hearing the right channel only (no echo path). A recording of the room gives
    the time from the person's first word to Confide going quiet, or from their last word
    to Confide's next one, straight from the audio (scripts/bench_loop.py --turns)."""

    SINK = "confide_room"
    SPEAKER = "confide_room_speaker"
    PERSON = "confide_room_person"
    MIC = "confide_room_mic"

    def __init__(self, server: VirtualSoundServer) -> None:
        self.server = server
        self._modules: list[str] = []
        self._saved: tuple[str, str] | None = None

    def __enter__(self) -> Room:
        def load(*args: str) -> None:
            self._modules.append(self.server._pactl("load-module", *args).stdout.strip())

        info = self.server._pactl("info").stdout
        self._saved = (_field(info, "Default Sink"), _field(info, "Default Source"))
        load("module-null-sink", f"sink_name={self.SINK}", "channels=2", "rate=48000",
             "norewinds=1", f"sink_properties=device.description={self.SINK}")
        for name, side in ((self.SPEAKER, "front-left"), (self.PERSON, "front-right")):
            load("module-remap-sink", f"sink_name={name}", f"master={self.SINK}", "channels=1",
                 f"master_channel_map={side}", "channel_map=mono", "remix=no")
        load("module-remap-source", f"source_name={self.MIC}", f"master={self.SINK}.monitor",
             "channels=1", "master_channel_map=front-right", "channel_map=mono", "remix=no")
        self.server._pactl("set-default-sink", self.SPEAKER)
        self.server._pactl("set-default-source", self.MIC)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._saved is not None:
            self.server._pactl("set-default-sink", self._saved[0], check=False)
            self.server._pactl("set-default-source", self._saved[1], check=False)
        for module in reversed(self._modules):
            self.server._pactl("unload-module", module, check=False)
        self._modules.clear()

    def play_person(self, wav: Path) -> subprocess.Popen[bytes]:
        """The person says what is in ``wav`` (the microphone hears it, in real time)."""
        return subprocess.Popen(["paplay", f"--device={self.PERSON}", str(wav)],
                                env=self.server.env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def record(self, path: Path) -> subprocess.Popen[bytes]:
        """Record the room in stereo at 16 kHz: left Confide, right the person."""
        return subprocess.Popen(
            ["parec", f"--device={self.SINK}.monitor", "--file-format=wav", "--rate=16000",
             "--channels=2", "--format=s16le", str(path)],
            env=self.server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def speaking(self) -> bool:
        """Whether anything plays on Confide's speaker right now."""
        sinks = self.server._pactl("list", "short", "sinks").stdout.splitlines()
        ids = {line.split("\t")[0] for line in sinks if f"\t{self.SPEAKER}\t" in line}
        inputs = self.server._pactl("list", "short", "sink-inputs").stdout.splitlines()
        return any(line.split("\t")[1:2] and line.split("\t")[1] in ids for line in inputs)

    def listening(self) -> bool:
        """Whether anything records from the room's microphone right now."""
        return self.server.recorders_attached(self.MIC) > 0


LOUD = 0.02
"""Peak that counts as sound in a recording of the room (its silence is exactly zero)."""


def _room_channels(room_wav: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """(Confide's loud samples, the person's loud samples, rate) of a room recording."""
    import soundfile as sf

    audio, rate = sf.read(room_wav, dtype="float32", always_2d=True)
    return (np.flatnonzero(np.abs(audio[:, 0]) > LOUD),
            np.flatnonzero(np.abs(audio[:, 1]) > LOUD), int(rate))


def barge_in_latency(room_wav: Path) -> float | None:
    """Seconds from the person's first sample to Confide's last one after it (None: the
    person never spoke)."""
    confide, person, rate = _room_channels(room_wav)
    if person.size == 0:
        return None
    after = confide[confide >= person[0]]
    return 0.0 if after.size == 0 else float(after[-1] - person[0]) / rate


def turn_latency(room_wav: Path) -> float | None:
    """Seconds from the person's last sample to Confide's first one after it (None: one of
    them never spoke)."""
    confide, person, rate = _room_channels(room_wav)
    if person.size == 0:
        return None
    after = confide[confide > person[-1]]
    return None if after.size == 0 else float(after[0] - person[-1]) / rate


def _field(info: str, name: str) -> str:
    return next((line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith(name + ":")), "")


def speak_to_file(text: str, path: Path, *, voice: str = "en-us", wpm: int = 160) -> Path:
    """A stand-in person's voice (espeak-ng in its own process) for demos and tests."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text],
                   check=True, capture_output=True, timeout=60)
    return path


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    import soundfile as sf

    sf.write(path, samples, rate, subtype="PCM_16")
