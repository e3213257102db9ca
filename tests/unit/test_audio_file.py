"""Decoding audio files: every format the product accepts, and every way a file can be bad.

The engine (``voice.audio_file``) raises its own ``UnusableAudio``; the product's decoder
(``voice.decoding``) turns that into the journal's ``InvalidAudio`` / ``TooLarge``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from confide.models.errors import ConfideError, InvalidAudio, TooLarge
from confide.voice import decoding
from confide.voice.audio_file import AudioTooLarge, UnusableAudio, decode_audio, resample, write_flac

pytestmark = pytest.mark.unit

RATE = 16_000


def tone(seconds: float, rate: int, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.shape[0])))
    return float(np.argmax(spectrum) * rate / samples.shape[0])


@pytest.fixture
def wav_44k_stereo(tmp_path: Path) -> Path:
    """1.5 s of 440 Hz at 44.1 kHz: the left channel at 0.6, the right at 0.2."""
    left, right = tone(1.5, 44_100, amp=0.6), tone(1.5, 44_100, amp=0.2)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), 44_100, subtype="PCM_16")
    return path


def encode(source: Path, target: Path, *args: str) -> Path:
    """Encode with ffmpeg; skip when this machine's ffmpeg lacks the encoder."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    done = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source),
                           *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"ffmpeg cannot encode {target.suffix}: {done.stderr.strip()[:200]}")
    return target


def test_wav_44k_stereo_becomes_16k_mono_averaging_the_channels(wav_44k_stereo: Path) -> None:
    audio = decode_audio(wav_44k_stereo)
    assert (audio.rate, audio.original_rate, audio.channels) == (RATE, 44_100, 2)
    assert audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1
    assert audio.duration == pytest.approx(1.5, abs=0.01)
    assert audio.samples.shape[0] == pytest.approx(1.5 * RATE, abs=20)
    assert peak_frequency(audio.samples, RATE) == pytest.approx(440, abs=3)
    middle = audio.samples[RATE // 4 : -RATE // 4]
    assert np.abs(middle).max() == pytest.approx(0.4, abs=0.02)  # (0.6 + 0.2) / 2


def test_target_rate_none_keeps_the_original_rate(wav_44k_stereo: Path) -> None:
    audio = decode_audio(wav_44k_stereo, target_rate=None)
    assert audio.rate == 44_100
    assert audio.samples.shape[0] == int(1.5 * 44_100)


@pytest.mark.parametrize(
    ("suffix", "args"),
    [
        (".flac", ()),
        (".mp3", ("-c:a", "libmp3lame", "-b:a", "64k")),
        (".ogg", ("-c:a", "libvorbis")),
        (".opus", ("-c:a", "libopus", "-b:a", "48k")),
        (".m4a", ("-c:a", "aac", "-b:a", "64k")),
    ],
)
def test_compressed_formats_decode_and_resample(
    wav_44k_stereo: Path, tmp_path: Path, suffix: str, args: tuple[str, ...]
) -> None:
    path = encode(wav_44k_stereo, tmp_path / f"tone{suffix}", *args)
    audio = decode_audio(path)
    assert audio.rate == RATE
    assert audio.channels == 2
    assert audio.duration == pytest.approx(1.5, abs=0.08)  # codec priming/padding
    assert peak_frequency(audio.samples, RATE) == pytest.approx(440, abs=3)
    rms = float(np.sqrt(np.mean(np.square(audio.samples[RATE // 4 : -RATE // 4]))))
    assert rms == pytest.approx(0.4 / np.sqrt(2), abs=0.04)  # the mean of both channels


def test_bytes_decode_like_files(wav_44k_stereo: Path) -> None:
    from_file = decode_audio(wav_44k_stereo)
    from_bytes = decode_audio(wav_44k_stereo.read_bytes())
    np.testing.assert_array_equal(from_file.samples, from_bytes.samples)


@pytest.fixture
def good_wav(tmp_path: Path) -> Path:
    path = tmp_path / "good.wav"
    sf.write(path, tone(2.0, RATE), RATE, subtype="PCM_16")
    return path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnusableAudio, match="no such file"):
        decode_audio(tmp_path / "nothing.wav")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(UnusableAudio, match="not a file"):
        decode_audio(tmp_path)


def test_empty_file_and_empty_bytes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    with pytest.raises(UnusableAudio, match="empty"):
        decode_audio(empty)
    with pytest.raises(UnusableAudio, match="empty"):
        decode_audio(b"")


def test_truncated_wav(good_wav: Path, tmp_path: Path) -> None:
    data = good_wav.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnusableAudio, match="truncated"):
        decode_audio(cut)


def test_truncated_mp3(good_wav: Path, tmp_path: Path) -> None:
    mp3 = encode(good_wav, tmp_path / "good.mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    data = mp3.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(UnusableAudio, match="truncated"):
        decode_audio(cut)


def test_corrupt_flac_with_a_valid_header(good_wav: Path, tmp_path: Path) -> None:
    """FFmpeg decodes such a file to nothing without an error; it must not pass as silence."""
    flac = encode(good_wav, tmp_path / "good.flac")
    data = flac.read_bytes()
    rng = np.random.default_rng(3)
    bad = tmp_path / "bad.flac"
    bad.write_bytes(data[:200] + rng.integers(0, 256, len(data) - 200, dtype=np.uint8).tobytes())
    with pytest.raises(UnusableAudio, match="corrupt"):
        decode_audio(bad)


def test_text_file_is_not_audio(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Dear diary, this is not a recording.\n" * 40)
    with pytest.raises(UnusableAudio, match="not an audio file"):
        decode_audio(notes)
    with pytest.raises(UnusableAudio, match="not an audio file"):
        decode_audio(notes.read_bytes())


def test_random_binary_is_not_audio(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(UnusableAudio, match="not an audio file"):
        decode_audio(blob)


def test_over_max_bytes_is_too_large(good_wav: Path) -> None:
    size = good_wav.stat().st_size
    with pytest.raises(AudioTooLarge, match="over the limit"):
        decode_audio(good_wav, max_bytes=size - 1)
    with pytest.raises(AudioTooLarge):
        decode_audio(good_wav.read_bytes(), max_bytes=size - 1)
    assert decode_audio(good_wav, max_bytes=size).duration == pytest.approx(2.0)


def test_enormous_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.wav"
    with open(huge, "wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: costs no disk
    with pytest.raises(AudioTooLarge):
        decode_audio(huge, max_bytes=2 * 1024**3)


def test_longer_than_max_seconds_is_too_large(good_wav: Path) -> None:
    with pytest.raises(AudioTooLarge, match="longer than"):
        decode_audio(good_wav, max_seconds=1.0)


def test_shorter_than_a_tenth_of_a_second(tmp_path: Path) -> None:
    short = tmp_path / "short.wav"
    sf.write(short, tone(0.05, RATE), RATE)
    with pytest.raises(UnusableAudio, match="too short"):
        decode_audio(short)
    ok = tmp_path / "ok.wav"
    sf.write(ok, tone(0.12, RATE), RATE)
    assert decode_audio(ok).duration == pytest.approx(0.12)


def test_resample_matches_the_decoder(wav_44k_stereo: Path) -> None:
    native = decode_audio(wav_44k_stereo, target_rate=None)
    direct = decode_audio(wav_44k_stereo)
    again = resample(native.samples, native.rate, RATE)
    assert again.shape[0] == pytest.approx(direct.samples.shape[0], abs=2)
    n = min(again.shape[0], direct.samples.shape[0])
    np.testing.assert_allclose(again[:n], direct.samples[:n], atol=1e-4)


def test_write_flac_is_durable_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "reply.flac"
    samples = np.concatenate([tone(1.0, RATE), np.full(100, 1.7, dtype=np.float32)])
    write_flac(path, samples, RATE)
    assert os.listdir(path.parent) == ["reply.flac"]  # no temporary file left behind
    back = decode_audio(path)
    assert back.rate == RATE
    assert back.duration == pytest.approx(samples.shape[0] / RATE)
    np.testing.assert_allclose(back.samples[:RATE], samples[:RATE], atol=1e-3)
    assert back.samples.max() <= 1.0  # clipped, not wrapped around


def test_the_products_decoder_turns_a_bad_file_into_the_journals_invalid_audio(
        tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Dear diary, this is not a recording.\n" * 40)
    with pytest.raises(InvalidAudio, match="not an audio file") as info:
        decoding.decode_audio(notes)
    assert isinstance(info.value.__cause__, UnusableAudio)


def test_the_products_decoder_turns_an_oversized_file_into_too_large(good_wav: Path) -> None:
    with pytest.raises(TooLarge, match="longer than") as info:
        decoding.decode_audio(good_wav, max_seconds=1.0)
    assert isinstance(info.value, ConfideError)
    assert decoding.decode_audio(good_wav).duration == pytest.approx(2.0)
