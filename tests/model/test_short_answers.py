"""The short-answer path (``transcribe_short``: a 10 s encoder window, 20 tokens) against the
full one, on the closed set of answers a question expects ("yes", "four", "read it back"),
spoken by both voices at two paces, the same audio for both paths: turn-taking takes it after
every yes/no question, rating and command prompt, so it must understand about as many. The
natural voice is the stand-in person of tests.person, the same audio on every run; the bound
allows 3 of 80 either way for another machine's arithmetic. Measured: short 63, full 63 (with
the sampled noise, which made each run differ: short 66 and 63, full 63 and 58)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from confide.voice.audio_file import resample
from confide.voice.commands import Command, recognise
from confide.voice.whisper import WhisperTranscriber

pytestmark = pytest.mark.model

ANSWERS: list[tuple[str, Command, int | None]] = [
    ("Yes.", Command.YES, None), ("Yes please.", Command.YES, None),
    ("No.", Command.NO, None), ("No thanks.", Command.NO, None),
    ("Four.", Command.NUMBER, 4), ("Three.", Command.NUMBER, 3), ("Five.", Command.NUMBER, 5),
    ("Read it back.", Command.READ_BACK, None), ("Share it.", Command.SHARE, None),
    ("Keep it private.", Command.KEEP_PRIVATE, None), ("Delete that.", Command.DELETE, None),
    ("Skip.", Command.SKIP, None), ("Repeat that.", Command.REPEAT, None),
    ("Slower please.", Command.SLOWER, None), ("Louder.", Command.LOUDER, None),
    ("Pause.", Command.PAUSE, None), ("Resume.", Command.RESUME, None),
    ("Later.", Command.LATER, None), ("Help.", Command.HELP, None),
    ("Give me more time.", Command.MORE_TIME, None),
]


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from confide.settings import load_settings
    from confide.wiring import synthesizer

    return synthesizer(load_settings(data_dir=tmp_path_factory.mktemp("voice"),
                                     database_url=None))


def _render(voices: Any, text: str, voice: str, rate: int) -> np.ndarray:
    from tests.person import say  # the natural voice without its noise: the same each run

    samples, sr = (say(text, rate) if voice == "natural"
                   else voices.synthesize(text, voice=voice, rate=rate))
    audio = resample(np.asarray(samples, dtype=np.float32), sr, 16_000)
    pad = np.zeros(8000, dtype=np.float32)  # as a listening turn holds it: quiet around it
    return np.concatenate([pad, audio, pad])


def test_the_short_path_understands_the_closed_set_at_least_as_well_as_the_full_one(
        whisper: WhisperTranscriber, voices: Any) -> None:
    spoken = [(text, command, number, _render(voices, text, voice, rate))
              for voice in ("natural", "fast") for rate in (150, 200)
              for text, command, number in ANSWERS]
    scores: dict[str, int] = {}
    took: dict[str, list[float]] = {}
    misses: list[str] = []
    for path in ("full", "short"):
        transcribe = whisper.transcribe if path == "full" else whisper.transcribe_short
        right, times = 0, []
        for text, command, number, audio in spoken:
            started = time.perf_counter()
            heard = transcribe(audio).text
            times.append(time.perf_counter() - started)
            got = recognise(heard)
            if got.command is command and (number is None or got.number == number):
                right += 1
            else:
                misses.append(f"  {path}: {text!r} heard {heard!r}")
        scores[path], took[path] = right, times
    print(f"\nclosed-set answers understood of {len(spoken)}: full {scores['full']}, short "
          f"{scores['short']}; median seconds full "
          f"{np.median(took['full']):.3f}, short {np.median(took['short']):.3f}\n"
          + "\n".join(misses))
    assert scores["short"] >= scores["full"] - 3
    assert scores["short"] >= 0.75 * len(spoken)
