"""Every sentence is spoken at the rate it asks for, whatever the sentence before it asked:
espeak-ng (through pyttsx3) takes its rate as a queued command, and one that had not been
taken yet left a sentence at the rate before (after the soak's 400 words a minute, the
station test's 165 wpm reminder came out at 400 and was heard garbled)."""

from __future__ import annotations

import numpy as np
import pytest

from confide.voice.speech import Pyttsx3Synthesizer

pytestmark = pytest.mark.audio

SENTENCE = "It's eight o'clock, ready for tonight's reflection? Say yes, or later."


def _spoken_s(samples: np.ndarray, rate: int) -> float:
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    return float(loud[-1] - loud[0]) / rate if loud.size else 0.0


def test_each_sentence_takes_its_own_rate_not_the_one_before() -> None:
    synth = Pyttsx3Synthesizer()
    rates = [165, 400, 400, 165, 100, 450, 165, 300, 300, 165, 400, 165]
    spoken = {}
    for n, wpm in enumerate(rates):
        samples, sr = synth.synthesize(SENTENCE, rate=wpm)
        spoken[n] = (wpm, round(_spoken_s(samples, sr), 2))
    first = {wpm: s for wpm, s in reversed(list(spoken.values()))}  # each rate's first length
    for n, (wpm, seconds) in spoken.items():
        # the same sentence at the same rate lasts the same; a rate left over does not
        assert seconds == pytest.approx(first[wpm], rel=0.1), (n, spoken)
    assert first[400] < 0.5 * first[165] < first[100], spoken
