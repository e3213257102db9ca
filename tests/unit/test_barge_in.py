"""Barge-in with fakes for the devices and engines: the watch stops speech at the person's
first words and keeps what they said, and the session answers it at the next listening point
(the real devices: tests/audio/test_barge_in.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlmodel import select

from confide.models import accounts, sealing
from confide.models.db import session_scope
from confide.models.storage import AudioStore
from confide.models.tables import Entry
from confide.voice.barge_in import BargeIn
from confide.voice.listener import Listener
from confide.voice.ports import Microphone, Speaker, SpeechSynthesizer
from confide.voice.runner_speech import Mouth
from confide.voice.session import Voice, VoiceSession
from confide.voice.speech_sinks import FakeSink
from confide.voice.streamed_speech import StreamedSpeech
from confide.voice.transcriber import FakeTranscriber
from confide.voice.vad import EnergyVoiceActivity, VadTracker

pytestmark = pytest.mark.unit

BLOCK = 512  # 32 ms at 16 kHz


class PacedMicrophone(Microphone):
    """Per opening: ``(silence_s, speech_s)`` — silence, loud noise as 'speech', then silence
    for as long as it is read; a block every ``pace_s`` so a watch does not spin."""

    def __init__(self, turns: list[tuple[float, float]], pace_s: float = 0.002) -> None:
        self.turns = list(turns)
        self.pace_s = pace_s
        self.opened = 0
        self.closed = 0

    def blocks(self, block_s: float = 0.032) -> Iterator[np.ndarray]:
        self.opened += 1
        silence_s, speech_s = self.turns.pop(0) if self.turns else (0.0, 0.0)
        rng = np.random.default_rng(self.opened)
        try:
            for _ in range(round(silence_s / 0.032)):
                time.sleep(self.pace_s)
                yield np.zeros(BLOCK, dtype=np.float32)
            for _ in range(round(speech_s / 0.032)):
                time.sleep(self.pace_s)
                yield (0.3 * rng.standard_normal(BLOCK)).astype(np.float32)
            while True:
                time.sleep(self.pace_s)
                yield np.zeros(BLOCK, dtype=np.float32)
        finally:
            self.closed += 1


class RealTimeSink(FakeSink):
    """A sink that takes as long as its audio lasts, as a speaker does."""

    def write(self, block: np.ndarray) -> None:
        super().write(block)
        assert self.rate is not None
        time.sleep(block.size / self.rate)


class WordsSynthesizer(SpeechSynthesizer):
    """A tone per word (a quarter second by default): speech long enough to be spoken over."""

    def __init__(self, per_word_s: float = 0.25) -> None:
        self.per_word_s = per_word_s
        self.spoken: list[str] = []

    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        self.spoken.append(text)
        t = np.arange(int(16_000 * self.per_word_s * len(text.split()))) / 16_000
        return (0.2 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), 16_000

    def voices(self) -> list[tuple[str, str]]:
        return [("words", "Words")]


def _vad() -> VadTracker:
    return VadTracker(EnergyVoiceActivity())


def test_the_first_words_stop_the_speech_and_are_kept_with_what_came_just_before():
    mic = PacedMicrophone([(0.3, 0.6)])
    sink = RealTimeSink()
    speech = StreamedSpeech(WordsSynthesizer(), sink)
    stop = threading.Event()
    barge_in = BargeIn(mic, _vad)
    with barge_in.watching(stop) as watch:
        report = speech.speak("One two three four five six seven eight nine ten eleven twelve "
                              "thirteen fourteen fifteen sixteen.", stop=stop)
    assert not report.completed and sink.aborted  # 4 s of speech, stopped early
    assert sink.samples.size / 16_000 < 2.0
    spoken = watch.interruption
    assert spoken is not None and stop.is_set()
    loud = np.abs(spoken.audio) > 0.05
    assert 0.5 <= loud.sum() / 16_000 <= 0.7  # every word of it, from its first sample
    assert not loud[:BLOCK].any()  # with some of the quiet before it (the preroll)
    assert spoken.speech_began_at <= spoken.onset_at
    assert mic.closed == 1  # the microphone is given back for the next listening turn


def test_speech_nobody_interrupts_plays_to_the_end_and_the_watch_lets_go():
    mic = PacedMicrophone([(60.0, 0.0)])
    sink = RealTimeSink()
    stop = threading.Event()
    with BargeIn(mic, _vad).watching(stop) as watch:
        report = StreamedSpeech(WordsSynthesizer(), sink).speak("Just two.", stop=stop)
    assert report.completed and not stop.is_set() and watch.interruption is None
    assert mic.closed == 1


def test_a_click_shorter_than_the_onset_does_not_interrupt():
    mic = PacedMicrophone([(0.2, 0.032)])
    stop = threading.Event()
    with BargeIn(mic, _vad).watching(stop) as watch:
        report = StreamedSpeech(WordsSynthesizer(), RealTimeSink()).speak("A few words here.",
                                                                         stop=stop)
    assert report.completed and watch.interruption is None


class QuietSpeaker(Speaker):
    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        return None

    def stop(self) -> None:
        return None

    def wait(self) -> None:
        return None


def _session(engine, tmp_path, person_id, mic: PacedMicrophone,
             lines: list[str]) -> VoiceSession:
    stt = FakeTranscriber(lines)
    synth = WordsSynthesizer(per_word_s=0.03)  # the mic runs 16 times faster than this
    session = VoiceSession(
        engine=engine, store=AudioStore(tmp_path / "audio"), person_id=person_id,
        speaker=QuietSpeaker(), synthesizer=synth,
        listener=Listener(mic, stt, _vad), pending_dir=tmp_path / "pending",
        defaults=Voice(None, 165, 1.0), pause_allowance_s=1.0, max_reply_s=None,
        crisis_line="the test crisis line", now=lambda: datetime(2026, 11, 29, 20, 0, tzinfo=UTC))
    session.mouth = Mouth(StreamedSpeech(synth, RealTimeSink()), BargeIn(mic, _vad))
    return session


def test_stop_said_over_the_greeting_ends_the_session_before_the_prompt(engine, tmp_path, cast):
    mic = PacedMicrophone([(0.1, 0.5)])  # the first thing Confide says is spoken over
    session = _session(engine, tmp_path, cast.alex.id, mic, ["Stop."])
    session.unlocked = cast.keys["Alex"]
    report = session.run()
    assert report.keys[-1] == "GOODBYE"
    assert "" not in report.keys  # no prompt was read (a prompt has no catalog name)
    assert len(report.spoken) <= 3


def test_a_reply_begun_over_the_prompt_is_recorded_from_its_first_word(engine, tmp_path, cast):
    # Greeting and anything before the prompt: nobody speaks; over the prompt: the reply.
    mic = PacedMicrophone([])
    session = _session(engine, tmp_path, cast.alex.id, mic, [
        "Last week I",  # the words said over the prompt
        "Last week I told you the truth about the money.",  # the whole reply, transcribed
        "Keep it private.", "No thanks.", "", ""])
    session.unlocked = cast.keys["Alex"]
    real_say = session.say

    def say(text: str, *, key: str = "") -> None:
        mic.turns = [(0.2, 0.4) if key == "" and "reply" not in text else (60.0, 0.0)]
        real_say(text, key=key)

    session.say = say
    session.run()
    with session_scope(engine) as s:
        rows = list(s.exec(select(Entry)))
        sealing.open_entries(s, cast.keys["Alex"], rows,
                             accounts.get_person(s, cast.alex.id).couple_id)
    assert [r.transcript for r in rows] == ["Last week I told you the truth about the money."]
    stored = AudioStore(tmp_path / "audio")
    import io

    import soundfile as sf

    with session_scope(engine) as s:
        data_key = cast.keys["Alex"].data_key(s, "entry", rows[0].id, None)
    audio, _rate = sf.read(io.BytesIO(stored.read_audio(rows[0].audio_path, data_key)))
    # The 0.4 s said over the prompt (noise: ~87 % of its samples are loud); recorded only
    # after the prompt, the reply would hold none, since the microphone is quiet then.
    assert (np.abs(audio) > 0.05).sum() / 16_000 >= 0.3


class CountingSpeaker(QuietSpeaker):
    def __init__(self) -> None:
        self.played = 0

    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        self.played += 1


def test_earcons_and_recordings_go_through_the_speech_stream_when_it_is_wired(engine, tmp_path,
                                                                              cast):
    import io

    import soundfile as sf

    session = _session(engine, tmp_path, cast.alex.id, PacedMicrophone([]), [])
    sink, speaker = FakeSink(), CountingSpeaker()
    session.speaker = speaker
    session.mouth = Mouth(StreamedSpeech(WordsSynthesizer(), sink))
    session.chime("listening")
    heard = sink.samples.size
    assert heard > 0 and sink.finished and speaker.played == 0
    wav = io.BytesIO()
    sf.write(wav, np.full((1_600, 2), 0.25, dtype=np.float32), 16_000, format="WAV")
    session.play_recording(wav.getvalue())  # a stereo recording, played as one voice
    assert sink.samples.size > heard and speaker.played == 0
    session.mouth = None
    session.chime("listening")
    assert speaker.played == 1  # without streamed speech, the plain speaker as before
