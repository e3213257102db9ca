"""When barge-in is on: only where Confide's own voice cannot reach the microphone."""

from __future__ import annotations

import pytest

from confide.voice.echo import choose_barge_in, echo_cancelling_source

pytestmark = pytest.mark.unit

MODULES = """\
5\tmodule-udev-detect\t\t
27\tmodule-echo-cancel\taec_method=webrtc source_name=confide_aec sink_name=confide_aec_out\t
"""


def test_an_echo_cancelled_default_source_is_found_by_its_module():
    assert echo_cancelling_source(MODULES, "confide_aec\n") == "confide_aec"


def test_pipewire_names_its_echo_cancelling_source_so():
    assert echo_cancelling_source("", "echo-cancel-source") == "echo-cancel-source"


def test_a_plain_microphone_is_not_echo_cancelled_even_when_a_canceller_is_loaded():
    assert echo_cancelling_source(MODULES, "alsa_input.usb-mic") is None
    assert echo_cancelling_source(MODULES, "") is None


def test_auto_listens_over_speech_only_with_echo_cancelled():
    assert choose_barge_in("auto", "confide_aec").on
    off = choose_barge_in("auto", None)
    assert not off.on and "module-echo-cancel" in off.why  # says how to turn it on
    assert choose_barge_in("on", None).on  # a headset: the person's choice
    assert not choose_barge_in("off", "confide_aec").on
