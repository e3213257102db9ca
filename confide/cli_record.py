"""`confide record`: one free reply, no prompt, from the microphone into the journal.

It needs no passphrase: the reply is sealed as it is spoken (voice.pending) with a fresh
data key wrapped for its author, and this process, which made that key, files and
transcribes it. Ctrl+C while speaking keeps what was said: the reply is filed and
transcribed, not lost; if filing fails the sealed pending files stay for the next start of
`confide speak` to file.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Protocol

import typer

from confide.cli import AsOption, app
from confide.cli_support import engine_errors, fail, settings_or_exit

if TYPE_CHECKING:
    import numpy as np

    from confide.settings import Settings
    from confide.voice.listener import ReplyTurn
    from confide.voice.pending import PendingRecording
    from confide.voice.transcriber import Transcript

__all__ = ["record", "record_reply"]

MSG_LOADING = "Loading the speech model…"
MSG_SPEAK = ("Recording into your {journal} journal: speak when you are ready. A pause of "
             "{pause:.0f} s ends it (or say \"that's it, I'm done\"); Ctrl+C stops and keeps "
             "what you said.")
MSG_TAKE_YOUR_TIME = "Take your time; I'm listening."
MSG_NOTHING = "Nothing was said, so nothing was saved."
MSG_STOPPED = "Stopped; what you said is kept. Transcribing it…"
MSG_SAVED = "Saved entry {id} ({words} words): {text}"
MSG_SAVED_NO_WORDS = "Saved entry {id} (a recording; no words were recognised)."
MSG_TRANSCRIBE_LATER = ("Saved entry {id}; its transcript is made the next time you unlock "
                        "(`confide speak`, `confide import`, or signing in to `confide serve`).")
MIN_SAMPLES = 1600  # 0.1 s at 16 kHz: anything shorter holds no words


class Journal(enum.StrEnum):
    private = "private"
    shared = "shared"


class _Listens(Protocol):
    def reply(self, pending: PendingRecording, *, pause_allowance_s: float,
              max_reply_s: float | None = None) -> ReplyTurn: ...


class _Transcribes(Protocol):
    def transcribe(self, samples: np.ndarray) -> Transcript: ...


def _file(settings: Settings, pending: PendingRecording, samples: np.ndarray) -> int:
    """The recording into the journal (durable, sealed); then the pending files go."""
    from confide.models.accounts import get_person
    from confide.models.entries import create_entry_from_audio
    from confide.wiring import audio_store, cli_session

    note = pending.note
    with cli_session(settings) as session:
        entry = create_entry_from_audio(
            session, audio_store(settings), get_person(session, note.person_id), samples,
            note.rate, journal=note.journal, kind=note.kind, audio_name=note.id,
            data_key=pending.data_key)
        assert entry.id is not None
        entry_id = entry.id
    pending.discard()
    return entry_id


def _attach(settings: Settings, entry_id: int, transcript: Transcript, data_key: bytes) -> None:
    from confide.models.entries import attach_transcript
    from confide.wiring import cli_session

    with cli_session(settings) as session:
        attach_transcript(session, entry_id, transcript, data_key)


def _saved(entry_id: int, transcript: Transcript) -> str:
    if transcript.no_speech:
        return MSG_SAVED_NO_WORDS.format(id=entry_id)
    return MSG_SAVED.format(id=entry_id, words=transcript.word_count, text=transcript.text)


def record_reply(settings: Settings, person_id: int, journal: str, listener: _Listens,
                 stt: _Transcribes, *, say: Callable[[str], None] = typer.echo) -> int | None:
    """Record one reply into the person's journal; returns the entry's id (None when nothing
    was said). Needs no secret: the key it records under is this process's own."""
    from confide.models import keys
    from confide.models.accounts import get_person
    from confide.models.entries import journal_id_for
    from confide.voice.commands import strip_closing
    from confide.voice.filing import without_closing
    from confide.voice.pending import PendingRecording
    from confide.wiring import cli_session

    with cli_session(settings) as session:
        person = get_person(session, person_id)
        journal_id_for(session, person, journal)  # unpaired and shared: stop before recording
        public = keys.public_key(session, ("person", person_id))
        pause = person.pause_allowance_s or settings.pause_allowance_s
        limit = person.max_reply_s or settings.max_reply_s
    pending = PendingRecording.begin(settings.pending_dir, person_id=person_id,
                                     public_key=public, journal=journal)
    assert pending.data_key is not None
    data_key = pending.data_key
    say(MSG_SPEAK.format(journal=journal, pause=pause))
    try:
        turn = listener.reply(pending, pause_allowance_s=pause, max_reply_s=limit)
    except KeyboardInterrupt:
        pending.close()
        samples = pending.samples()
        if samples.size < MIN_SAMPLES:
            pending.discard()
            say(MSG_NOTHING)
            return None
        entry_id = _file(settings, pending, samples)
        say(MSG_STOPPED)
        try:
            transcript = stt.transcribe(samples)
        except KeyboardInterrupt:  # a second Ctrl+C: the job stays queued
            say(MSG_TRANSCRIBE_LATER.format(id=entry_id))
            return entry_id
        text, _closed = strip_closing(transcript.text)
        transcript = without_closing(transcript, text.strip())
        _attach(settings, entry_id, transcript, data_key)
        say(_saved(entry_id, transcript))
        return entry_id
    text, _closed = strip_closing(turn.transcript.text)
    if turn.transcript.no_speech or not text.strip():
        pending.discard()
        say(MSG_NOTHING)
        return None
    transcript = without_closing(turn.transcript, text.strip())
    samples = turn.samples if turn.samples.size else pending.samples()
    entry_id = _file(settings, pending, samples)
    _attach(settings, entry_id, transcript, data_key)
    say(_saved(entry_id, transcript))
    return entry_id


@app.command()
def record(
    as_: AsOption = None,
    journal: Annotated[Journal, typer.Option(help="Which journal the reply goes to.")]
    = Journal.private,
) -> None:
    """Record one free reply, no prompt, from the microphone (no passphrase needed: it is
    sealed as you speak). Ctrl+C keeps what you said."""
    from confide.models.errors import ConfideError
    from confide.voice.listener import Listener
    from confide.voice.sound import SoundDeviceMicrophone
    from confide.voice.vad import SileroVoiceActivity, VadTracker
    from confide.wiring import cli_session, resolve_person
    from confide.wiring import transcriber as make_transcriber

    settings = settings_or_exit()
    try:
        with engine_errors():
            with cli_session(settings) as session:
                person = resolve_person(session, settings, as_)
                assert person.id is not None
                person_id = person.id
            typer.echo(MSG_LOADING, err=True)
            stt = make_transcriber(settings)
            activity = SileroVoiceActivity()

            def vad_factory() -> VadTracker:
                activity.reset()
                return VadTracker(activity)

            listener = Listener(SoundDeviceMicrophone(settings.input_device), stt, vad_factory,
                                gentle_nudge=lambda: typer.echo(MSG_TAKE_YOUR_TIME))
            found = record_reply(settings, person_id, journal.value, listener, stt)
    except ConfideError as exc:
        fail(exc)
    if found is None:
        raise typer.Exit(1)
