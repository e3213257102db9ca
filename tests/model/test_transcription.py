"""The real Whisper model on synthesized speech, silence and noise, whole-file and streaming."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from confide.settings import Settings
from confide.voice.streaming import StreamingTranscription
from confide.voice.transcriber import ModelUnavailableError, normalized_words
from confide.voice.whisper import WhisperTranscriber
from confide.wiring import transcriber, whisper_options
from tests.model.conftest import Speak

pytestmark = pytest.mark.model

RATE = 16_000
SENTENCES = (
    "I felt heard when you listened to me yesterday.",
    "We agreed to keep our phones away during dinner.",
    "Thank you for being patient with me this week.",
)
KEY_WORDS = ({"heard", "listened", "yesterday"}, {"phones", "dinner"}, {"patient", "week"})


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    prev = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        cur = [i]
        for j, hyp in enumerate(hypothesis, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref != hyp)))
        prev = cur
    return prev[-1] / max(1, len(reference))


def reply(speak: Speak, pause_s: float = 0.8) -> np.ndarray:
    """The three sentences joined by natural pauses, as one spoken reply."""
    gap = np.zeros(int(pause_s * RATE), dtype=np.float32)
    parts: list[np.ndarray] = [gap]
    for sentence in SENTENCES:
        parts += [speak(sentence), gap]
    return np.concatenate(parts)


def test_whole_file_finds_the_key_words(whisper: WhisperTranscriber, speak: Speak) -> None:
    transcript = whisper.transcribe(speak(SENTENCES[0]))
    words = set(normalized_words(transcript.text))
    assert KEY_WORDS[0] <= words, transcript.text
    assert not transcript.no_speech
    assert transcript.language == "en"
    seg = transcript.segments[0]
    assert 0.0 <= seg.start < seg.end <= transcript.duration + 0.01
    assert 0.0 < seg.confidence <= 1.0


def test_streaming_in_small_blocks_agrees_with_whole_file(
    whisper: WhisperTranscriber, speak: Speak
) -> None:
    audio = reply(speak)
    whole = whisper.transcribe(audio)
    with whisper.stream() as stream:
        assert isinstance(stream, StreamingTranscription)
        for start in range(0, audio.shape[0], 480):  # 30 ms blocks, not VAD-window aligned
            stream.feed(audio[start : start + 480])
        streamed = stream.finish(timeout=60)
        chunks = list(stream.chunks)
    assert len(chunks) >= 2, "the reply should have been cut at its pauses"
    whole_words, stream_words = normalized_words(whole.text), normalized_words(streamed.text)
    for keys in KEY_WORDS:
        assert keys <= set(stream_words), streamed.text
    assert word_error_rate(whole_words, stream_words) <= 0.1, (whole.text, streamed.text)
    assert streamed.duration == pytest.approx(audio.shape[0] / RATE, abs=0.01)
    starts = [s.start for s in streamed.segments]
    assert starts == sorted(starts)
    assert streamed.segments[-1].end <= streamed.duration + 0.01
    # timestamps are over the whole recording: the last sentence starts in its last third
    assert streamed.segments[-1].start > streamed.duration / 2


def test_silence_and_white_noise_give_no_speech(whisper: WhisperTranscriber) -> None:
    rng = np.random.default_rng(7)
    silence = np.zeros(3 * RATE, dtype=np.float32)
    noise = (rng.standard_normal(3 * RATE) * 0.1).astype(np.float32)
    for audio in (silence, noise):
        transcript = whisper.transcribe(audio)
        assert transcript.no_speech
        assert transcript.text == ""
        assert transcript.segments == ()
        with whisper.stream() as stream:
            stream.feed(audio)
            streamed = stream.finish(timeout=60)
        assert streamed.no_speech
        assert streamed.segments == ()
        assert streamed.duration == pytest.approx(3.0)


def test_a_fitted_encoder_window_is_opt_in_and_finds_the_same_words(
    whisper: WhisperTranscriber, whisper_settings: Settings, speak: Speak,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import faster_whisper.transcribe as fw

    windows: list[int] = []
    installed = fw.pad_or_trim

    def spy(array: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
        padded = np.asarray(installed(array, *args, **kwargs))
        windows.append(int(padded.shape[-1]))
        return padded

    monkeypatch.setattr(fw, "pad_or_trim", spy)
    sentence = speak(SENTENCES[1])  # about 3 s
    full = whisper.transcribe(sentence)
    assert windows == [3000], "by default Whisper's own 30 s window"
    fitted = WhisperTranscriber(replace(whisper.whisper_options, min_window_s=10))
    assert fitted.model is whisper.model
    short = fitted.transcribe(sentence)
    assert windows[1:] == [1000], "a 3 s sentence is encoded in a 10 s window, not 30 s"
    assert KEY_WORDS[1] <= set(normalized_words(short.text)), short.text
    assert word_error_rate(normalized_words(full.text), normalized_words(short.text)) <= 0.1
    whisper.model.transcribe(sentence, language="en")[0].__next__()
    assert windows[-1] == 3000, "faster-whisper called directly keeps its stock window"


def test_the_model_loads_once_per_process(
    whisper: WhisperTranscriber, whisper_settings: Settings
) -> None:
    assert transcriber(whisper_settings) is whisper
    assert WhisperTranscriber(whisper_options(whisper_settings)).model is whisper.model


def test_inference_can_run_off_the_event_loop(whisper: WhisperTranscriber) -> None:
    async def main() -> bool:
        return (await whisper.transcribe_async(np.zeros(RATE, dtype=np.float32))).no_speech

    assert asyncio.run(main())


def test_a_model_name_offline_says_it_needs_a_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faster_whisper.transcribe

    calls: list[bool] = []

    def offline(name: str, *, local_files_only: bool = False, **_: object) -> str:
        calls.append(local_files_only)
        raise OSError(f"cannot reach the model hub for {name}")

    monkeypatch.setattr(faster_whisper.transcribe, "download_model", offline)
    settings = Settings(data_dir=tmp_path, whisper_model="tiny.en")
    with pytest.raises(ModelUnavailableError, match="network") as info:
        WhisperTranscriber(whisper_options(settings))
    assert "CONFIDE_WHISPER_MODEL" in str(info.value)
    assert calls == [True, False], "the local cache is tried before the hub"
