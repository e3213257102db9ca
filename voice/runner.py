"""One spoken session of `confide speak`: the dialog (voice.dialog) carried out for real.

The runner reads the facts a session starts from, then loops: give the dialog an event, do
the effects it returns — speak through the synthesizer and speaker, listen and record
through the listener, and call the journal operations (models/*) — and turn what came back
into the next event. Sealing: database sessions open what the person may read only once
they unlocked (``unlocked``); a reply is filed with the data key its pending recording was
sealed with, and read back or shared with that key (``data_keys``), so writing never needs
the passphrase and nothing sealed is spoken before the unlock.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

from confide.models import accounts, entries, keys, sealing
from confide.models.db import session_scope
from confide.models.keys import Keys
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, utcnow
from confide.voice.commands import Command, Heard, recognise, strip_closing
from confide.voice.dialog import State, reply_outcome, step
from confide.voice.dialog_events import (
    Began,
    CheckIn,
    ChoosePrompt,
    Delete,
    Discard,
    Effect,
    Event,
    File,
    GoalItem,
    Listen,
    ListenMode,
    MarkNewsSeen,
    MarkRead,
    NewsItem,
    Play,
    Record,
    ReplyRecorded,
    Saved,
    Say,
    SayNotices,
    SayText,
    SetPauseAllowance,
    SetVoice,
    Share,
    Timeout,
    VoiceSettings,
)
from confide.voice.dialog_events import Heard as HeardEvent
from confide.voice.earcons import EARCON_RATE, earcon
from confide.voice.filing import file_reply
from confide.voice.intents import REQUEST_HINT
from confide.voice.listener import Listener, ReplyTurn
from confide.voice.opening import local_time
from confide.voice.pending import PendingRecording
from confide.voice.phrases import P, render
from confide.voice.ports import Speaker, SpeechSynthesizer
from confide.voice.runner_home import choose_prompt, do_home, play_entry, share_entry
from confide.voice.runner_speech import Mouth, answer_interruption, closed_set, whole_answer

__all__ = ["SessionReport", "Voice", "VoiceSession"]

log = logging.getLogger(__name__)

_GREETINGS = {P.GREETING_MORNING, P.GREETING_AFTERNOON, P.GREETING_EVENING}


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
    keys: list[str] = field(default_factory=list)
    """The catalog name of each sentence in ``spoken`` ("" for a prompt or a person's words)."""


@dataclass
class _Recording:
    effect: Record
    pending: PendingRecording
    turn: ReplyTurn


class VoiceSession:
    """The conversation's runner; ports and the database are injected by the composition root."""

    def __init__(self, *, engine: Engine, store: AudioStore, person_id: int,
                 speaker: Speaker, synthesizer: SpeechSynthesizer, listener: Listener | None,
                 pending_dir: object, defaults: Voice, pause_allowance_s: float,
                 max_reply_s: float | None, crisis_line: str,
                 now: Callable[[], datetime] = utcnow) -> None:
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
        self.home = False
        self.partner_name = "my partner"
        self.on_lock: Callable[[], object] = lambda: None
        """What else to lock when the person says "lock my journal" (the shell's agent)."""
        self.invite_ttl_minutes = 60.0 * 24
        self.plays_audio = True
        """Recordings can be played (not in text mode, which reads their words instead)."""
        """Offer the spoken home after the news (`confide speak`, its text mode, the demo)."""
        self.news: dict[int, Entry] = {}
        self._recording: _Recording | None = None
        self.mouth: Mouth | None = None
        """Streamed speech with barge-in (the composition root wires it; None: whole buffers)."""
        self._interruption: np.ndarray | None = None
        """What the person said over Confide, not yet answered."""

    @contextlib.contextmanager
    def _db(self) -> Iterator[Session]:
        """A database session that can open what this person may read, once unlocked."""
        with session_scope(self.engine) as s:
            if self.unlocked is not None:
                use_keys(s, self.unlocked)
            yield s

    # The loop -------------------------------------------------------------------------

    def run(self) -> SessionReport:
        state = State()
        event: Event | None = self._began()
        while event is not None:
            state, effects = step(state, event)
            event = None
            for effect in effects:
                event = self.do(effect) or event
        return self.report

    def _began(self) -> Began:
        from confide.models import goals
        from confide.models.couples import partner_of

        with self._db() as s:
            person = accounts.get_person(s, self.person_id)
            since = person.news_seen_at
            news = entries.news_for(s, person, mark_seen=False)
            partner = partner_of(s, person)
            active = [g for g in goals.list_goals(s, person) if g.status == "active"]
            timezone = person.timezone
        self.news = {e.id: e for e in news if e.id is not None}
        self.partner_name = partner.name if partner else "my partner"
        return Began(
            name=self.name, local_hour=local_time(self.now(), timezone).hour,
            partner=partner.name if partner else None, unlocked=self.unlocked is not None,
            news=tuple(NewsItem(i, f"{e.created_at:%A}", e.prompt_text)
                       for i, e in self.news.items()),
            news_since=f"{since:%A}" if since is not None else None,
            goals=tuple(GoalItem(g.id, g.title) for g in active if g.id is not None),
            voice=VoiceSettings(self.voice.rate, self.voice.volume, self.pause_allowance_s),
            crisis_line=self.crisis_line, home=self.home)

    def do(self, effect: Effect) -> Event | None:
        """Carry out one effect; the event it comes back with, if any."""
        if self._interruption is not None:
            if isinstance(effect, Say | SayText | SayNotices | Play):
                return None  # they spoke over Confide: what it meant to say next waits
            if isinstance(effect, Listen | Record):
                audio, self._interruption = self._interruption, None
                return answer_interruption(self, effect, audio)
        if isinstance(effect, Say):
            if effect.key in _GREETINGS and self.greeted is not None:
                self._said(self.greeted, key=effect.key.name)  # already playing
                self.greeted = None
            else:
                self.say(render(effect.key, dict(effect.params)), key=effect.key.name)
        elif isinstance(effect, SayText):
            self.say(effect.text)
        elif isinstance(effect, Listen):
            text = self.utterance(timeout_s=effect.timeout_s, max_s=effect.max_s,
                                  mode=effect.mode)
            if text:
                print(f"  {self.name}: {text}", flush=True)
            return HeardEvent(text) if text else Timeout()
        elif isinstance(effect, Record):
            return self.record_reply(effect)
        elif isinstance(effect, File):
            return self._file_reply(effect.text)
        elif isinstance(effect, Discard):
            if self._recording is not None:
                self._recording.pending.discard()
                self._recording = None
        elif isinstance(effect, ChoosePrompt):
            return choose_prompt(self, effect.exclude, effect.theme, mutual=effect.mutual)
        elif isinstance(effect, Play):
            play_entry(self, effect.entry_id)
        elif isinstance(effect, MarkRead):
            with self._db() as s:
                entries.mark_read(s, accounts.get_person(s, self.person_id), effect.entry_id)
        elif isinstance(effect, MarkNewsSeen):
            with self._db() as s:
                entries.news_for(s, accounts.get_person(s, self.person_id), mark_seen=True)
        elif isinstance(effect, Share):
            return share_entry(self, effect.entry_id)
        elif isinstance(effect, Delete):
            with self._db() as s:
                entries.delete_entry(s, self.store, accounts.get_person(s, self.person_id),
                                     effect.entry_id)
            if effect.entry_id in self.report.saved:
                self.report.saved.remove(effect.entry_id)
        elif isinstance(effect, CheckIn):
            from confide.models import goals

            with self._db() as s:
                goals.add_checkin(s, accounts.get_person(s, self.person_id), effect.goal_id,
                                  effect.rating, effect.text)
        elif isinstance(effect, SetVoice):
            self.voice.rate, self.voice.volume = effect.rate, effect.volume
            self._save(accounts.Preferences(tts_rate=effect.rate, tts_volume=effect.volume))
        elif isinstance(effect, SetPauseAllowance):
            self.pause_allowance_s = effect.seconds
            self._save(accounts.Preferences(pause_allowance_s=effect.seconds))
        elif isinstance(effect, SayNotices):
            for notice in self.notices():
                self.say(notice)
        else:
            return do_home(self, effect)
        return None

    # Speaking ---------------------------------------------------------------------------

    def say(self, text: str, *, key: str = "") -> None:
        log.info("say: %s", key or "a sentence")  # by name: a read-back is journal content
        if self.mouth is not None:
            self._shown(text, key)
            started, self.after_first_words = self.after_first_words, None
            spoken = self.mouth.say(text, voice=self.voice.voice, rate=self.voice.rate,
                                    volume=self.voice.volume, on_start=started,
                                    listen=self.listener is not None)
            if spoken.interruption is not None:
                self._interruption = spoken.interruption.audio
            return
        samples, rate = self.synth.synthesize(text, voice=self.voice.voice, rate=self.voice.rate,
                                              volume=self.voice.volume)
        self.speaker.play(samples, rate, wait=self.after_first_words is None)
        self._said(text, key=key)

    def _shown(self, text: str, key: str) -> None:
        print(f"  Confide: {text}", flush=True)
        self.report.spoken.append(text)
        self.report.keys.append(key)

    def _said(self, text: str, *, key: str = "") -> None:
        """``text`` is playing: show it, and once hello is under way start the slow work."""
        self._shown(text, key)
        if self.after_first_words is not None:
            started, self.after_first_words = self.after_first_words, None
            started()
        self.speaker.wait()

    def play_recording(self, data: bytes) -> None:
        """A person's own recording (an audio file's bytes) through the speaker."""
        import soundfile as sf

        samples, rate = sf.read(io.BytesIO(data), dtype="float32")
        self._play(samples.mean(axis=1) if samples.ndim > 1 else samples, int(rate))

    def chime(self, name: str) -> None:
        self._play(earcon(name, volume=0.35 * self.voice.volume), EARCON_RATE)

    def _play(self, samples: np.ndarray, rate: int) -> None:
        """Through the streamed speech's output when wired (one clock with speech)."""
        if self.mouth is not None:
            self.mouth.play(samples, rate)
        else:
            self.speaker.play(samples, rate)

    def _save(self, preferences: accounts.Preferences) -> None:
        with self._db() as s:
            accounts.update_preferences(s, accounts.get_person(s, self.person_id), preferences)

    # Listening --------------------------------------------------------------------------

    def utterance(self, *, timeout_s: float = 10.0, max_s: float = 8.0,
                  mode: ListenMode = ListenMode.SHORT) -> str:
        """What was said at a listening point ("" for nothing); text mode reads a line. A
        whole answer of the kind asked for ends the turn early (``whole_answer``)."""
        assert self.listener is not None
        return self.listener.utterance(timeout_s=timeout_s, max_s=max_s,
                                       accept=whole_answer(mode), short=closed_set(mode),
                                       hint=REQUEST_HINT.format(partner=self.partner_name)
                                       if mode is ListenMode.HOME else None)

    def hear(self, *, timeout_s: float = 10.0) -> tuple[str, Heard]:
        """A short answer and the command it is (the station listens this way)."""
        text = self.utterance(timeout_s=timeout_s)
        if text:
            print(f"  {self.name}: {text}", flush=True)
        return text, recognise(text)

    # Recording --------------------------------------------------------------------------

    def record_reply(self, effect: Record, preroll: np.ndarray | None = None) -> ReplyRecorded:
        """Record a reply into a pending recording, sealed for the person as it is spoken;
        ``preroll``: its first words, said over the prompt (no chime over them then)."""
        if preroll is None:
            self.chime("listening")
        pending = PendingRecording.begin(self.pending_dir, person_id=self.person_id,
                                         public_key=self.public_key, journal=effect.journal,
                                         kind=effect.kind, prompt_id=effect.prompt_id,
                                         prompt_text=effect.prompt_text,
                                         entry_id=effect.answer_to)

        def nudge() -> None:
            samples, rate = self.synth.synthesize(P.TAKE_YOUR_TIME, voice=self.voice.voice,
                                                  rate=self.voice.rate, volume=self.voice.volume)
            self.speaker.play(samples, rate, wait=False)

        assert self.listener is not None
        self.listener.gentle_nudge = nudge
        turn = self.listener.reply(pending, pause_allowance_s=effect.pause_allowance_s,
                                   max_reply_s=self.max_reply_s, preroll=preroll,
                                   closes=lambda words: strip_closing(words)[1])
        self._recording = _Recording(effect, pending, turn)
        return ReplyRecorded(turn.transcript.text, no_speech=turn.transcript.no_speech)

    def record(self, *, journal: str, kind: str = "reflection", prompt_id: str | None = None,
               prompt_text: str | None = None,
               answer_to: int | None = None) -> tuple[int | None, Command | None]:
        """One reply recorded and filed outside a conversation (benchmarks): the entry or
        response id, or the command said instead."""
        recorded = self.record_reply(Record(journal, kind, prompt_id, prompt_text, answer_to,
                                       self.pause_allowance_s))
        text, command, filed = reply_outcome(recorded.text, recorded.no_speech)
        if not filed:
            self.do(Discard())
            return None, command
        return self._file_reply(text).id, None

    def _file_reply(self, text: str) -> Saved:
        """Audio first (durable), then the transcript; the pending files go last."""
        recording, self._recording = self._recording, None
        assert recording is not None
        print(f"  {self.name} (reply): {text}", flush=True)
        turn, pending, answer_to = recording.turn, recording.pending, recording.effect.answer_to
        data_key = pending.data_key
        assert data_key is not None
        saved_id, transcript = file_reply(self._db, self.store, self.person_id, pending,
                                          turn, text, answer_to=answer_to)
        if answer_to is None:
            self.data_keys[saved_id] = data_key
        saved_at = time.monotonic()
        self.report.timings.append({"endpoint_to_saved_s": saved_at - turn.endpoint_at,
                                    "last_speech_to_saved_s": saved_at - turn.last_speech_at,
                                    "saved_at": saved_at})
        if answer_to is not None:
            return Saved(saved_id, len(transcript.text.split()), transcript.text)
        self.report.saved.append(saved_id)
        with self._db() as s:  # read back with the reply's own key, unlocked or not
            entry = entries.get_entry(s, accounts.get_person(s, self.person_id), saved_id)
            sealing.show_entry(entry, data_key)
            return Saved(saved_id, entry.word_count, entry.transcript or "")
