"""The held-out phrasings spoken by the natural voice (Piper's joe, a stand-in person) and
transcribed by the bundled Whisper model, then understood (voice.intents): intent accuracy
through speech, without the microphone, on every other phrasing and journal sentence (CI's
time; scripts/bench_intents_audio.py measures them all). The figure is printed; the issue's
bar for the whole audio path is 90 %; FLOOR keeps the figure measured from falling back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from confide.voice.intents import REQUEST_HINT, understand
from confide.voice.whisper import WhisperTranscriber

pytestmark = pytest.mark.model

DATA = yaml.safe_load((Path(__file__).parents[1] / "unit" / "data" / "intent_phrasings.yaml")
                      .read_text(encoding="utf-8"))
TODAY = date(2026, 3, 11)
HINT = REQUEST_HINT.format(partner="Sam")
"""As the voice loop hears a request at the home (voice.listener)."""
FLOOR = 0.90
"""The issue's bar; 152/161 (94.4 %) measured here on every run since the noise went."""


@pytest.fixture(scope="module")
def speak() -> Any:
    """The stand-in person (tests.person): the same audio on every run."""
    from tests.person import say_16k

    return say_16k


def _norm(slots: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v).lower() if isinstance(v, str) else v) for k, v in slots.items()}


def test_spoken_phrasings_reach_their_intent_and_slots(whisper: WhisperTranscriber,
                                                      speak: Any) -> None:
    items = DATA["phrasings"][::2]  # every other one: the whole set is the benchmark's
    wrong = []
    for item in items:
        heard = whisper.transcribe_request(speak(item["say"]), HINT).text
        found = understand(heard, today=TODAY)
        got = (found.name, _norm(dict(found.slots))) if found is not None else (None, {})
        if got != (item["intent"], _norm(item.get("slots") or {})):
            wrong.append(f"  {item['say']!r} heard {heard!r}: got {got}")
    right = len(items) - len(wrong)
    print(f"\nintent accuracy (natural voice → Whisper): {right}/{len(items)} = "
          f"{right / len(items):.1%}\n" + "\n".join(wrong))
    assert right / len(items) >= FLOOR, "\n".join(wrong)


def test_spoken_journal_sentences_are_no_command(whisper: WhisperTranscriber,
                                                 speak: Any) -> None:
    found = [(s, understand(whisper.transcribe_request(speak(s), HINT).text, today=TODAY))
             for s in DATA["journal"][::2]]  # heard with the hint, as if said at the home
    commands = [(s, f) for s, f in found if f is not None]
    print(f"\ncommands in {len(found)} spoken journal sentences: {len(commands)}")
    assert commands == []


def test_the_hint_is_never_heard_in_silence_or_noise(whisper: WhisperTranscriber) -> None:
    rng = np.random.default_rng(7)
    for audio in (np.zeros(32_000, dtype=np.float32),
                  (rng.standard_normal(32_000) * 0.01).astype(np.float32)):
        assert whisper.transcribe_request(audio, HINT).text == ""
