"""`confide transcribe FILE...`: whole audio files to text, subtitles or JSON, optionally kept.

Every file is decoded (and so validated) before anything is transcribed or stored, so one
bad file stops the command with nothing written. With ``--save`` each recording is stored
first and its transcript attached after, the same order the voice loop keeps.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from confide.cli_support import engine_errors, fail
from confide.models.errors import Unavailable, UsageError

if TYPE_CHECKING:
    from confide.voice.audio_file import DecodedAudio
    from confide.voice.transcriber import Transcript

__all__ = ["Journal", "format_srt", "format_vtt", "transcribe"]

# Sentences this command prints, kept together.
MSG_ONE_FORMAT = "Choose one output format: --json, --srt or --vtt."
MSG_ONE_FILE_SUBTITLES = "--srt and --vtt take one file at a time."
MSG_NO_SPEECH = "{file}: no speech."
MSG_SAVED = "{file}: saved to your {journal} journal (entry {entry_id}, {words} words)."
MSG_SAVED_NOT_TRANSCRIBED = (
    "{file}: the recording is saved (entry {entry_id}) but transcription failed: {reason} "
    "It will be transcribed on the next start."
)
MSG_NOTHING_STORED = "Nothing was transcribed or stored."

MAX_FILE_BYTES = 2 * 1024**3
"""Local files may be far larger than uploads, but not unbounded."""
MAX_SECONDS = 4 * 3600.0
"""Decoded audio held in memory: 4 h at 16 kHz float32 is about 0.9 GB."""
PROGRESS_AFTER_S = 30.0
"""Files longer than this get a progress bar (on stderr)."""


class Journal(enum.StrEnum):
    private = "private"
    shared = "shared"


def _timestamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def format_srt(transcript: Transcript) -> str:
    """SubRip subtitles, one cue per segment."""
    cues = [
        f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{s.text.strip()}\n"
        for i, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(cues)


def format_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles (what the web page's <track> reads)."""
    cues = [
        f"{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{s.text.strip()}\n"
        for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def _as_json(path: Path, transcript: Transcript, entry_id: int | None) -> dict[str, Any]:
    data: dict[str, Any] = {"file": str(path), "status": "no speech" if transcript.no_speech
                            else "ok"}
    data.update(transcript.to_dict())
    if entry_id is not None:
        data["entry_id"] = entry_id
    return data


@contextmanager
def _progress(label: str, duration: float) -> Iterator[Callable[[float], None] | None]:
    """A progress bar over the audio's duration on stderr, for files long enough to wait for."""
    if duration <= PROGRESS_AFTER_S:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed:.0f}/{task.total:.0f} s"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=duration)
        yield lambda seconds: bar.update(task, completed=seconds)


def _decode_all(files: list[Path], keep_rate: bool) -> list[DecodedAudio]:
    from confide.models.errors import InvalidInput
    from confide.voice.decoding import decode_audio

    decoded: list[DecodedAudio] = []
    errors: list[str] = []
    for path in files:
        try:
            decoded.append(decode_audio(path, target_rate=None if keep_rate else 16000,
                                        max_bytes=MAX_FILE_BYTES, max_seconds=MAX_SECONDS))
        except InvalidInput as exc:
            errors.append(str(exc))
    if errors:
        for line in errors[:-1]:
            typer.echo(f"error: {line}", err=True)
        fail(errors[-1] + (" " + MSG_NOTHING_STORED if len(files) > 1 else ""))
    return decoded


def transcribe(
    files: Annotated[list[Path], typer.Argument(
        help="Audio files: WAV, FLAC, MP3, OGG/Vorbis/Opus, M4A (any rate, mono or stereo).",
        show_default=False)],
    json_: Annotated[bool, typer.Option(
        "--json", help="JSON: text, language, duration, status and timed segments "
        "(an array when several files are given).")] = False,
    srt: Annotated[bool, typer.Option("--srt", help="SubRip subtitles.")] = False,
    vtt: Annotated[bool, typer.Option("--vtt", help="WebVTT subtitles.")] = False,
    save: Annotated[bool, typer.Option(
        "--save", help="Keep each recording and its transcript as a journal entry.")] = False,
    as_: Annotated[str | None, typer.Option(
        "--as", help="Whose journal (a person's name), with --save.")] = None,
    journal: Annotated[Journal, typer.Option(
        help="Which journal --save writes to.")] = Journal.private,
) -> None:
    """Transcribe audio files on this device; prints the text (or --json, --srt, --vtt)."""
    from confide.settings import SettingsError, load_settings
    from confide.voice.audio_file import resample

    if json_ + srt + vtt > 1:
        fail(UsageError(MSG_ONE_FORMAT))
    if (srt or vtt) and len(files) > 1:
        fail(UsageError(MSG_ONE_FILE_SUBTITLES))
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(exc)

    decoded = _decode_all(files, keep_rate=save)
    try:
        from confide.wiring import transcriber as make_transcriber

        with engine_errors():
            engine = make_transcriber(settings)
    except Unavailable as exc:
        fail(Unavailable(f"{exc} {MSG_NOTHING_STORED}"))

    saver = _Saver(settings, as_, journal) if save else None
    results: list[dict[str, Any]] = []
    for path, audio in zip(files, decoded, strict=True):
        samples = resample(audio.samples, audio.rate, 16000)
        entry_id = saver.store(audio) if saver else None
        try:
            with _progress(path.name, audio.duration) as on_progress:
                transcript = engine.transcribe(samples, on_progress=on_progress)
        except Exception as exc:
            if entry_id is None:
                raise
            fail(MSG_SAVED_NOT_TRANSCRIBED.format(file=path, entry_id=entry_id, reason=exc))
        if saver and entry_id is not None:
            saver.attach(entry_id, transcript)
            typer.echo(MSG_SAVED.format(file=path, journal=journal.value, entry_id=entry_id,
                                        words=transcript.word_count), err=True)
        if transcript.no_speech and not json_:
            typer.echo(MSG_NO_SPEECH.format(file=path), err=True)
        if json_:
            results.append(_as_json(path, transcript, entry_id))
        elif srt:
            sys.stdout.write(format_srt(transcript))
        elif vtt:
            sys.stdout.write(format_vtt(transcript))
        elif not transcript.no_speech:
            if len(files) > 1:
                typer.echo(f"# {path}")
            typer.echo(transcript.text)
    if json_:
        typer.echo(json.dumps(results[0] if len(results) == 1 else results,
                              ensure_ascii=False, indent=2))


class _Saver:
    """Stores entries through the journal's own operations (audio first, transcript after)."""

    def __init__(self, settings: Any, name: str | None, journal: Journal) -> None:
        from confide.models.errors import ConfideError
        from confide.wiring import cli_session, resolve_person

        self.settings = settings
        self.journal = journal
        self._data_keys: dict[int, bytes] = {}
        try:
            with cli_session(settings) as session:
                self.person = resolve_person(session, settings, name)
        except ConfideError as exc:
            fail(f"{exc} {MSG_NOTHING_STORED}")

    def store(self, audio: DecodedAudio) -> int:
        from confide.models.crypto import new_key
        from confide.models.entries import create_entry_from_audio
        from confide.models.errors import ConfideError
        from confide.wiring import audio_store, cli_session

        data_key = new_key()  # kept in memory to seal the transcript: no unlock needed
        try:
            with cli_session(self.settings) as session:
                entry = create_entry_from_audio(
                    session, audio_store(self.settings), self.person, audio.samples,
                    audio.rate, journal=self.journal.value, prompt_id=None, data_key=data_key,
                )
                assert entry.id is not None
                self._data_keys[entry.id] = data_key
                return entry.id
        except ConfideError as exc:
            fail(exc)

    def attach(self, entry_id: int, transcript: Transcript) -> None:
        from confide.models.entries import attach_transcript
        from confide.wiring import cli_session

        with cli_session(self.settings) as session:
            attach_transcript(session, entry_id, transcript, self._data_keys.pop(entry_id))
