"""Streaming transcription: the reply is transcribed while it is being spoken.

Blocks go into a buffer as they are recorded; a worker thread runs the Silero VAD over
them, closes a chunk at each real pause (half a second of silence once the chunk holds a
couple of seconds of speech) and transcribes it with the very same ``Transcriber.transcribe``
a whole file goes through, while recording continues. At the end only the open tail is
left to transcribe, so the text is ready about one Whisper pass (under a second here)
after the last sample, however long the reply.

Chunks are cut from the audio alone (VAD flags, not timing) and only in silence, so no
word is split. When the CPU falls behind, chunks waiting for Whisper are transcribed
together (up to 28 s, one Whisper window), so a busy machine catches up instead of
paying Whisper's fixed cost per chunk; only then does timing shape the passes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from confide.voice.heap import return_freed_memory
from confide.voice.transcriber import (
    SAMPLE_RATE,
    ProgressCallback,
    Transcriber,
    Transcript,
    TranscriptionStream,
    as_mono_float32,
    join_transcripts,
)
from confide.voice.vad import WINDOW, VadTracker, VoiceActivity

__all__ = ["ChunkingOptions", "StreamingTranscription"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChunkingOptions:
    """Where a reply may be cut into separately transcribed chunks."""

    pause_s: float = 0.5
    """Silence that closes a chunk (cut in its middle)..."""
    min_chunk_s: float = 2.0
    """...once the chunk holds this much speech, so Whisper sees whole sentences."""
    long_pause_s: float = 1.5
    """A pause this long closes a chunk however short it is."""
    max_chunk_s: float = 20.0
    """Past this without a pause, cut at the longest silence found in the chunk..."""
    hard_chunk_s: float = 28.0
    """...and past this at the quietest window, staying inside one 30 s Whisper window."""
    lead_s: float = 0.5
    """Silence kept before speech at the start of a chunk."""
    merge_s: float = 28.0
    """When closed chunks pile up (a busy CPU), transcribe neighbours together up to this
    length, so the worker catches up instead of paying Whisper's fixed cost per chunk.
    0 transcribes every chunk on its own (cuts then fully decide the passes)."""


def _windows(seconds: float) -> int:
    return max(1, round(seconds * SAMPLE_RATE / WINDOW))


class _Recording:
    """Append-only audio in 10 s pages: growing never copies what was recorded (a doubling
    array would briefly hold a long reply three times over). Callers hold the stream's lock."""

    PAGE = 10 * SAMPLE_RATE

    def __init__(self) -> None:
        self._pages: list[np.ndarray] = []
        self.length = 0

    def append(self, data: np.ndarray) -> None:
        done = 0
        while done < data.shape[0]:
            offset = self.length % self.PAGE
            if offset == 0:
                self._pages.append(np.empty(self.PAGE, dtype=np.float32))
            n = min(self.PAGE - offset, data.shape[0] - done)
            self._pages[-1][offset : offset + n] = data[done : done + n]
            done += n
            self.length += n

    def slice(self, start: int, stop: int) -> np.ndarray:
        stop = min(stop, self.length)
        if stop <= start:
            return np.zeros(0, dtype=np.float32)
        first, last = start // self.PAGE, (stop - 1) // self.PAGE
        parts = [self._pages[i] for i in range(first, last + 1)]
        joined = parts[0] if len(parts) == 1 else np.concatenate(parts)
        base = first * self.PAGE
        return joined[start - base : stop - base].copy()


class StreamingTranscription(TranscriptionStream):
    """A reply being recorded, transcribed chunk by chunk on a background thread."""

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        options: ChunkingOptions | None = None,
        activity: VoiceActivity | None = None,
        on_progress: ProgressCallback | None = None,
        language: str | None = None,
    ) -> None:
        self._transcriber = transcriber
        self._on_progress = on_progress
        self._language = language or "en"
        """The language a reply with no speech at all is reported in (the model's setting)."""
        self.options = options or ChunkingOptions()
        o = self.options
        self._pause_w, self._min_w = _windows(o.pause_s), _windows(o.min_chunk_s)
        self._long_w, self._max_w = _windows(o.long_pause_s), _windows(o.max_chunk_s)
        self._hard_w, self._lead_w = _windows(o.hard_chunk_s), _windows(o.lead_s)
        self._tracker = VadTracker(activity)
        self._cond = threading.Condition()
        self._audio = _Recording()
        # Worker-only state: the VAD position, the open chunk, chunks waiting for Whisper.
        self._vad_pos = 0
        self._scan_w = 0
        self._cut_w = 0
        self._first_speech: int | None = None
        self._last_speech: int | None = None
        self._pending: deque[tuple[int, int]] = deque()
        self._parts: list[tuple[float, Transcript]] = []
        self.chunks: list[tuple[float, float]] = []
        """(start, end) seconds of each chunk as cut at pauses, the tail included."""
        self.passes: list[tuple[float, float, float]] = []
        """(start, end, wall seconds) of each Whisper pass (neighbouring chunks may share one)."""
        self._finishing = False
        self._closed = False
        self._result: Transcript | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="confide-stream", daemon=True)
        self._thread.start()

    # -- the recording side ---------------------------------------------------------------

    def feed(self, block: np.ndarray) -> None:
        data = as_mono_float32(block).reshape(-1)
        with self._cond:
            if self._finishing or self._closed:
                raise RuntimeError("this transcription stream has already finished")
            self._audio.append(data)
            self._cond.notify()

    def finish(self, timeout: float | None = None) -> Transcript:
        with self._cond:
            if self._closed and self._result is None:
                raise RuntimeError("this transcription stream was closed")
            self._finishing = True
            self._cond.notify()
        if not self._done.wait(timeout):
            raise TimeoutError("the transcription did not finish in time")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=60)

    def audio(self) -> np.ndarray:
        with self._cond:
            return self._audio.slice(0, self._audio.length)

    # -- the worker -----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not (self._closed or self._finishing
                               or self._audio.length - self._vad_pos >= WINDOW):
                        self._cond.wait()
                    if self._closed:
                        return
                    end, finishing = self._audio.length, self._finishing
                while self._vad_pos < end:  # in pieces, so a long feed stays small in memory
                    step = min(end, self._vad_pos + _Recording.PAGE)
                    with self._cond:
                        block = self._audio.slice(self._vad_pos, step)
                    self._tracker.feed(block)
                    self._vad_pos = step
                    self._segment()
                while self._pending and not self._closed:
                    self._transcribe(*self._take_pending())
                if finishing:
                    self._finish_tail(end)
                    return
        except BaseException as exc:
            log.exception("streaming transcription failed")
            self._error = exc
        finally:
            self._done.set()
            return_freed_memory()

    def _segment(self) -> None:
        """Walk the new VAD windows, closing chunks where the rules allow."""
        flags = self._tracker.speech_flags
        while self._scan_w < len(flags):
            w = self._scan_w
            if flags[w]:
                if self._first_speech is None:
                    self._first_speech = w
                self._last_speech = w
            self._scan_w = w + 1
            cut = self._cut_point(self._scan_w)
            if cut is not None:
                self._close(cut)

    def _cut_point(self, n: int) -> int | None:
        """Window index to cut at after ``n`` windows, or None to keep the chunk open."""
        first, last = self._first_speech, self._last_speech
        if first is None or last is None:
            if n - self._cut_w > self._lead_w:  # only silence: drop all but a lead-in
                self._cut_w = n - self._lead_w
            return None
        silence = n - 1 - last
        span = last + 1 - first
        if silence >= self._pause_w and (span >= self._min_w or silence >= self._long_w):
            return last + 1 + silence // 2
        length = n - self._cut_w
        if length >= self._max_w:
            cut = self._longest_silence(first + self._min_w, n)
            if cut is not None:
                return cut
            if length >= self._hard_w:
                return self._quietest(n - self._max_w // 4, n)
        return None

    def _longest_silence(self, lo: int, hi: int) -> int | None:
        """Middle of the longest run (two windows or more) of non-speech in [lo, hi)."""
        flags = self._tracker.speech_flags
        best, best_len, run_start = None, 1, None
        for w in range(lo, hi):
            if not flags[w]:
                if run_start is None:
                    run_start = w
                if w + 1 - run_start > best_len:
                    best, best_len = run_start + (w + 1 - run_start) // 2, w + 1 - run_start
            else:
                run_start = None
        return best

    def _quietest(self, lo: int, hi: int) -> int:
        probs = self._tracker.probabilities
        return min(range(max(lo, self._cut_w + 1), hi), key=lambda w: probs[w])

    def _close(self, cut_w: int) -> None:
        log.debug("chunk closed: %.2f-%.2f s", self._cut_w * WINDOW / SAMPLE_RATE,
                  cut_w * WINDOW / SAMPLE_RATE)
        self._pending.append((self._cut_w * WINDOW, cut_w * WINDOW))
        self.chunks.append((self._cut_w * WINDOW / SAMPLE_RATE, cut_w * WINDOW / SAMPLE_RATE))
        self._cut_w = cut_w
        self._scan_w = cut_w  # rescan what follows the cut as the new chunk
        self._first_speech = self._last_speech = None

    def _take_pending(self) -> tuple[int, int]:
        """The next chunk, joined with the ones queued after it while they fit ``merge_s``."""
        start, stop = self._pending.popleft()
        limit = int(self.options.merge_s * SAMPLE_RATE)
        while self._pending and self._pending[0][1] - start <= limit:
            stop = self._pending.popleft()[1]
        return start, stop

    def _transcribe(self, start: int, stop: int) -> None:
        with self._cond:
            audio = self._audio.slice(start, stop)
        began = time.perf_counter()
        part = self._transcriber.transcribe(audio)
        seconds = time.perf_counter() - began
        self.passes.append((start / SAMPLE_RATE, stop / SAMPLE_RATE, seconds))
        log.debug("transcribed %.2f-%.2f s in %.2f s", start / SAMPLE_RATE,
                  stop / SAMPLE_RATE, seconds)
        self._parts.append((start / SAMPLE_RATE, part))
        if self._on_progress is not None:
            self._on_progress(stop / SAMPLE_RATE)

    def _finish_tail(self, end: int) -> None:
        if self._first_speech is not None:
            self._pending.append((self._cut_w * WINDOW, end))
            self.chunks.append((self._cut_w * WINDOW / SAMPLE_RATE, end / SAMPLE_RATE))
        while self._pending:
            self._transcribe(*self._take_pending())
        self._result = join_transcripts(
            self._parts, duration=round(end / SAMPLE_RATE, 3), language=self._language
        )
