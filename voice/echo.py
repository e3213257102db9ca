"""May Confide listen while it speaks? Only where its own voice cannot reach the microphone.

On loudspeakers the microphone hears Confide; barge-in would then stop every sentence at
its own first word. Acoustic echo cancellation takes Confide's voice back out of what the
microphone hears: PulseAudio's ``module-echo-cancel`` (WebRTC) or PipeWire's echo-cancel
module gives a source that does so. With ``barge_in = "auto"`` barge-in is on only when that
source is the one recorded from; ``"on"`` is for headsets, where there is no echo to cancel.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ECHO_CANCEL_HOWTO",
    "BargeInChoice",
    "BargeInSetting",
    "choose_barge_in",
    "detect_echo_cancelling_source",
    "echo_cancelling_source",
]

BargeInSetting = Literal["auto", "on", "off"]

ECHO_CANCEL_HOWTO = (
    "turn on echo cancellation: `pactl load-module module-echo-cancel aec_method=webrtc "
    "source_name=confide_aec sink_name=confide_aec_out` then `pactl set-default-source "
    "confide_aec` and `pactl set-default-sink confide_aec_out` (or barge_in = \"on\" with a "
    "headset)")


@dataclass(frozen=True, slots=True)
class BargeInChoice:
    on: bool
    why: str


def choose_barge_in(setting: BargeInSetting, echo_source: str | None) -> BargeInChoice:
    """Barge-in on or off, and the sentence that says why (shown by `confide doctor`)."""
    if setting == "off":
        return BargeInChoice(False, 'off (barge_in = "off")')
    if setting == "on":
        return BargeInChoice(True, 'on (barge_in = "on": a headset, or echo cancelled)')
    if echo_source is not None:
        return BargeInChoice(True, f"on: echo cancellation on {echo_source!r}")
    return BargeInChoice(False, "off: without echo cancellation the microphone would hear "
                         f"Confide itself; to interrupt Confide by voice, {ECHO_CANCEL_HOWTO}")


def echo_cancelling_source(modules: str, default_source: str) -> str | None:
    """The default source when it is an echo canceller's (from ``pactl list short modules``
    and ``pactl get-default-source``), else None."""
    source = default_source.strip()
    if not source:
        return None
    if "echo-cancel" in source or "echo_cancel" in source:
        return source
    for line in modules.splitlines():
        if "echo-cancel" in line and f"source_name={source}" in line:
            return source
    return None


def detect_echo_cancelling_source(timeout_s: float = 5.0) -> str | None:
    """Ask the sound server (None without pactl or a server)."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        modules = subprocess.run([pactl, "list", "short", "modules"], capture_output=True,
                                 text=True, timeout=timeout_s, check=False).stdout
        default = subprocess.run([pactl, "get-default-source"], capture_output=True,
                                 text=True, timeout=timeout_s, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return echo_cancelling_source(modules, default)
