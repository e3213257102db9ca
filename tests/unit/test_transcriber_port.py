"""The Transcriber port: the fake keeps the real adapter's signatures; the pure helpers."""

from __future__ import annotations

import asyncio
import inspect

import numpy as np
import pytest

from confide.voice.streaming import StreamingTranscription
from confide.voice.transcriber import (
    FakeTranscriber,
    FakeTranscriptionStream,
    Segment,
    Transcriber,
    Transcript,
    TranscriptionStream,
    as_mono_float32,
    collapse_repeated_segments,
    join_transcripts,
)
from confide.voice.whisper import WhisperTranscriber, collapse_repeated_phrases, guard_segments

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("method", ["transcribe", "stream", "transcribe_async"])
def test_fake_transcriber_has_the_real_signatures(method: str) -> None:
    real = inspect.signature(getattr(WhisperTranscriber, method))
    assert inspect.signature(getattr(FakeTranscriber, method)) == real
    assert inspect.signature(getattr(Transcriber, method)) == real


@pytest.mark.parametrize("method", ["feed", "finish", "close", "audio", "__enter__"])
def test_fake_stream_has_the_real_signatures(method: str) -> None:
    real = inspect.signature(getattr(StreamingTranscription, method))
    assert inspect.signature(getattr(FakeTranscriptionStream, method)) == real
    assert inspect.signature(getattr(TranscriptionStream, method)) == real


def test_importing_the_adapter_does_not_import_ctranslate2() -> None:
    import subprocess
    import sys

    code = ("import sys, confide.voice.whisper, confide.voice.streaming, confide.voice.vad, "
            "confide.voice.audio_file; "
            "sys.exit('ctranslate2' in sys.modules or 'faster_whisper' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_fake_replays_its_script_then_the_default() -> None:
    fake = FakeTranscriber(["I'm done", ""], default="again")
    second = np.zeros(8000, dtype=np.float32)
    assert fake.transcribe(np.zeros(16000, dtype=np.float32)).text == "I'm done"
    assert fake.transcribe(second).no_speech
    with fake.stream() as stream:
        stream.feed(second)
        stream.feed(second)
        result = stream.finish()
        assert stream.audio().shape == (16000,)
    assert result.text == "again"
    assert result.duration == pytest.approx(1.0)
    assert fake.calls == [16000, 8000, 16000]
    with pytest.raises(RuntimeError):
        stream.feed(second)
    assert asyncio.run(fake.transcribe_async(second)).text == "again"


def test_as_mono_float32_scales_integers_and_averages_channels() -> None:
    pcm = np.array([[16384, -16384], [32767, 32767]], dtype=np.int16)
    np.testing.assert_allclose(as_mono_float32(pcm), [0.0, 32767 / 32768], atol=1e-6)
    assert as_mono_float32(np.ones((4, 1))).shape == (4,)


def seg(start: float, text: str) -> Segment:
    return Segment(start, start + 1.0, text, 0.9)


def test_three_identical_segments_in_a_row_are_a_loop() -> None:
    looped = [seg(0, "Thank you."), seg(1, "thank you"), seg(2, "Thank you!"), seg(3, "Bye.")]
    assert [s.text for s in collapse_repeated_segments(looped)] == ["Thank you.", "Bye."]
    assert collapse_repeated_segments(looped)[0].end == 3.0
    twice = [seg(0, "No."), seg(1, "No."), seg(2, "Okay.")]
    assert collapse_repeated_segments(twice) == twice


def test_join_offsets_each_part_and_keeps_the_order() -> None:
    a = Transcript("Hello there.", "en", 2.0, (Segment(0.2, 1.8, "Hello there.", 0.9),))
    b = Transcript("", "en", 1.0, ())
    c = Transcript("Goodbye.", "en", 2.0, (Segment(0.1, 1.0, "Goodbye.", 0.8),))
    joined = join_transcripts([(0.0, a), (2.0, b), (5.5, c)], duration=7.5, language="en")
    assert joined.text == "Hello there. Goodbye."
    assert [(s.start, s.end) for s in joined.segments] == [(0.2, 1.8), (5.6, 6.5)]
    assert joined.duration == 7.5
    assert join_transcripts([], duration=1.0, language="en").no_speech


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thank you thank you thank you thank you thank you", "thank you"),
        ("I'm going home. I'm going home. I'm going home.", "I'm going home."),
        ("the the the the the cat sat", "the cat sat"),
        ("no no no", "no no no"),
        ("I said it twice, I said it twice", "I said it twice, I said it twice"),
        ("An ordinary sentence about trust.", "An ordinary sentence about trust."),
    ],
)
def test_repetition_loops_collapse_and_real_speech_stays(text: str, expected: str) -> None:
    assert collapse_repeated_phrases(text) == expected


class Raw:
    def __init__(self, text: str, avg_logprob: float = -0.3, no_speech_prob: float = 0.01,
                 start: float = 0.0, end: float = 1.0) -> None:
        self.text, self.avg_logprob, self.no_speech_prob = text, avg_logprob, no_speech_prob
        self.start, self.end = start, end


def test_guard_drops_what_whisper_itself_marks_as_no_speech() -> None:
    kept = guard_segments([
        Raw(" You", avg_logprob=-0.92, no_speech_prob=0.95),  # silence, seen on tiny.en
        Raw(" . . ."),
        Raw(" I was nervous to say this.", avg_logprob=-0.2, no_speech_prob=0.7, start=1.0),
        Raw(" Mumbled but real.", avg_logprob=-0.9, no_speech_prob=0.05, start=2.0),
    ])
    assert [s.text for s in kept] == ["I was nervous to say this.", "Mumbled but real."]
    assert kept[0].confidence == pytest.approx(np.exp(-0.2), abs=1e-4)
    assert all(0.0 <= s.confidence <= 1.0 for s in kept)
    assert guard_segments([Raw(" hi", avg_logprob=0.3)])[0].confidence == 1.0
