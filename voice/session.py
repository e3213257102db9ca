"""One spoken session of `confide speak`, end to end, without a screen.

Greets and tells the news from the partner (offering to play it), reads a prompt, records
the reply (audio on disk first, then the transcript), confirms aloud, offers read-back,
sharing and deletion, a follow-up, a goal check-in, and closes with the progress so far.
Every listening point understands the voice commands of voice.commands.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import accounts, entries, keys, prompt_state, responses, sealing
from models.db import session_scope
from models.keys import Keys
from models.sealing import use_keys
from models.storage import AudioStore
from models.tables import Entry, utcnow
from models.transcript import Segment, Transcript
from voice import phrases
from voice.commands import Command, Heard, recognise, strip_closing
from voice.earcons import EARCON_RATE, earcon
from voice.listener import Listener
from voice.opening import local_time
from voice.pending import PendingRecording
from voice.phrases import P
from voice.ports import Speaker, SpeechSynthesizer

__all__ = ["EndSession", "SessionReport", "Voice", "VoiceSession"]

log = logging.getLogger(__name__)

_SHORT_COMMANDS = {Command.SKIP, Command.REPEAT, Command.STOP, Command.HELP, Command.PAUSE,
                   Command.MORE_TIME}


class EndSession(Exception):
    """The person said stop / I'm done at a listening point."""


@dataclass
class Voice:
    """How Confide speaks to this person; changed by voice and kept as their preference."""

    voice: str | None
    rate: int
    volume: float


@dataclass
class SessionReport:
    saved: list[int] = field(default_factory=list)
    timings: list[dict[str, float]] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)


class VoiceSession:
    """The conversation; ports and the database are injected by the composition root."""

    def __init__(self, *, engine: Engine, store: AudioStore, person_id: int,
                 speaker: Speaker, synthesizer: SpeechSynthesizer, listener: Listener,
                 pending_dir: object, defaults: Voice, pause_allowance_s: float,
                 max_reply_s: float | None, crisis_line: str,
                 now: Callable[[], datetime] = utcnow) -> None:
        from pathlib import Path

        self.engine = engine
        self.store = store
        self.person_id = person_id
        self.speaker = speaker
        self.synth = synthesizer
        self.listener = listener
        self.pending_dir = Path(str(pending_dir))
        self.crisis_line = crisis_line
        self.now = now
        self.report = SessionReport()
        self.notices: Callable[[], list[str]] = list  # sentences to say right after hello
        self.after_first_words: Callable[[], None] | None = None  # e.g. start loading models
        self.greeted: str | None = None  # the greeting, when it was started before the session
        self.unlocked: Keys | None = None
        """The person's keys once they unlocked; before that nothing sealed is spoken."""
        self.data_keys: dict[int, bytes] = {}
        """Keys of the replies recorded in this session: read back and shared without unlock."""
        with session_scope(engine) as s:
            person = accounts.get_person(s, person_id)
            self.public_key = keys.public_key(s, ("person", person_id))
            self.name = person.name
            self.voice = Voice(person.tts_voice or defaults.voice,
                               person.tts_rate or defaults.rate,
                               person.tts_volume if person.tts_volume is not None
                               else defaults.volume)
            self.pause_allowance_s = person.pause_allowance_s or pause_allowance_s
            self.max_reply_s = person.max_reply_s or max_reply_s
        self._last_said = ""

    @contextlib.contextmanager
    def _db(self) -> Iterator[Session]:
        """A database session that can open what this person may read, once unlocked."""
        with session_scope(self.engine) as s:
            if self.unlocked is not None:
                use_keys(s, self.unlocked)
            yield s

    # Speaking ---------------------------------------------------------------------------

    def say(self, text: str, *, remember: bool = True) -> None:
        log.info("say: %s", text)
        samples, rate = self.synth.synthesize(text, voice=self.voice.voice, rate=self.voice.rate,
                                              volume=self.voice.volume)
        self.speaker.play(samples, rate, wait=self.after_first_words is None)
        self._said(text, remember=remember)

    def _said(self, text: str, *, remember: bool = True) -> None:
        """``text`` is playing: show it, and once hello is under way start the slow work."""
        print(f"  Confide: {text}", flush=True)
        self.report.spoken.append(text)
        if self.after_first_words is not None:
            started, self.after_first_words = self.after_first_words, None
            started()
        self.speaker.wait()
        if remember:
            self._last_said = text

    def chime(self, name: str) -> None:
        self.speaker.play(earcon(name, volume=0.35 * self.voice.volume), EARCON_RATE)

    def _save_voice(self) -> None:
        with self._db() as s:
            accounts.update_preferences(s, accounts.get_person(s, self.person_id),
                                        accounts.Preferences(tts_rate=self.voice.rate,
                                                             tts_volume=self.voice.volume))

    # Listening --------------------------------------------------------------------------

    def hear(self, *, timeout_s: float = 10.0) -> tuple[str, Heard]:
        text = self.listener.utterance(timeout_s=timeout_s)
        if text:
            print(f"  {self.name}: {text}", flush=True)
        return text, recognise(text)

    def handle_anywhere(self, text: str, heard: Heard) -> bool:
        """Commands that mean the same at every listening point; True when handled."""
        from prompts import is_crisis

        if text and is_crisis(text):
            self.say(P.SAFETY.format(crisis_line=self.crisis_line))
            self.wait_for_resume()
            return True
        cmd = heard.command
        if cmd is Command.STOP:
            raise EndSession
        if cmd is Command.HELP:
            self.say(P.HELP, remember=False)
            return True
        if cmd is Command.REPEAT:
            self.say(self._last_said or P.HELP)
            return True
        if cmd is Command.PAUSE:
            self.say(P.PAUSED, remember=False)
            self.wait_for_resume()
            return True
        if cmd in (Command.SLOWER, Command.FASTER, Command.LOUDER, Command.QUIETER):
            self.adjust_voice(cmd)
            return True
        if cmd is Command.MORE_TIME:
            self.pause_allowance_s = min(60.0, self.pause_allowance_s * 2)
            with self._db() as s:
                accounts.update_preferences(s, accounts.get_person(s, self.person_id),
                                            accounts.Preferences(
                                                pause_allowance_s=self.pause_allowance_s))
            self.say(P.MORE_TIME, remember=False)
            return True
        return False

    def adjust_voice(self, cmd: Command) -> None:
        v = self.voice
        before = (v.rate, v.volume)
        if cmd is Command.SLOWER:
            v.rate, line = max(80, v.rate - 25), P.SLOWER
        elif cmd is Command.FASTER:
            v.rate, line = min(400, v.rate + 25), P.FASTER
        elif cmd is Command.LOUDER:
            v.volume, line = min(1.0, round(v.volume + 0.2, 2)), P.LOUDER
        else:
            v.volume, line = max(0.2, round(v.volume - 0.2, 2)), P.QUIETER
        self._save_voice()
        self.say(line if (v.rate, v.volume) != before else P.LIMIT, remember=False)

    def wait_for_resume(self) -> None:
        while True:
            _text, heard = self.hear(timeout_s=300.0)
            if heard.command in (Command.RESUME, Command.YES):
                self.say(P.RESUMED, remember=False)
                return
            if heard.command is Command.STOP:
                raise EndSession

    def ask_yes_no(self, question: str, *, tries: int = 3) -> bool | None:
        self.say(question)
        for _ in range(tries):
            text, heard = self.hear()
            if heard.command is Command.YES:
                return True
            if heard.command in (Command.NO, Command.SKIP, Command.LATER):
                return False
            if not text:
                return None
            if not self.handle_anywhere(text, heard):
                self.say(P.YES_NO, remember=False)
        return None

    def ask_rating(self, question: str) -> int | None:
        self.say(question)
        for _ in range(3):
            text, heard = self.hear()
            if heard.command is Command.NUMBER and heard.number is not None:
                return heard.number
            if heard.command in (Command.SKIP, Command.NO) or not text:
                return None
            if not self.handle_anywhere(text, heard):
                self.say(P.RATING_AGAIN, remember=False)
        return None

    # Recording --------------------------------------------------------------------------

    def record(self, *, journal: str, kind: str = "reflection", prompt_id: str | None = None,
               prompt_text: str | None = None,
               answer_to: int | None = None) -> tuple[int | None, Command | None]:
        """Record a reply and file it; returns (entry or response id, command said instead)."""
        self.chime("listening")
        pending = PendingRecording.begin(self.pending_dir, person_id=self.person_id,
                                         public_key=self.public_key, journal=journal, kind=kind,
                                         prompt_id=prompt_id, prompt_text=prompt_text,
                                         entry_id=answer_to)

        def nudge() -> None:
            samples, rate = self.synth.synthesize(P.TAKE_YOUR_TIME, voice=self.voice.voice,
                                                  rate=self.voice.rate, volume=self.voice.volume)
            self.speaker.play(samples, rate, wait=False)

        self.listener.gentle_nudge = nudge
        turn = self.listener.reply(pending, pause_allowance_s=self.pause_allowance_s,
                                   max_reply_s=self.max_reply_s)
        text, closed = strip_closing(turn.transcript.text)
        heard = recognise(text) if len(text.split()) <= 5 else Heard(None)
        if turn.transcript.no_speech or not text.strip():
            pending.discard()
            if closed:
                return None, Command.STOP
            self.say(P.NO_SPEECH)
            return None, None
        if heard.command in _SHORT_COMMANDS:
            pending.discard()
            return None, heard.command
        print(f"  {self.name} (reply): {text}", flush=True)
        transcript = _without_closing(turn.transcript, text)
        samples = turn.samples if turn.samples.size else pending.samples()
        saved_id = self._file(pending, samples, transcript, answer_to)
        saved_at = time.monotonic()
        self.report.timings.append({"endpoint_to_saved_s": saved_at - turn.endpoint_at,
                                    "last_speech_to_saved_s": saved_at - turn.last_speech_at,
                                    "saved_at": saved_at})
        if answer_to is None:
            self.report.saved.append(saved_id)
        from prompts import is_crisis

        if is_crisis(text):
            self.say(P.SAFETY.format(crisis_line=self.crisis_line))
            self.wait_for_resume()
        return saved_id, None

    def _file(self, pending: PendingRecording, samples: np.ndarray, transcript: Transcript,
              answer_to: int | None) -> int:
        """Audio first (durable), then the transcript; the pending files go last."""
        note = pending.note
        data_key = pending.data_key
        assert data_key is not None
        with self._db() as s:
            person = accounts.get_person(s, self.person_id)
            if answer_to is not None:
                resp = responses.add_response(s, person, answer_to, audio=(samples, note.rate),
                                              store=self.store, data_key=data_key)
                assert resp.id is not None
                saved_id = resp.id
            else:
                entry = entries.create_entry_from_audio(
                    s, self.store, person, samples, note.rate, journal=note.journal,
                    prompt_id=note.prompt_id, prompt_text=note.prompt_text, kind=note.kind,
                    audio_name=note.id, data_key=data_key)
                assert entry.id is not None
                saved_id = entry.id
                self.data_keys[saved_id] = data_key
        pending.discard()
        with self._db() as s:
            if answer_to is not None:
                responses.attach_response_transcript(s, saved_id, transcript, data_key)
            else:
                entries.attach_transcript(s, saved_id, transcript, data_key)
                if note.prompt_id:
                    prompt_state.note_answered(s, accounts.get_person(s, self.person_id),
                                               note.prompt_id)
        return saved_id

    # The parts of a session -------------------------------------------------------------

    def run(self) -> SessionReport:
        try:
            self.greet()
            for notice in self.notices():
                self.say(notice)
            self.reflect()
            self.goal_checkins()
        except EndSession:
            log.info("session ended by the person")
        self.close()
        return self.report

    def greet(self) -> None:
        with self._db() as s:
            person = accounts.get_person(s, self.person_id)
            since = person.news_seen_at
            news = entries.news_for(s, person, mark_seen=False)
            from models.couples import partner_of

            partner = partner_of(s, person)
            partner_name = partner.name if partner else None
            timezone = person.timezone
        if self.greeted is not None:  # already playing (see voice.opening)
            self._said(self.greeted)
        else:
            self.say(phrases.greeting(self.name, local_time(self.now(), timezone)))
        if news and partner_name and self.unlocked is None:
            self.say(P.LOCKED_NEWS.format(partner=partner_name,
                                          count=phrases.count_words(len(news), "reflection")))
        elif news and partner_name:
            if self.ask_yes_no(phrases.news(partner_name, len(news), since)):
                for entry in news:
                    self.play_entry(entry, partner_name)
            with self._db() as s:
                entries.news_for(s, accounts.get_person(s, self.person_id), mark_seen=True)

    def play_entry(self, entry: Entry, partner: str) -> None:
        """The partner's own recording, or speech for a written entry; then offer an answer."""
        assert entry.id is not None
        self.say(P.PLAYING.format(partner=partner, when=f"{entry.created_at:%A}"))
        if entry.prompt_text:
            self.say(P.PLAYING_PROMPT.format(prompt=entry.prompt_text))
        if entry.audio_path and self.store.exists(entry.audio_path) and self.unlocked:
            import io

            import soundfile as sf

            with self._db() as s:
                person = accounts.get_person(s, self.person_id)
                data_key = self.unlocked.data_key(s, "entry", entry.id, person.couple_id)
            samples, rate = sf.read(io.BytesIO(self.store.read_audio(entry.audio_path,
                                                                     data_key)), dtype="float32")
            self.speaker.play(samples, int(rate))
        elif entry.transcript:
            self.say(entry.transcript)
        with self._db() as s:
            entries.mark_read(s, accounts.get_person(s, self.person_id), entry.id)
        if self.ask_yes_no(P.ANSWER_OFFER.format(partner=partner)):
            self.say(P.ACTIVE_LISTENING.format(partner=partner))
            rid, _ = self.record(journal="shared", answer_to=entry.id)
            if rid is not None:
                self.say(P.RESPONSE_SAVED.format(partner=partner))

    def reflect(self) -> None:
        """Prompt → reply → confirm → offers, then a follow-up if wanted."""
        skipped: list[str] = []
        while True:
            with self._db() as s:
                choice = prompt_state.choose_next_prompt(
                    s, accounts.get_person(s, self.person_id), context="private",
                    now=self.now(), exclude=skipped, crisis_line=self.crisis_line)
            self.say(P.PROMPT_INTRO, remember=False)
            self.say(choice.spoken)
            entry_id, command = self.record(journal="private", prompt_id=choice.prompt.id,
                                            prompt_text=choice.prompt.text)
            if command is Command.SKIP:
                skipped.append(choice.prompt.id)
                continue
            if command is not None:
                if command is Command.STOP:
                    raise EndSession
                self.handle_anywhere("", Heard(command))
                continue
            if entry_id is None:
                return
            self.after_save(entry_id)
            self.offer_follow_up(choice.prompt.id)
            return

    def after_save(self, entry_id: int) -> None:
        with self._db() as s:
            entry = entries.get_entry(s, accounts.get_person(s, self.person_id), entry_id)
            if entry_id in self.data_keys:
                sealing.show_entry(entry, self.data_keys[entry_id])
        self.say(phrases.saved("private", entry.word_count))
        self.say(P.AFTER_SAVE)
        for _ in range(4):
            text, heard = self.hear()
            cmd = heard.command
            if cmd is Command.READ_BACK:
                self.say(entry.transcript or P.READ_BACK_EMPTY)
            elif cmd is Command.SHARE:
                self.share(entry_id)
                return
            elif cmd is Command.KEEP_PRIVATE:
                self.say(P.KEPT_PRIVATE)
                return
            elif cmd is Command.DELETE:
                if self.ask_yes_no(P.CONFIRM_DELETE):
                    with self._db() as s:
                        entries.delete_entry(s, self.store, accounts.get_person(s, self.person_id),
                                             entry_id)
                    self.report.saved.remove(entry_id)
                    self.say(P.DELETED)
                else:
                    self.say(P.NOT_DELETED)
                return
            elif cmd in (Command.SKIP, Command.NO) or not text:
                return
            elif not self.handle_anywhere(text, heard):
                self.say(P.NOT_UNDERSTOOD, remember=False)
            self.say(P.AFTER_SAVE)

    def share(self, entry_id: int) -> None:
        from models.couples import partner_of
        from models.errors import Conflict

        with self._db() as s:
            person = accounts.get_person(s, self.person_id)
            partner = partner_of(s, person)
            try:
                entries.set_visibility(s, person, entry_id, "shared",
                                       data_key=self.data_keys.get(entry_id))
            except Conflict:
                partner = None
        if partner is None:
            self.say(P.NO_PARTNER)
        else:
            self.say(P.SHARED.format(partner=partner.name))

    def offer_follow_up(self, prompt_id: str) -> None:
        from prompts import follow_up, load_library

        prompt = load_library().prompts.get(prompt_id)
        deeper = follow_up(prompt) if prompt is not None else None
        if deeper is None or not self.ask_yes_no(P.FOLLOW_UP_OFFER):
            return
        self.say(deeper.speak(self.crisis_line))
        entry_id, command = self.record(journal="private", prompt_id=deeper.id,
                                        prompt_text=deeper.text)
        if command is Command.STOP:
            raise EndSession
        if entry_id is not None:
            self.after_save(entry_id)

    def goal_checkins(self) -> None:
        """One active goal a session: a 1-5 rating by voice and, if wanted, a few words."""
        from models import goals

        with self._db() as s:
            active = [g for g in goals.list_goals(s, accounts.get_person(s, self.person_id))
                      if g.status == "active"]
        for goal in active[:1]:
            assert goal.id is not None
            rating = self.ask_rating(P.GOAL_CHECKIN.format(goal=goal.title))
            if rating is None:
                continue
            reflection = ""
            if self.ask_yes_no(P.GOAL_REFLECT) is not False:
                reflection = self.listener.utterance(timeout_s=8.0, max_s=60.0)
            with self._db() as s:
                goals.add_checkin(s, accounts.get_person(s, self.person_id), goal.id, rating,
                                  reflection)
            self.say(P.GOAL_SAVED.format(rating=phrases.count_words(rating, "")[:-1].strip()))

    def close(self) -> None:
        """Progress in one kind sentence (a milestone reached today is named), then goodbye."""
        from models.progress import progress_for, summary_sentence

        with self._db() as s:
            summary = summary_sentence(progress_for(s, accounts.get_person(s, self.person_id),
                                                    self.now()))
        self.say(summary, remember=False)
        self.say(P.GOODBYE, remember=False)


def _without_closing(transcript: Transcript, text: str) -> Transcript:
    """The transcript with its closing phrase gone from the text and the last segments."""
    if text == transcript.text:
        return transcript
    kept: list[Segment] = []
    remaining = len(text.split())
    for seg in transcript.segments:
        words = seg.text.split()
        if remaining <= 0:
            break
        if len(words) > remaining:
            kept.append(Segment(seg.start, seg.end, " ".join(words[:remaining]), seg.confidence))
            remaining = 0
        else:
            kept.append(seg)
            remaining -= len(words)
    return Transcript(text=text, language=transcript.language, duration=transcript.duration,
                      segments=tuple(kept))
