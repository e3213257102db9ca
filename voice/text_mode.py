"""Text mode, `confide speak --text`: the same session with text ports, no audio.

Typed lines in, printed lines out — for a braille display, a quiet office, and a fast way to
try the dialog. It is voice.runner.VoiceSession with the speaker, the synthesizer and the
listener swapped for a line reader and a printer: the dialog (voice.dialog) and every
journal operation are the same; a reply is one typed line, filed as a written entry
(models.entries.create_written_entry), an answer to the partner as a written response.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

import numpy as np
from sqlalchemy.engine import Engine

from confide.models import accounts, entries, responses
from confide.models.storage import AudioStore
from confide.models.tables import utcnow
from confide.voice.dialog_events import Record, ReplyRecorded, Saved
from confide.voice.ports import Speaker, SpeechSynthesizer
from confide.voice.runner import Voice, VoiceSession

__all__ = ["TextSession"]

_END_OF_INPUT = "I'm done"
"""What the end of the typed input means: the person is finished."""


class _Quiet(Speaker):
    def play(self, samples: np.ndarray, rate: int, *, wait: bool = True) -> None:
        return None

    def stop(self) -> None:
        return None

    def wait(self) -> None:
        return None


class _NoVoice(SpeechSynthesizer):
    def synthesize(self, text: str, *, voice: str | None = None, rate: int = 165,
                   volume: float = 1.0) -> tuple[np.ndarray, int]:
        return np.zeros(0, dtype=np.float32), 16_000

    def voices(self) -> list[tuple[str, str]]:
        return []


class TextSession(VoiceSession):
    """A session whose ports are lines of text."""

    def __init__(self, *, engine: Engine, store: AudioStore, person_id: int,
                 crisis_line: str, lines: TextIO | None = None, out: TextIO | None = None,
                 now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(engine=engine, store=store, person_id=person_id, speaker=_Quiet(),
                         synthesizer=_NoVoice(), listener=None, pending_dir=".",
                         defaults=Voice(None, 165, 1.0), pause_allowance_s=3.0,
                         max_reply_s=None, crisis_line=crisis_line, now=now)
        self.lines = lines
        self.out = out
        self.home = True
        self.plays_audio = False
        self._reply: Record | None = None

    def _write(self, text: str) -> None:
        out = self.out or sys.stdout
        out.write(text + "\n")
        out.flush()

    def _read(self) -> str | None:
        lines = self.lines or sys.stdin
        if lines.isatty():
            self._write("> ")
        line = lines.readline()
        return None if not line else line.strip()

    # The ports ------------------------------------------------------------------------

    def say(self, text: str, *, key: str = "") -> None:
        self._write(f"Confide: {text}")
        self.report.spoken.append(text)
        self.report.keys.append(key)

    def _said(self, text: str, *, key: str = "") -> None:
        self.say(text, key=key)

    def utterance(self, *, timeout_s: float = 10.0, max_s: float = 8.0,
                  mode: object = None) -> str:
        line = self._read()
        return _END_OF_INPUT if line is None else line

    def chime(self, name: str) -> None:
        return None

    def play_recording(self, data: bytes) -> None:
        return None

    # A reply, typed ---------------------------------------------------------------------

    def record_reply(self, effect: Record, preroll: object = None) -> ReplyRecorded:
        line = self._read()
        self._reply = effect
        text = _END_OF_INPUT if line is None else line
        return ReplyRecorded(text, no_speech=not text)

    def _file_reply(self, text: str) -> Saved:
        effect, self._reply = self._reply, None
        assert effect is not None
        with self._db() as s:
            person = accounts.get_person(s, self.person_id)
            if effect.answer_to is not None:
                response = responses.add_response(s, person, effect.answer_to, text=text)
                assert response.id is not None
                return Saved(response.id, len(text.split()), text)
            if effect.kind == "mutual" and effect.prompt_id:
                from confide.models.mutual import answer_mutual

                entry = answer_mutual(s, person, effect.prompt_id, text=text,
                                      prompt_text=effect.prompt_text)
            else:
                entry = entries.create_written_entry(
                    s, person, text, journal=effect.journal, prompt_id=effect.prompt_id,
                    prompt_text=effect.prompt_text, unlocked=self.unlocked)
            assert entry.id is not None
            if effect.prompt_id:
                from confide.models import prompt_state

                prompt_state.note_answered(s, person, effect.prompt_id)
            self.report.saved.append(entry.id)
            return Saved(entry.id, len(text.split()), text)
