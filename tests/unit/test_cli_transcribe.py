"""`confide transcribe`: bad input exits non-zero with one line naming the file, storing
nothing; the subtitle formats. With the real model, --json, --srt and --save are in
tests/model/test_cli_transcribe_model.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import typer
from typer.testing import CliRunner

from confide.cli_transcribe import format_srt, format_vtt, transcribe
from confide.voice.transcriber import Segment, Transcript

pytestmark = pytest.mark.unit

RATE = 16_000


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """A group, so `transcribe` is a subcommand as in `confide transcribe`."""

    app.command("transcribe")(transcribe)
    return app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(folder))
    return folder


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(make_app(), ["transcribe", *args])
    return result.exit_code, result.stdout, result.stderr


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of bad input and the words its error must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.wav"
    empty.touch()
    good = folder / "good.wav"
    sf.write(good, np.sin(np.arange(RATE) / 5).astype(np.float32) * 0.3, RATE, subtype="PCM_16")
    cut = folder / "cut.wav"
    cut.write_bytes(good.read_bytes()[:9000])
    text = folder / "notes.txt"
    text.write_text("not audio at all\n" * 30)
    blob = folder / "blob.mp3"
    blob.write_bytes(np.random.default_rng(2).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    short = folder / "short.wav"
    sf.write(short, np.zeros(800, dtype=np.float32), RATE)
    return {
        "missing": (folder / "missing.wav", "no such file"),
        "empty": (empty, "empty"),
        "truncated": (cut, "truncated"),
        "text": (text, "not an audio file"),
        "binary": (blob, "not an audio file"),
        "short": (short, "too short"),
    }


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "text", "binary", "short"])
def test_bad_input_is_one_line_naming_the_file_and_exits_non_zero(
    kind: str, tmp_path: Path, data_dir: Path
) -> None:
    path, reason = bad_files(tmp_path / "in")[kind]
    code, out, err = invoke("--save", str(path))
    assert code == 1
    assert out == ""
    line = one_error_line(err)
    assert str(path) in line
    assert reason in line
    assert not data_dir.exists(), "nothing may be stored for bad input"


def test_corrupt_flac_is_refused(tmp_path: Path, data_dir: Path) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    files = bad_files(tmp_path / "in")
    flac = tmp_path / "good.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(files["short"][0]
                    .with_name("good.wav")), str(flac)], check=True)
    data = flac.read_bytes()
    flac.write_bytes(data[:200] + bytes(reversed(data[200:])))
    code, _, err = invoke(str(flac))
    assert code == 1
    assert "corrupt" in one_error_line(err)


def test_enormous_file_is_refused_before_reading(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import confide.cli_transcribe as cli

    monkeypatch.setattr(cli, "MAX_FILE_BYTES", 10_000)
    big = tmp_path / "big.wav"
    sf.write(big, np.zeros(2 * RATE, dtype=np.float32), RATE)
    code, _, err = invoke(str(big))
    assert code == 1
    assert "over the limit" in one_error_line(err)


def test_one_bad_file_among_good_ones_stops_everything(tmp_path: Path, data_dir: Path) -> None:
    files = bad_files(tmp_path / "in")
    good = files["short"][0].with_name("good.wav")
    code, out, err = invoke("--save", str(good), str(files["text"][0]))
    assert code == 1
    assert out == ""
    assert "Nothing was transcribed or stored" in one_error_line(err)
    assert not data_dir.exists()


def test_usage_errors_exit_2(tmp_path: Path, data_dir: Path) -> None:
    good = bad_files(tmp_path / "in")["short"][0].with_name("good.wav")
    assert invoke("--json", "--srt", str(good))[0] == 2
    assert invoke("--vtt", str(good), str(good))[0] == 2
    assert invoke()[0] == 2


def test_subtitle_formats() -> None:
    transcript = Transcript("Hello there. Bye.", "en", 65.0, (
        Segment(0.0, 1.5, "Hello there.", 0.9), Segment(61.25, 64.999, " Bye.", 0.8)))
    assert format_srt(transcript) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n"
        "2\n00:01:01,250 --> 00:01:04,999\nBye.\n")
    assert format_vtt(transcript).startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n")
    assert "00:01:01.250 --> 00:01:04.999\nBye.\n" in format_vtt(transcript)
