"""The SpeechSynthesizer port: every engine and the fake keep the port's signatures."""

from __future__ import annotations

import inspect

import pytest

from confide.voice.neural import PiperSynthesizer
from confide.voice.ports import SpeechSynthesizer
from confide.voice.speech import FakeSynthesizer, Pyttsx3Synthesizer
from confide.voice.voices import VoiceRouter

pytestmark = [pytest.mark.unit]

ENGINES = [Pyttsx3Synthesizer, PiperSynthesizer, VoiceRouter]


@pytest.mark.parametrize("method", ["synthesize", "voices"])
@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.__name__)
def test_fake_synthesizer_has_each_real_engines_signature(engine, method):
    real = inspect.signature(getattr(engine, method))
    assert inspect.signature(getattr(FakeSynthesizer, method)) == real
    assert inspect.signature(getattr(SpeechSynthesizer, method)) == real
