"""Short generated tones that mark moments without words: listening, saved, paused."""

from __future__ import annotations

import numpy as np

__all__ = ["EARCON_RATE", "earcon"]

EARCON_RATE = 22_050

_SHAPES: dict[str, list[tuple[float, float]]] = {
    # (frequency Hz, seconds) per note
    "listening": [(660.0, 0.09), (880.0, 0.12)],  # rising: "your turn"
    "saved": [(880.0, 0.09), (660.0, 0.09), (990.0, 0.16)],
    "paused": [(520.0, 0.15)],
    "error": [(330.0, 0.2), (262.0, 0.25)],
}


def earcon(name: str, volume: float = 0.35) -> np.ndarray:
    """The samples (at EARCON_RATE) of a named earcon, with soft edges so nothing clicks."""
    notes = []
    for freq, seconds in _SHAPES[name]:
        t = np.arange(int(EARCON_RATE * seconds)) / EARCON_RATE
        tone = np.sin(2 * np.pi * freq * t)
        fade = min(len(t) // 4, int(0.01 * EARCON_RATE))
        env = np.ones_like(t)
        env[:fade] = np.linspace(0, 1, fade)
        env[-fade:] = np.linspace(1, 0, fade)
        notes.append(tone * env)
        notes.append(np.zeros(int(0.02 * EARCON_RATE)))
    return (volume * np.concatenate(notes)).astype(np.float32)
