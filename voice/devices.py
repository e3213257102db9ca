"""Audio devices through sounddevice (PortAudio): listing them and choosing by name or index.

sounddevice is imported only here and in the adapters, so the API and the journal import
without PortAudio. PortAudio lists devices when it starts, so ``refresh()`` restarts it
after a sound server appears (as the demo's virtual one does).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Device", "DeviceError", "has_real_devices", "list_devices", "pick_device", "refresh"]

log = logging.getLogger(__name__)

# Names PortAudio gives to its routes into a sound server: preferred over raw ALSA hardware.
_PREFERRED = ("pulse", "pipewire", "default")


class DeviceError(Exception):
    """No usable device; the message lists the devices there are."""


@dataclass(frozen=True, slots=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float


def _sd() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # libportaudio2 missing
        raise DeviceError(f"PortAudio is not installed ({exc}); apt-get install libportaudio2") from exc
    return sounddevice


def refresh() -> None:
    """Re-scan devices (PortAudio only scans when it initialises)."""
    sd = _sd()
    sd._terminate()
    sd._initialize()


def list_devices() -> list[Device]:
    sd = _sd()
    try:
        raw = sd.query_devices()
    except Exception as exc:
        raise DeviceError(f"cannot list audio devices: {exc}") from exc
    return [
        Device(int(d["index"]), str(d["name"]), int(d["max_input_channels"]),
               int(d["max_output_channels"]), float(d["default_samplerate"]))
        for d in raw
    ]


def pick_device(devices: list[Device], wanted: str | int | None,
                kind: Literal["input", "output"]) -> Device | None:
    """The configured device (index or part of a name), else the sound server's route.

    A configured device that does not exist is an error naming the devices that do.
    """
    usable = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if wanted is not None and str(wanted).strip() != "":
        text = str(wanted).strip()
        if text.isdigit():
            found = [d for d in usable if d.index == int(text)]
        else:
            found = [d for d in usable if d.name == text] or [
                d for d in usable if text.lower() in d.name.lower()]
        if not found:
            listing = "; ".join(f"{d.index}: {d.name}" for d in usable) or "none"
            raise DeviceError(f"the {kind} device {text!r} was not found. "
                              f"{kind.capitalize()} devices here: {listing}")
        return found[0]
    for name in _PREFERRED:
        for d in usable:
            if d.name == name:
                return d
    return usable[0] if usable else None


def has_real_devices() -> bool:
    """True when a sound server or card offers both a microphone and a speaker."""
    try:
        devices = list_devices()
    except DeviceError:
        return False
    return pick_device(devices, None, "input") is not None and \
        pick_device(devices, None, "output") is not None
