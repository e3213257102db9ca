"""Quick turn-taking: a whole short answer ends its turn after a short silence; anything
else waits the full pause, and is transcribed once (fakes for the devices and the engine)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from confide.voice.dialog_events import ListenMode
from confide.voice.listener import EARLY_END_S, Listener
from confide.voice.ports import Microphone
from confide.voice.runner_speech import closed_set, whole_answer
from confide.voice.segmenter import SHORT_ANSWER_PAUSE_S
from confide.voice.transcriber import FakeTranscriber
from confide.voice.vad import EnergyVoiceActivity, VadTracker

pytestmark = pytest.mark.unit

BLOCK_S = 0.032


class CountingMicrophone(Microphone):
    """``speech_s`` of loud noise, then silence; counts the blocks read. A block every
    2 ms (16 times real time), so work on another thread gets its turn as it would."""

    def __init__(self, speech_s: float) -> None:
        self.speech_blocks = round(speech_s / BLOCK_S)
        self.read = 0

    @property
    def silence_s(self) -> float:
        """How much silence was read after the speech."""
        return (self.read - self.speech_blocks) * BLOCK_S

    def blocks(self, block_s: float = BLOCK_S) -> Iterator[np.ndarray]:
        rng = np.random.default_rng(0)
        n = int(16_000 * block_s)
        for _ in range(self.speech_blocks):
            self.read += 1
            yield (0.3 * rng.standard_normal(n)).astype(np.float32)
        while True:
            time.sleep(0.002)
            self.read += 1
            yield np.zeros(n, dtype=np.float32)


def _listen(said: str, accept: object) -> tuple[str, float, FakeTranscriber]:
    mic = CountingMicrophone(0.6)
    stt = FakeTranscriber([said, "a second transcription"])
    text = Listener(mic, stt, lambda: VadTracker(EnergyVoiceActivity())).utterance(
        accept=accept)  # type: ignore[arg-type]
    return text, mic.silence_s, stt


def test_a_whole_answer_ends_its_turn_after_the_short_silence():
    text, silence_s, stt = _listen("Yes.", whole_answer(ListenMode.YES_NO))
    assert text == "Yes."
    # Ended at the short silence, heard meanwhile on another thread: well before the pause.
    assert EARLY_END_S <= silence_s < SHORT_ANSWER_PAUSE_S
    assert len(stt.calls) == 1


def test_anything_else_waits_the_full_pause_and_is_transcribed_once():
    text, silence_s, stt = _listen("Well, I was thinking", whole_answer(ListenMode.YES_NO))
    assert text == "Well, I was thinking"
    assert silence_s >= SHORT_ANSWER_PAUSE_S
    assert len(stt.calls) == 1  # the early transcript is reused: nothing was said after it


def test_without_a_closed_set_the_turn_is_never_cut_early():
    assert whole_answer(ListenMode.REPLY) is None
    text, silence_s, _stt = _listen("Yes.", None)
    assert text == "Yes." and silence_s >= SHORT_ANSWER_PAUSE_S


def test_requests_at_the_home_end_early_too_and_keep_the_full_recognition_path():
    home = whole_answer(ListenMode.HOME)
    assert home is not None and home("what did Sam share this week") and not home("well")
    assert not closed_set(ListenMode.HOME) and closed_set(ListenMode.YES_NO)


def _reply(tmp_path, said: str, closes: object) -> tuple[str, float]:
    from nacl.public import PrivateKey

    from confide.voice.pending import PendingRecording

    pending = PendingRecording.begin(tmp_path, person_id=1,
                                     public_key=bytes(PrivateKey.generate().public_key),
                                     journal="private")
    mic = CountingMicrophone(2.0)
    listener = Listener(mic, FakeTranscriber([said]), lambda: VadTracker(EnergyVoiceActivity()))
    turn = listener.reply(pending, pause_allowance_s=3.0, closes=closes)  # type: ignore[arg-type]
    return turn.ended_by, mic.silence_s


def test_a_reply_that_ends_with_a_closing_phrase_ends_at_its_first_pause(tmp_path):
    from confide.voice.commands import strip_closing
    from confide.voice.listener import CLOSING_CHECK_S

    def closes(words: str) -> bool:
        return strip_closing(words)[1]

    ended_by, silence_s = _reply(tmp_path, "We talked for an hour. That's it, I'm done.", closes)
    assert ended_by == "closing" and CLOSING_CHECK_S <= silence_s < 1.5  # not the 3 s pause
    # Without one, the reply has its whole pause allowance: a thinking pause never ends it.
    ended_by, silence_s = _reply(tmp_path / "b", "We talked for an hour.", closes)
    assert ended_by == "silence" and silence_s >= 3.0


def test_the_microphone_goes_on_being_read_while_an_answer_is_heard_ahead():
    mic = CountingMicrophone(0.6)
    during: list[int] = []

    class Slow(FakeTranscriber):
        def transcribe_short(self, samples):
            before = mic.read
            time.sleep(0.2)  # Whisper's tenth of a second, and some
            during.append(mic.read - before)
            return super().transcribe_short(samples)

    listener = Listener(mic, Slow(["Yes."]), lambda: VadTracker(EnergyVoiceActivity()))
    assert listener.utterance(accept=whole_answer(ListenMode.YES_NO)) == "Yes."
    assert during and during[0] >= 10  # blocks kept coming: none waited for the guess


def test_a_request_is_heard_with_the_requests_hint_and_other_answers_without():
    class Hinted(FakeTranscriber):
        def __init__(self, script: list[str]) -> None:
            super().__init__(script)
            self.hints: list[str | None] = []

        def transcribe_request(self, samples, hint):
            self.hints.append(hint)
            return self.transcribe(samples)

    def heard(hint: str | None) -> Hinted:
        stt = Hinted(["Tag it dinner."])
        Listener(CountingMicrophone(0.6), stt, lambda: VadTracker(EnergyVoiceActivity())
                 ).utterance(accept=whole_answer(ListenMode.HOME), short=False, hint=hint)
        return stt

    assert heard("Tag it. Set the mood.").hints == ["Tag it. Set the mood."]
    assert heard(None).hints == []  # a spoken passphrase, a note: no hint
