"""Streaming: where a reply is cut, that cuts do not depend on block sizes, and the tail rule."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from confide.voice.streaming import ChunkingOptions, StreamingTranscription
from confide.voice.transcriber import FakeTranscriber, ProgressCallback, Transcript
from confide.voice.vad import EnergyVoiceActivity

pytestmark = pytest.mark.unit

RATE = 16_000


def build(*parts: tuple[str, float]) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Audio from ("speech"|"pause", seconds) parts; returns it and the pauses' (start, end)."""
    rng = np.random.default_rng(5)
    chunks, pauses, t = [], [], 0.0
    for kind, seconds in parts:
        n = int(seconds * RATE)
        if kind == "speech":
            chunks.append((rng.standard_normal(n) * 0.1).astype(np.float32))
        else:
            chunks.append(np.zeros(n, dtype=np.float32))
            pauses.append((t, t + seconds))
        t += seconds
    return np.concatenate(chunks), pauses


def stream_of(fake: FakeTranscriber, options: ChunkingOptions | None = None
              ) -> StreamingTranscription:
    return StreamingTranscription(fake, options=options, activity=EnergyVoiceActivity())


def run(audio: np.ndarray, block_sizes: list[int], fake: FakeTranscriber | None = None
        ) -> tuple[Transcript, list[tuple[float, float]]]:
    fake = fake or FakeTranscriber(default="words")
    stream = stream_of(fake, ChunkingOptions(merge_s=0))  # one pass per chunk, as cut
    try:
        pos, i = 0, 0
        while pos < audio.shape[0]:
            size = block_sizes[i % len(block_sizes)]
            stream.feed(audio[pos : pos + size])
            pos, i = pos + size, i + 1
        return stream.finish(timeout=30), list(stream.chunks)
    finally:
        stream.close()


def inside_a_pause(t: float, pauses: list[tuple[float, float]]) -> bool:
    return any(a - 0.04 <= t <= b + 0.04 for a, b in pauses)


REPLY = (("pause", 0.3), ("speech", 3.0), ("pause", 0.7), ("speech", 2.5), ("pause", 0.3),
         ("speech", 1.0), ("pause", 0.8), ("speech", 1.0))


def test_a_reply_is_cut_only_in_real_pauses() -> None:
    audio, pauses = build(*REPLY)
    fake = FakeTranscriber(["one", "two", "three"])
    result, chunks = run(audio, [1600], fake)
    assert len(chunks) == 3  # the 0.3 s pause is too short to cut at
    for _start, end in chunks[:-1]:
        assert inside_a_pause(end, pauses)
    assert chunks[0][0] == 0.0
    assert chunks[-1][1] == pytest.approx(audio.shape[0] / RATE)
    assert [c[1] for c in chunks[:-1]] == [c[0] for c in chunks[1:]]  # no audio skipped
    assert result.text == "one two three"
    assert [s.start for s in result.segments] == [c[0] for c in chunks]
    assert result.duration == pytest.approx(audio.shape[0] / RATE)


def test_block_sizes_do_not_change_the_cuts() -> None:
    audio, _ = build(*REPLY)
    _, by_100ms = run(audio, [1600])
    _, odd = run(audio, [7, 511, 4099, 333, 12000])
    assert odd == by_100ms


def test_short_phrases_wait_for_more_speech_unless_the_pause_is_long() -> None:
    audio, pauses = build(("speech", 0.8), ("pause", 0.6), ("speech", 0.8), ("pause", 2.0),
                          ("speech", 2.5))
    _, chunks = run(audio, [1600])
    assert len(chunks) == 2  # the 0.6 s pause after 0.8 s of speech does not cut
    assert inside_a_pause(chunks[0][1], pauses[1:])


def test_a_long_run_without_pauses_is_cut_at_its_longest_gap() -> None:
    parts: list[tuple[str, float]] = []
    for gap in (0.1, 0.15, 0.3, 0.12, 0.1):
        parts += [("speech", 4.5), ("pause", gap)]
    audio, pauses = build(*parts, ("speech", 3.0))
    _, chunks = run(audio, [1600])
    assert len(chunks) == 2
    first_end = chunks[0][1]
    assert first_end <= 20.5
    assert inside_a_pause(first_end, pauses)
    assert pauses[2][0] - 0.04 <= first_end <= pauses[2][1] + 0.04  # the 0.3 s gap


def test_speech_without_any_gap_is_cut_before_whispers_window_ends() -> None:
    audio, _ = build(("speech", 40.0))
    _, chunks = run(audio, [3200])
    assert all(end - start <= 28.1 for start, end in chunks)
    assert chunks[-1][1] == pytest.approx(40.0)


def test_silence_only_never_calls_the_model() -> None:
    fake = FakeTranscriber(default="invented")
    audio, _ = build(("pause", 5.0))
    result, chunks = run(audio, [1600], fake)
    assert fake.calls == []
    assert chunks == []
    assert result.no_speech
    assert result.duration == pytest.approx(5.0)


class SlowFake(FakeTranscriber):
    """A fake that takes ``delay`` seconds per pass, like Whisper."""

    def __init__(self, delay: float) -> None:
        super().__init__(["first part", "second part", "the tail"])
        self.delay = delay

    def transcribe(self, samples: np.ndarray, *, on_progress: ProgressCallback | None = None
                   ) -> Transcript:
        time.sleep(self.delay)
        return super().transcribe(samples, on_progress=on_progress)


def test_closed_chunks_are_done_while_recording_so_finish_only_does_the_tail() -> None:
    audio, _ = build(*REPLY)
    fake = SlowFake(delay=0.3)
    with stream_of(fake) as stream:
        stream.feed(audio)
        deadline = time.monotonic() + 10
        while (not stream.passes or stream.passes[-1][1] < stream.chunks[1][1]) \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(stream.chunks) == 2, "both pauses should have closed a chunk"
        assert stream.passes[-1][1] == stream.chunks[1][1], "not transcribed in the background"
        began = time.perf_counter()
        result = stream.finish(timeout=10)
        assert time.perf_counter() - began < 0.3 + 0.5  # one pass: the tail only
        assert stream.passes[-1][:2] == stream.chunks[-1]
        script = ["first part", "second part", "the tail"]
        assert result.text == " ".join(script[: len(stream.passes)])


def test_chunks_that_pile_up_are_transcribed_together() -> None:
    """Fed all at once (as a busy CPU sees it), the cut chunks share passes of up to 28 s."""
    audio, _ = build(*REPLY)
    fake = SlowFake(delay=0.2)
    with stream_of(fake) as stream:
        stream.feed(audio)
        result = stream.finish(timeout=10)
        assert len(stream.chunks) == 3
        assert len(stream.passes) < 3
        assert stream.passes[0][0] == 0.0
        assert stream.passes[-1][1] == pytest.approx(audio.shape[0] / RATE)
    assert result.word_count >= 2


def test_feed_never_waits_for_the_model() -> None:
    audio, _ = build(*REPLY)
    with stream_of(SlowFake(delay=0.5)) as stream:
        began = time.perf_counter()
        for start in range(0, audio.shape[0], 512):
            stream.feed(audio[start : start + 512])
        assert time.perf_counter() - began < 0.4  # a single pass takes 0.5 s
        stream.finish(timeout=10)


def test_finish_is_idempotent_and_feeding_after_it_fails() -> None:
    audio, _ = build(("speech", 1.0))
    with stream_of(FakeTranscriber(["once"])) as stream:
        stream.feed(audio)
        first = stream.finish(timeout=10)
        assert stream.finish(timeout=10) is first
        with pytest.raises(RuntimeError):
            stream.feed(audio)
        np.testing.assert_array_equal(stream.audio(), audio)


def test_a_model_failure_reaches_the_caller_of_finish() -> None:
    class Broken(FakeTranscriber):
        def transcribe(self, samples: np.ndarray, *, on_progress: ProgressCallback | None = None
                       ) -> Transcript:
            raise MemoryError("model exploded")

    audio, _ = build(("speech", 1.0))
    with stream_of(Broken()) as stream:
        stream.feed(audio)
        with pytest.raises(MemoryError, match="exploded"):
            stream.finish(timeout=10)


def test_close_stops_the_worker_thread() -> None:
    before = threading.active_count()
    stream = stream_of(FakeTranscriber())
    stream.feed(np.zeros(RATE, dtype=np.float32))
    stream.close()
    stream.close()
    assert threading.active_count() == before
    with pytest.raises(RuntimeError):
        stream.finish(timeout=1)
