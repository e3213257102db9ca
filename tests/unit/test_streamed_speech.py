"""Streamed speech with fakes: how text is cut, the lead-in, pacing, and stopping."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from confide.voice.ports import SpeechSynthesizer
from confide.voice.speech import FakeSynthesizer
from confide.voice.speech_sinks import FakeSink, SpeakerSink
from confide.voice.streamed_speech import (
    StreamedSpeech,
    StreamOptions,
    speech_chunks,
    split_sentences,
    trim_silence,
)

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    ("   ", []),
    ("Hello.", ["Hello."]),
    ("Hello. How are you?", ["Hello.", "How are you?"]),
    ("Wait! Really?! Yes.", ["Wait!", "Really?!", "Yes."]),
    ("Dr. Lee saw Mr. Smith. Then we left.", ["Dr. Lee saw Mr. Smith.", "Then we left."]),
    ("J. Smith called. Twice.", ["J. Smith called.", "Twice."]),
    ("No final mark here", ["No final mark here"]),
    ('She said "stop." Then silence.', ['She said "stop."', "Then silence."]),
    ("It was 3.5 hours. Long.", ["It was 3.5 hours.", "Long."]),
    ("Spaces\n and   lines.  Kept  apart.", ["Spaces and lines.", "Kept apart."]),
])
def test_split_sentences_keeps_punctuation_and_abbreviations(text, expected):
    assert split_sentences(text) == expected


def test_a_short_first_sentence_is_one_chunk_and_the_last_has_no_pause():
    chunks = speech_chunks("Hello there. How was today?")
    assert [c.text for c in chunks] == ["Hello there.", "How was today?"]
    assert chunks[0].pause_after_s == StreamOptions().sentence_pause_s
    assert chunks[-1].pause_after_s == 0.0


def test_a_long_first_sentence_is_cut_at_a_comma_within_reach():
    text = ("When you think about the last week, which small moment made you feel most cared "
            "for? Take your time.")
    chunks = speech_chunks(text, StreamOptions(first_chunk_words=8))
    assert [c.text for c in chunks] == [
        "When you think about the last week,",
        "which small moment made you feel most cared for?", "Take your time."]
    assert chunks[0].pause_after_s == StreamOptions().clause_pause_s


def test_a_long_first_sentence_without_commas_is_cut_before_a_joining_word():
    text = "Think of a moment this week when your partner made you feel truly heard by them."
    head, rest = (c.text for c in speech_chunks(text))
    assert head == "Think of a moment this week"
    assert rest == "when your partner made you feel truly heard by them."
    assert len(head.split()) <= StreamOptions().first_chunk_words


def test_only_the_first_sentence_is_cut():
    text = "Yes. " + "This second sentence is long enough that it would be cut if it came first."
    assert len(speech_chunks(text)) == 2


def test_a_long_first_sentence_grows_from_short_chunks_and_long_sentences_are_capped():
    long = " ".join(["word"] * 30)
    chunks = speech_chunks(f"{long}. {long}.")
    sizes = [len(c.text.split()) for c in chunks]
    assert sizes[:3] == [6, 12, 12] and all(n <= 24 for n in sizes)
    assert sum(sizes) == 60


def test_chunks_put_every_word_back_in_order():
    text = ("Before we begin, remember that you can say pause, repeat or skip at any time, and "
            "that nothing you say leaves this room. Ready when you are.")
    rebuilt = " ".join(c.text for c in speech_chunks(text))
    assert rebuilt.split() == text.split()


def test_trim_silence_keeps_a_little_edge():
    rate = 1000
    samples = np.concatenate([np.zeros(300), 0.5 * np.ones(100), np.zeros(400)]).astype(np.float32)
    trimmed = trim_silence(samples, rate, keep_s=0.01)
    assert trimmed.size == 100 + 2 * 10
    assert trim_silence(np.zeros(50, dtype=np.float32), rate).size == 0


def test_speech_starts_with_the_lead_in_then_plays_every_chunk():
    synth, sink = FakeSynthesizer(), FakeSink()
    opts = StreamOptions(lead_in_s=0.12)
    report = StreamedSpeech(synth, sink, opts).speak("Hello there. How was today? Good.")
    assert report.completed and sink.finished and not sink.aborted
    assert synth.spoken == ["Hello there.", "How was today?", "Good."]
    lead = sink.blocks[0]
    assert sink.rate == 22_050 and lead.size == round(0.12 * 22_050) and not lead.any()
    assert report.chunks_played == 3
    assert report.first_audio_s is not None


def test_the_lead_in_plays_while_the_first_chunk_is_still_being_made():
    written_before: list[int] = []
    sink = FakeSink()

    class Slow(FakeSynthesizer):
        def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
            written_before.append(len(sink.blocks))
            return super().synthesize(text, voice=voice, rate=rate, volume=volume)

    StreamedSpeech(Slow(), sink, StreamOptions(lead_in_s=0.12)).speak("Hello there.")
    assert written_before[0] == 1  # the lead-in was already in the sink
    # At the first chunk's own rate instead, the output opens only once it is made.
    late = FakeSink()
    StreamedSpeech(FakeSynthesizer(), late, StreamOptions(output_rate=None)).speak("Hello.")
    assert late.rate == 16_000


def test_blocks_are_no_longer_than_the_block_size():
    sink = FakeSink()
    opts = StreamOptions(block_s=0.01)
    StreamedSpeech(FakeSynthesizer(), sink, opts).speak("One two three four five six seven.")
    assert sink.rate is not None
    assert max(b.size for b in sink.blocks[1:]) <= round(0.01 * sink.rate)


def test_stop_between_blocks_aborts_and_synthesizes_no_further():
    stop = threading.Event()
    synth = FakeSynthesizer()
    sink = FakeSink(on_write=lambda n: stop.set() if n == 3 else None)
    report = StreamedSpeech(synth, sink, StreamOptions(block_s=0.001)).speak(
        "First sentence here. Second one. Third one. Fourth one. Fifth one.", stop=stop)
    assert not report.completed and sink.aborted and not sink.finished
    assert len(sink.blocks) == 3, "nothing is written after the stop"
    assert len(synth.spoken) < 5


def test_a_stop_set_before_speaking_plays_nothing():
    stop = threading.Event()
    stop.set()
    sink = FakeSink()
    report = StreamedSpeech(FakeSynthesizer(), sink).speak("Hello there.", stop=stop)
    assert not report.completed and sink.blocks == []


class _SlowSynth(SpeechSynthesizer):
    """A tone of ``audio_s`` per chunk that takes ``cost_s`` (real time) to make."""

    def __init__(self, cost_s: float, audio_s: float, rate: int = 22_050) -> None:
        self.cost_s, self.audio_s, self.rate = cost_s, audio_s, rate

    def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
        time.sleep(self.cost_s)
        t = np.arange(int(self.rate * self.audio_s)) / self.rate
        return (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), self.rate

    def voices(self):
        return [("slow", "Slow")]


def test_synthesis_faster_than_real_time_leaves_no_gap():
    synth = _SlowSynth(cost_s=0.02, audio_s=0.3)
    report = StreamedSpeech(synth, FakeSink()).speak("One two. Three four. Five six.")
    assert report.completed and len(report.gaps_s) == 2
    assert max(report.gaps_s) <= 0.05


def test_synthesis_slower_than_real_time_shows_as_a_gap():
    synth = _SlowSynth(cost_s=0.3, audio_s=0.02)
    report = StreamedSpeech(synth, FakeSink(), StreamOptions(sentence_pause_s=0.0)).speak(
        "One two. Three four. Five six.")
    assert min(report.gaps_s) > 0.15


def test_first_audio_waits_only_for_the_first_chunk():
    synth = _SlowSynth(cost_s=0.1, audio_s=1.0)
    report = StreamedSpeech(synth, FakeSink()).speak("Hello. A second sentence. A third one.")
    assert report.first_audio_s is not None and 0.09 < report.first_audio_s < 0.19


def test_a_synthesis_error_reaches_the_caller():
    class Broken(FakeSynthesizer):
        def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
            raise RuntimeError("engine fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        StreamedSpeech(Broken(), FakeSink()).speak("Hello.")


def test_chunks_at_another_rate_are_resampled_to_the_first():
    class TwoRates(FakeSynthesizer):
        def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
            sr = 16_000 if text.startswith("One") else 8_000
            return 0.3 * np.ones(sr // 10, dtype=np.float32), sr

    sink = FakeSink()
    StreamedSpeech(TwoRates(), sink, StreamOptions(lead_in_s=0.0, sentence_pause_s=0.0,
                                                   output_rate=None)).speak("One. Two.")
    assert sink.rate == 16_000
    assert sink.samples.size == pytest.approx(2 * 1600, abs=40)


def test_voice_rate_and_volume_reach_the_engine():
    seen = []

    class Recording(FakeSynthesizer):
        def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
            seen.append((voice, rate, volume))
            return super().synthesize(text, voice=voice, rate=rate, volume=volume)

    StreamedSpeech(Recording(), FakeSink()).speak("Hi. There.", voice="fast", rate=300, volume=0.5)
    assert seen == [("fast", 300, 0.5)] * 2


def test_speaker_sink_plays_through_a_plain_speaker_and_stops_it():
    played, stopped = [], []

    class Speaker:
        def play(self, samples, rate, *, wait=True):
            played.append((samples.size, rate))

        def stop(self):
            stopped.append(True)

        def wait(self):
            pass

    sink = SpeakerSink(Speaker())
    StreamedSpeech(FakeSynthesizer(), sink).speak("One two three. Four five six.")
    assert played and all(rate == 22_050 for _, rate in played)
    sink.abort()
    assert stopped


def test_a_stop_returns_at_once_even_while_the_next_chunk_is_being_made():
    """Barge-in must not wait for a synthesis call in progress (on a busy CPU one takes
    seconds; speech used to wait up to 5 s for it before returning)."""
    import threading

    stop = threading.Event()
    synth = _SlowSynth(cost_s=2.0, audio_s=0.1)
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    report = StreamedSpeech(synth, FakeSink()).speak("One two. Three four.", stop=stop)
    assert not report.completed
    assert time.monotonic() - started < 1.0


def test_ready_made_audio_plays_on_the_speech_stream_with_its_lead_in_and_rate():
    sink = FakeSink()
    opts = StreamOptions(output_rate=16_000, lead_in_s=0.1)
    chime = np.ones(8_000, dtype=np.float32) * 0.5  # half a second at 16 kHz
    report = StreamedSpeech(FakeSynthesizer(), sink, opts).play(chime, 16_000)
    assert report.completed and sink.finished and not sink.aborted
    assert sink.rate == 16_000
    assert sink.samples.size == 1_600 + 8_000
    assert not sink.samples[:1_600].any() and np.allclose(sink.samples[1_600:], 0.5)


def test_ready_made_audio_at_another_rate_is_resampled_and_a_stop_aborts_it():
    sink = FakeSink()
    opts = StreamOptions(output_rate=16_000, lead_in_s=0.0)
    report = StreamedSpeech(FakeSynthesizer(), sink, opts).play(np.ones(22_050, np.float32),
                                                                22_050)
    assert abs(sink.samples.size - 16_000) <= 1 and report.completed
    stopped = threading.Event()
    stopped.set()
    sink = FakeSink()
    report = StreamedSpeech(FakeSynthesizer(), sink, opts).play(np.ones(100, np.float32), 16_000,
                                                                stop=stopped)
    assert not report.completed and sink.aborted and sink.samples.size == 0
