"""Voice activity: is someone speaking right now, and how long has it been quiet?

``SileroVoiceActivity`` runs the Silero VAD model that ships inside the faster-whisper
wheel (ONNX, offline) one 32 ms window at a time, carrying the model's state, so it gives
the same probabilities as faster-whisper's own ``vad_filter`` while audio is still being
recorded. ``VadTracker`` turns those into what the voice loop needs for end-of-speech
detection; the streaming transcriber uses its per-window speech flags to cut at pauses.
Only onnxruntime is imported (lazily); CTranslate2 is not.
"""

from __future__ import annotations

import abc
import functools
import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "SAMPLE_RATE",
    "WINDOW",
    "EnergyVoiceActivity",
    "SileroVoiceActivity",
    "VadState",
    "VadTracker",
    "VoiceActivity",
    "silero_model_path",
]

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
WINDOW = 512
"""Samples per VAD window (32 ms at 16 kHz), the size Silero is trained on."""
_CONTEXT = 64
"""Samples of the previous window Silero v6 sees before each window."""
_MAX_BATCH = 1024
"""Windows per ONNX run (33 s): results do not depend on it, but peak memory does, and
faster-whisper's one run over a whole file grows with the file (docs/BENCHMARKS.md)."""


class VoiceActivity(abc.ABC):
    """Speech probability of consecutive 512-sample windows of one 16 kHz stream (stateful)."""

    @abc.abstractmethod
    def speech_probability(self, window: np.ndarray) -> float:
        """Probability (0..1) that the next 512-sample window holds speech."""

    def speech_probabilities(self, windows: np.ndarray) -> np.ndarray:
        """Probabilities for several consecutive windows (shape ``(n, 512)``) at once."""
        return np.array([self.speech_probability(w) for w in windows], dtype=np.float32)

    @abc.abstractmethod
    def reset(self) -> None:
        """Forget the stream so far (start of a new recording)."""


def silero_model_path() -> Path:
    """The Silero ONNX file inside the installed faster-whisper, found without importing it."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("faster-whisper is not installed; it provides the Silero VAD model")
    assets = Path(next(iter(spec.submodule_search_locations))) / "assets"
    path = assets / "silero_vad_v6.onnx"
    if not path.is_file():
        raise RuntimeError(f"the Silero VAD model (v6) is missing from {assets}; "
                           "reinstall faster-whisper >= 1.2")
    return path


@functools.cache
def _silero_session() -> Any:
    """One ONNX session per process; runs are thread-safe, state lives in each caller."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(
        str(silero_model_path()), providers=["CPUExecutionProvider"], sess_options=opts
    )


class SileroVoiceActivity(VoiceActivity):
    """Streaming Silero VAD: identical to faster-whisper's batch VAD over the same audio."""

    def __init__(self) -> None:
        self._session = _silero_session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def speech_probability(self, window: np.ndarray) -> float:
        return float(self.speech_probabilities(np.asarray(window).reshape(1, WINDOW))[0])

    def speech_probabilities(self, windows: np.ndarray) -> np.ndarray:
        data = np.asarray(windows, dtype=np.float32).reshape(-1, WINDOW)
        out = [self._run(data[i : i + _MAX_BATCH]) for i in range(0, data.shape[0], _MAX_BATCH)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)

    def _run(self, data: np.ndarray) -> np.ndarray:
        # Each window is preceded by the last 64 samples of the one before (as in training).
        contexts = np.concatenate([self._context[None, :], data[:-1, -_CONTEXT:]], axis=0)
        batch = np.concatenate([contexts, data], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = data[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)


class EnergyVoiceActivity(VoiceActivity):
    """Loudness as "speech": a stand-in for unit tests that need no model."""

    def __init__(self, threshold_rms: float = 0.02) -> None:
        self.threshold_rms = threshold_rms

    def speech_probability(self, window: np.ndarray) -> float:
        rms = float(np.sqrt(np.mean(np.square(np.asarray(window, dtype=np.float64)))))
        return 1.0 if rms >= self.threshold_rms else 0.0

    def reset(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class VadState:
    """Where a recording stands: ``trailing_silence_s`` is all of ``total_s`` until speech."""

    speech_seen: bool
    trailing_silence_s: float
    total_s: float
    speech_s: float = 0.0


class VadTracker:
    """Feeds any block size to a ``VoiceActivity`` and tracks speech and trailing silence.

    Speech starts at ``threshold`` and, once started, continues until the probability falls
    below ``neg_threshold`` (Silero's own hysteresis, as in faster-whisper). ``speech_seen``
    needs ``min_speech_s`` of continuous speech, so a click or a cough alone does not count,
    nor does a short blip end a pause.
    """

    def __init__(
        self,
        activity: VoiceActivity | None = None,
        *,
        threshold: float = 0.5,
        neg_threshold: float | None = None,
        min_speech_s: float = 0.1,
    ) -> None:
        self.activity = activity if activity is not None else SileroVoiceActivity()
        self.threshold = threshold
        self.neg_threshold = (
            neg_threshold if neg_threshold is not None else max(threshold - 0.15, 0.01)
        )
        self._min_run = max(1, round(min_speech_s * SAMPLE_RATE / WINDOW))
        self.reset()

    def reset(self) -> None:
        self.activity.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._flags: list[bool] = []
        self._probs: list[float] = []
        self._in_speech = False
        self._run = 0
        self._speech_windows = 0
        self._speech_seen = False
        self._last_speech_end = 0
        self._total = 0

    @property
    def speech_flags(self) -> Sequence[bool]:
        """Per 512-sample window: speech (after hysteresis) or not; grows as audio is fed."""
        return self._flags

    @property
    def probabilities(self) -> Sequence[float]:
        return self._probs

    @property
    def windows(self) -> int:
        """Whole windows analysed so far (a partial last window waits for more audio)."""
        return len(self._flags)

    @property
    def state(self) -> VadState:
        total_s = self._total / SAMPLE_RATE
        trailing = (self._total - self._last_speech_end) / SAMPLE_RATE
        return VadState(
            speech_seen=self._speech_seen,
            trailing_silence_s=trailing if self._speech_seen else total_s,
            total_s=total_s,
            speech_s=self._speech_windows * WINDOW / SAMPLE_RATE,
        )

    def feed(self, block: np.ndarray) -> VadState:
        """Analyse a block of 16 kHz float32 mono samples (any length)."""
        data = np.asarray(block, dtype=np.float32).reshape(-1)
        self._total += data.shape[0]
        if self._pending.size:
            data = np.concatenate([self._pending, data])
        whole = data.shape[0] // WINDOW * WINDOW
        self._pending = data[whole:].copy()
        if whole:
            probs = self.activity.speech_probabilities(data[:whole].reshape(-1, WINDOW))
            for p in probs.tolist():
                self._step(p)
        return self.state

    def _step(self, prob: float) -> None:
        if self._in_speech:
            self._in_speech = prob >= self.neg_threshold
        else:
            self._in_speech = prob >= self.threshold
        index = len(self._flags)
        self._flags.append(self._in_speech)
        self._probs.append(prob)
        if not self._in_speech:
            self._run = 0
            return
        self._run += 1
        self._speech_windows += 1
        if self._run >= self._min_run:
            self._speech_seen = True
            self._last_speech_end = (index + 1) * WINDOW
