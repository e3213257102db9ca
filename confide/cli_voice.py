"""`confide speak` (the voice loop) and `confide station`, and the voice loop's wiring
(``build_session``); `confide demo` is in confide.cli_demo."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from confide.cli import AsOption, app
from confide.cli_support import engine_errors, fail, out, settings_or_exit
from confide.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from confide.voice.session import VoiceSession

__all__ = ["build_session", "ready_transcriber", "speak", "station_app", "station_session"]

station_app = typer.Typer(help="The voice station: reminders spoken aloud, then the voice loop.",
                          invoke_without_command=True)
app.add_typer(station_app, name="station")

log = logging.getLogger(__name__)


class _Background:
    """Start-up work done after the first words are spoken: filing unfinished replies and
    loading Whisper. Loading competes with speaking for the CPU, so it waits for hello."""

    def __init__(self, settings: Settings, unlocked: dict[int, Any] | None = None) -> None:
        self.settings = settings
        self.unlocked = unlocked or {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.recovered: Future[list[object]] | None = None
        self.model: Future[Any] | None = None

    def start(self) -> None:
        with self._lock:
            if self._pool is not None:
                return
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="confide-start")
            self.recovered = self._pool.submit(_recover, self.settings, self.unlocked)
            self.model = self._pool.submit(ready_transcriber, self.settings)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)


def ready_transcriber(settings: Settings) -> Any:
    """The Whisper transcriber, loaded and warmed up for the first reply."""
    from confide.wiring import transcriber

    stt = transcriber(settings)
    warm_up = getattr(stt, "warm_up", None)
    if callable(warm_up):
        warm_up()
    return stt


class _Deferred:
    """A Transcriber still loading in the background: the first use waits for it."""

    def __init__(self, background: _Background) -> None:
        self._background = background

    def __getattr__(self, name: str) -> Any:
        self._background.start()
        assert self._background.model is not None
        return getattr(self._background.model.result(), name)


def build_session(settings: Settings, person_id: int, *, mic: object = None,
                  speaker: object = None, stt: object = None, synthesizer: object = None
                  ) -> object:
    """Wire the real adapters into a VoiceSession."""
    from confide.voice.listener import Listener
    from confide.voice.session import Voice, VoiceSession
    from confide.voice.sound import SoundDeviceMicrophone, SoundDeviceSpeaker
    from confide.voice.vad import SileroVoiceActivity, VadTracker
    from confide.wiring import audio_store, database, transcriber
    from confide.wiring import synthesizer as wired_synthesizer

    engine = database(settings)
    store = audio_store(settings)
    stt = stt or transcriber(settings)
    microphone = mic or SoundDeviceMicrophone(settings.input_device)
    out_dev = speaker or SoundDeviceSpeaker(settings.output_device)
    activity = SileroVoiceActivity()

    def vad_factory() -> VadTracker:
        activity.reset()
        return VadTracker(activity)

    listener = Listener(microphone, stt, vad_factory)  # type: ignore[arg-type]
    synth = synthesizer or wired_synthesizer(settings)
    session = VoiceSession(
        engine=engine, store=store, person_id=person_id, speaker=out_dev,  # type: ignore[arg-type]
        synthesizer=synth,  # type: ignore[arg-type]
        listener=listener, pending_dir=settings.pending_dir,
        defaults=Voice(settings.tts_voice, settings.tts_rate, settings.tts_volume),
        pause_allowance_s=settings.pause_allowance_s, max_reply_s=settings.max_reply_s,
        crisis_line=settings.crisis_line)
    session.mouth = _mouth(settings, synth, out_dev, microphone, vad_factory)
    return session


def _mouth(settings: Settings, synth: object, speaker: object, mic: object,
           vad_factory: Callable[[], Any]) -> Any:
    """Speech streamed sentence by sentence (gapless on a real output), with barge-in where
    Confide cannot hear itself (voice.echo)."""
    from confide.voice.barge_in import BargeIn
    from confide.voice.echo import choose_barge_in, detect_echo_cancelling_source
    from confide.voice.runner_speech import Mouth
    from confide.voice.sound import SoundDeviceSpeaker
    from confide.voice.speech_sinks import SpeakerSink
    from confide.voice.stream_player import SoundDeviceSink
    from confide.voice.streamed_speech import StreamedSpeech

    sink = (SoundDeviceSink(settings.output_device) if isinstance(speaker, SoundDeviceSpeaker)
            else SpeakerSink(speaker))  # type: ignore[arg-type]
    echo = detect_echo_cancelling_source() if settings.barge_in == "auto" else None
    choice = choose_barge_in(settings.barge_in, echo)
    log.info("barge-in %s", choice.why)
    return Mouth(StreamedSpeech(synth, sink),  # type: ignore[arg-type]
                 BargeIn(mic, vad_factory) if choice.on else None)  # type: ignore[arg-type]


def _start_notices(background: _Background, person_id: int) -> list[str]:
    """What to say right after hello about replies a stopped process left unfinished: filed
    now (the person unlocked), or waiting, sealed, for the unlock."""
    from confide.voice.phrases import P
    from confide.voice.recovery import locked_replies

    background.start()
    assert background.recovered is not None
    try:
        done = background.recovered.result()
    except Exception as exc:  # a broken pending file must not stop tonight's session
        log.warning("could not recover unfinished replies: %s", exc)
        return []
    mine = [r for r in done if getattr(r, "person_id", None) == person_id]
    if not mine:
        waiting = locked_replies(background.settings.pending_dir, background.unlocked,
                                 person_id)
        return [P.RECOVERED_LOCKED] if waiting else []
    words = sum(getattr(r, "words", 0) for r in mine)
    return [P.RECOVERED.format(words=f", {words} words" if words else "")]


def _recover(settings: Settings, unlocked: dict[int, Any]) -> list[object]:
    from confide.voice.recovery import recover
    from confide.wiring import audio_store, database, transcriber

    return list(recover(database(settings), audio_store(settings), settings.pending_dir,
                        transcriber(settings), unlocked))


@dataclass(frozen=True)
class _Hello:
    """A greeting already playing, and the devices the session goes on with."""

    person_id: int
    text: str
    speaker: object
    synthesizer: object


def _greet_early(settings: Settings, name: str | None) -> _Hello | None:
    """Say hello before the database layer is imported (see voice.opening)."""
    from confide.models.errors import Unavailable
    from confide.voice.opening import read_person, speak_greeting

    card = read_person(settings, name)
    if card is None:
        return None
    from datetime import UTC, datetime

    from confide.voice.sound import SoundDeviceSpeaker
    from confide.wiring import synthesizer as voices

    try:
        # The person's own voice from the first word: the natural one where installed.
        with engine_errors():
            speaker, synthesizer = SoundDeviceSpeaker(settings.output_device), voices(settings)
            text = speak_greeting(card, settings, speaker, synthesizer, datetime.now(UTC))
    except (Unavailable, OSError, RuntimeError) as exc:  # the session reports it properly
        log.debug("no early greeting: %s", exc)
        return None
    return _Hello(card.id, text, speaker, synthesizer)


@app.command()
def speak(
    as_: AsOption = None,
    locked: Annotated[bool, typer.Option(
        "--locked", help="Don't ask for the passphrase: record replies (they are sealed "
        "without it) but hear nothing sealed.")] = False,
    text: Annotated[bool, typer.Option(
        "--text", help="The same conversation typed and printed, no audio (a braille "
        "display, a quiet room): one line is one answer or one reply.")] = False,
) -> None:
    """The voice loop: hear a prompt, answer aloud, everything by voice. Asks once for the
    passphrase (Enter skips: replies are still saved, sealed)."""
    settings = settings_or_exit()
    if text:
        _speak_text(settings, as_, locked=locked)
        return
    early = _greet_early(settings, as_)  # before the imports below, which take a second

    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models.errors import ConfideError
    from confide.voice.session import VoiceSession
    from confide.wiring import cli_session, resolve_person

    unlocked: dict[int, Any] = {}
    try:
        with cli_session(settings) as s:
            person = resolve_person(s, settings, as_)
            person_id = person.id
            passphrase = "" if locked else ask_passphrase(person.name, optional=True)
            if passphrase:
                unlocked[person.id or 0] = unlock_in(s, settings, person, passphrase)
    except ConfideError as exc:
        fail(exc)
    assert person_id is not None
    background = _Background(settings, unlocked)
    try:
        with engine_errors():
            session = build_session(settings, person_id, stt=_Deferred(background),
                                    speaker=early and early.speaker,
                                    synthesizer=early and early.synthesizer)
    except ConfideError as exc:
        background.start()  # still file any unfinished reply: nothing is lost
        assert background.recovered is not None
        background.recovered.exception()
        fail(exc)
    assert isinstance(session, VoiceSession)
    if person_id not in unlocked and not locked:
        from confide.voice_unlock import unlock_by_voice

        by_voice = unlock_by_voice(session, settings, person_id)  # only if they opted in
        if by_voice is not None:
            unlocked[person_id] = by_voice
    session.unlocked = unlocked.get(person_id)
    session.home = True
    _journal_hooks(session, settings, unlocked)
    if early is not None and early.person_id == person_id:
        session.greeted = early.text
    session.after_first_words = background.start
    session.notices = lambda: _start_notices(background, person_id)
    report = session.run()
    background.shutdown()
    out.print(f"Session over: {len(report.saved)} entr{'y' if len(report.saved) == 1 else 'ies'} "
              "saved.")


def _journal_hooks(session: VoiceSession, settings: Settings, unlocked: dict[int, Any]) -> None:
    """ "Lock my journal" also ends the shell's unlock agent, as `confide lock` does, and the
    keys the background filing holds; an invite said aloud lasts as the server's do."""
    from confide.agent import lock_agent

    def lock() -> None:
        lock_agent()
        unlocked.clear()

    session.on_lock = lock
    session.invite_ttl_minutes = settings.invite_ttl_minutes


def _speak_text(settings: Settings, as_: str | None, *, locked: bool) -> None:
    """`confide speak --text`: the session's dialog and runner with text ports."""
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models.errors import ConfideError
    from confide.voice.text_mode import TextSession
    from confide.wiring import audio_store, cli_session, database, resolve_person

    try:
        with cli_session(settings) as s:
            person = resolve_person(s, settings, as_)
            person_id = person.id
            passphrase = "" if locked else ask_passphrase(person.name, optional=True)
            unlocked = unlock_in(s, settings, person, passphrase) if passphrase else None
        assert person_id is not None
        session = TextSession(engine=database(settings), store=audio_store(settings),
                              person_id=person_id, crisis_line=settings.crisis_line)
    except ConfideError as exc:
        fail(exc)
    session.unlocked = unlocked
    _journal_hooks(session, settings, {})
    report = session.run()
    out.print(f"Session over: {len(report.saved)} entr{'y' if len(report.saved) == 1 else 'ies'} "
              "saved.")


def station_session(settings: Settings, person_id: int, unlocked: dict[int, Any], *,
                    build: Callable[..., object] | None = None
                    ) -> tuple[VoiceSession, _Background]:
    """One voice loop run from the station on "yes", as `confide speak` runs it: unlocked
    when the station was, and filing (then transcribing) what a stopped process left in
    pending/ with the keys unlocked now; a locked person's replies wait, sealed."""
    from confide.voice.session import VoiceSession

    background = _Background(settings, unlocked)
    session = (build or build_session)(settings, person_id, stt=_Deferred(background))
    assert isinstance(session, VoiceSession)
    session.unlocked = unlocked.get(person_id)
    session.after_first_words = background.start
    session.notices = lambda: _start_notices(background, person_id)
    return session, background


@station_app.callback()
def station(
    ctx: typer.Context,
    as_: AsOption = None,
    locked: Annotated[bool, typer.Option(
        "--locked", help="Don't ask for the passphrase (as under systemd): replies are "
        "recorded sealed, nothing sealed is spoken.")] = False,
) -> None:
    """Idle quietly; at a reminder's time speak it, and on "yes" run the voice loop. Asks
    once for the passphrase (Enter, or no terminal, goes on locked)."""
    if ctx.invoked_subcommand is not None:
        return
    from confide.cli_unlock import ask_passphrase, unlock_in
    from confide.models.errors import ConfideError
    from confide.voice.dialog_station import Answer, answer_of
    from confide.voice.notify import DesktopNotifier
    from confide.voice.session import VoiceSession
    from confide.voice.station import Station, SystemClock
    from confide.wiring import cli_session, resolve_person

    settings = settings_or_exit()
    unlocked: dict[int, Any] = {}
    try:
        with cli_session(settings) as s:
            person = resolve_person(s, settings, as_)
            person_id = person.id
            passphrase = "" if locked else ask_passphrase(person.name, optional=True)
            if passphrase:
                unlocked[person.id or 0] = unlock_in(s, settings, person, passphrase)
        assert person_id is not None
        with engine_errors():
            voice = build_session(settings, person_id)
    except ConfideError as exc:
        fail(exc)
    assert isinstance(voice, VoiceSession)
    voice.unlocked = unlocked.get(person_id)
    try:  # what a stopped process left unfinished is filed now, not at the first "yes"
        _recover(settings, unlocked)
    except Exception as exc:  # a broken pending file must not stop the station
        log.warning("could not recover unfinished replies: %s", exc)

    def listen(timeout_s: float) -> Answer:
        text, _heard = voice.hear(timeout_s=timeout_s)
        return answer_of(text)

    def run_session(_person: object) -> None:
        fresh, background = station_session(settings, person_id, unlocked)
        try:
            fresh.run()
        finally:
            background.shutdown()

    stop = threading.Event()
    runner = Station(SystemClock(stop), voice.say, listen, run_session,
                     DesktopNotifier(), sessions=lambda: cli_session(settings),
                     person_id=person_id, snooze_minutes=settings.snooze_minutes)
    out.print("Voice station running; press Ctrl+C to stop.")
    try:
        runner.run()
    except KeyboardInterrupt:
        stop.set()


@station_app.command("install")
def station_install(as_: AsOption = None) -> None:
    """Install a systemd --user unit that keeps the station running."""
    from confide.station_unit import install_unit

    path = install_unit(extra_args=["--as", as_] if as_ else [])
    out.print(f"Wrote {path}.")
