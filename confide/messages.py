"""Sentences the CLI prints that are not spoken by the voice loop (which has voice/phrases.py)."""

from __future__ import annotations

DOCTOR_OK = "Everything the voice loop needs is here."
DOCTOR_FAIL = "The voice loop cannot work here yet: fix the lines marked ✗ above."
NO_SOUND_SERVER = (
    "no sound server is running; start PulseAudio or PipeWire "
    "(or run `confide demo`, which starts a virtual one)"
)
NO_INPUT = "no microphone found; plug one in or set CONFIDE_INPUT_DEVICE"
NO_OUTPUT = "no speaker found; plug one in or set CONFIDE_OUTPUT_DEVICE"
