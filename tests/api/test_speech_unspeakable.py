"""An entry that is only punctuation, emoji or symbols is read aloud as a sentence saying so,
not answered with a server error or a silent recording."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from confide.prompts import load_messages
from confide.voice.speech import FakeSynthesizer
from tests.api.conftest import Api, isolated_env, make_app

pytestmark = pytest.mark.api

NO_WORDS = load_messages().say("speech_no_words")


@pytest.mark.parametrize("text", ["…", "🙂❤️", "?!", "#$% → ♥"])
def test_an_entry_without_words_is_read_as_a_sentence_saying_so(app_factory: Callable[..., Api],
                                                         text: str) -> None:
    synth = FakeSynthesizer()
    api: Api = app_factory(synthesizer=synth)
    alex = api.user("Alex")
    entry = api.write(alex, text)
    r = api.client.get(f"/api/entries/{entry['id']}/speech", headers=alex.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert synth.spoken == [NO_WORDS]


def test_an_entry_with_words_and_emoji_is_read_as_written(app_factory: Callable[..., Api]) -> None:
    synth = FakeSynthesizer()
    api: Api = app_factory(synthesizer=synth)
    alex = api.user("Alex")
    entry = api.write(alex, "I missed you 🙂")
    r = api.client.get(f"/api/entries/{entry['id']}/speech", headers=alex.headers)
    assert r.status_code == 200, r.text
    assert synth.spoken == ["I missed you 🙂"]


@pytest.mark.slow
def test_the_real_engine_reads_an_entry_of_symbols_audibly(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from confide.voice.speech import Pyttsx3Synthesizer

    with isolated_env(tmp_path):
        app = make_app(tmp_path / "data", synthesizer=Pyttsx3Synthesizer())
        with TestClient(app) as client:
            api = Api(client, app)
            alex = api.user("Alex")
            for text in ("…", "?!"):
                entry = api.write(alex, text)
                r = client.get(f"/api/entries/{entry['id']}/speech", headers=alex.headers)
                assert r.status_code == 200, r.text
                samples, rate = sf.read(io.BytesIO(r.content), dtype="float32")
                assert samples.size / rate > 1.0, text  # a sentence, not a blip
                assert float(np.abs(samples).max()) > 0.05, f"{text!r} was read as silence"
