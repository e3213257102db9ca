"""The voice station's logic with a fake clock: reminders spoken on time, yes / later / silence."""

from __future__ import annotations

import configparser
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from confide.models.entries import create_written_entry
from confide.models.reminders import create_reminder, update_reminder
from confide.models.tables import Person
from confide.station_unit import UNIT_NAME, default_unit_path, install_unit, unit_text
from confide.voice import station as st
from confide.voice.phrases import P
from confide.voice.station import Station, prompt_sentence, spoken_time

pytestmark = pytest.mark.unit

START = datetime(2025, 6, 2, 19, 0, tzinfo=UTC)  # a Monday evening
EIGHT = START + timedelta(hours=1)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.current = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.current += timedelta(seconds=max(seconds, 0.001))


class Rig:
    """A station for Alex with every outside part faked and everything it did recorded."""

    def __init__(self, session: Session, person: Person, answers: list[st.Answer],
                 *, session_error: Exception | None = None, poll_s: float = 3600.0) -> None:
        self.clock = FakeClock(START)
        self.spoken: list[tuple[datetime, str]] = []
        self.answers = list(answers)
        self.sessions_run: list[tuple[datetime, str]] = []
        self.notified: list[tuple[datetime, str, str]] = []
        self.listen_timeouts: list[float] = []
        self.session_error = session_error
        self.db = session

        @contextmanager
        def sessions() -> Iterator[Session]:
            yield session
            session.flush()

        assert person.id is not None
        self.station = Station(self.clock, self.speak, self.listen, self.run_session, self.notify,
                               sessions=sessions, person_id=person.id, snooze_minutes=15,
                               answer_timeout_s=12.0, poll_s=poll_s)

    def speak(self, text: str) -> None:
        self.spoken.append((self.clock.now(), text))
        self.clock.current += timedelta(seconds=3)  # speaking takes a moment

    def listen(self, timeout: float) -> st.Answer:
        self.listen_timeouts.append(timeout)
        self.clock.current += timedelta(seconds=2)
        return self.answers.pop(0) if self.answers else None

    def run_session(self, person: Person) -> None:
        self.sessions_run.append((self.clock.now(), person.name))
        self.clock.current += timedelta(minutes=10)
        if self.session_error is not None:
            raise self.session_error

    def notify(self, title: str, body: str) -> bool:
        self.notified.append((self.clock.now(), title, body))
        return True

    def run(self, until: datetime) -> None:
        self.station.run(until=until)

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.spoken]


@pytest.fixture
def eight_pm(session, cast):
    reminder = create_reminder(session, cast.alex, [0, 1, 2, 3, 4, 5, 6], "20:00", "UTC")
    session.flush()
    return reminder


def test_reminder_is_spoken_at_its_time(session, cast, eight_pm):
    rig = Rig(session, cast.alex, ["no"], poll_s=60.0)
    rig.run(START + timedelta(hours=2))
    assert rig.spoken[0] == (EIGHT, "It's eight o'clock — ready for tonight's reflection? "
                                    "Say yes, or later.")
    assert rig.listen_timeouts == [12.0]
    assert rig.texts[1] == P.STATION_DECLINED
    assert rig.sessions_run == []
    assert rig.notified == []
    assert max(rig.clock.slept) <= 60.0  # idles in short naps, so new reminders are noticed


def test_yes_starts_a_voice_session(session, cast, eight_pm):
    rig = Rig(session, cast.alex, ["yes"])
    rig.run(START + timedelta(hours=2))
    assert [name for _, name in rig.sessions_run] == ["Alex"]
    assert rig.sessions_run[0][0] - EIGHT < timedelta(seconds=10)
    assert rig.notified == []
    assert len(rig.spoken) == 1


def test_later_snoozes_that_occurrence_only(session, cast, eight_pm):
    rig = Rig(session, cast.alex, ["later", "yes", "no"])
    rig.run(EIGHT + timedelta(days=1, minutes=1))
    asked = [(at, text) for at, text in rig.spoken if text.endswith("Say yes, or later.")]
    assert [at for at, _ in asked] == [
        EIGHT,
        EIGHT + timedelta(seconds=5, minutes=15),  # snoozed from when "later" was heard
        EIGHT + timedelta(days=1),  # the next regular one is where it always was
    ]
    assert asked[1][1].startswith("It's quarter past eight")
    assert "All right — I'll ask again at quarter past eight." in rig.texts
    assert len(rig.sessions_run) == 1
    assert eight_pm.snoozed_until == EIGHT + timedelta(seconds=5, minutes=15)


def test_silence_sends_a_desktop_notification_instead(session, cast, eight_pm):
    rig = Rig(session, cast.alex, [None])
    rig.run(START + timedelta(hours=2))
    assert [(at - EIGHT < timedelta(seconds=10), title) for at, title, _ in rig.notified] == [
        (True, "Time for your reflection")]
    assert rig.sessions_run == []
    assert eight_pm.snoozed_until is None


def test_paused_reminder_is_never_spoken(session, cast, eight_pm):
    update_reminder(session, cast.alex, eight_pm.id, enabled=False)
    rig = Rig(session, cast.alex, ["yes"])
    rig.run(START + timedelta(days=2))
    assert rig.spoken == []
    assert rig.notified == []


def test_only_the_stations_person_is_reminded(session, cast):
    create_reminder(session, cast.sam, [0], "20:00", "UTC")
    create_reminder(session, cast.olive, [0], "20:00", "UTC")
    rig = Rig(session, cast.alex, ["yes"])
    rig.run(START + timedelta(hours=2))
    assert rig.spoken == []


def test_partner_news_is_announced_at_the_next_interaction_once(session, cast, eight_pm):
    create_written_entry(session, cast.sam, "I felt heard today.", journal="shared")
    create_written_entry(session, cast.sam, "A private thought.")
    rig = Rig(session, cast.alex, ["no", "no"])
    rig.run(EIGHT + timedelta(days=1, minutes=1))
    asked = [text for text in rig.texts if text.endswith("Say yes, or later.")]
    assert asked[0] == ("Sam shared something new with you. It's eight o'clock — ready for "
                        "tonight's reflection? Say yes, or later.")
    assert asked[1].startswith("It's eight o'clock")


def test_partner_shared_reminder_speaks_only_when_there_is_news(session, cast):
    create_reminder(session, cast.alex, [0, 1], "20:30", "UTC", kind="partner_shared")
    rig = Rig(session, cast.alex, ["yes"])
    rig.run(START + timedelta(hours=2))
    assert rig.spoken == []  # nothing new on Monday: stays quiet
    create_written_entry(session, cast.sam, "One.", journal="shared")
    create_written_entry(session, cast.sam, "Two.", journal="shared")
    rig.run(START + timedelta(days=1, hours=2))
    assert rig.texts == ["It's half past eight — Sam shared 2 new things with you. Would you "
                         "like to hear it now? Say yes, or later."]
    assert len(rig.sessions_run) == 1


def test_a_failed_session_does_not_stop_the_station(session, cast, eight_pm):
    rig = Rig(session, cast.alex, ["yes", "no"], session_error=RuntimeError("microphone gone"))
    rig.run(EIGHT + timedelta(days=1, minutes=1))
    assert P.STATION_SESSION_TROUBLE in rig.texts
    assert sum(text.startswith("It's eight") for text in rig.texts) == 2


def test_reminders_long_past_after_a_sleep_are_not_spoken(session, cast, eight_pm):
    rig = Rig(session, cast.alex, ["yes"])
    rig.station.tick()  # looks at 19:00
    rig.clock.current = EIGHT + timedelta(hours=3)  # the machine slept through 20:00
    rig.station.tick()
    assert rig.spoken == []


def test_reminder_in_another_time_zone_speaks_local_time(session, cast):
    create_reminder(session, cast.alex, [0], "07:45", "Asia/Kolkata")  # 02:15 UTC on Monday
    rig = Rig(session, cast.alex, ["no"])
    rig.clock.current = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
    rig.run(datetime(2025, 6, 2, 3, 0, tzinfo=UTC))
    assert rig.spoken[0] == (datetime(2025, 6, 2, 2, 15, tzinfo=UTC),
                             "It's quarter to eight — ready for this morning's reflection? "
                             "Say yes, or later.")


@pytest.mark.parametrize(
    ("at", "words"),
    [(time(20, 0), "eight o'clock"), (time(0, 0), "twelve o'clock"),
     (time(8, 15), "quarter past eight"), (time(20, 30), "half past eight"),
     (time(23, 45), "quarter to twelve"), (time(7, 5), "seven oh five"),
     (time(21, 20), "nine twenty"), (time(13, 37), "one thirty-seven"),
     (time(12, 11), "twelve eleven")],
)
def test_spoken_time(at, words):
    assert spoken_time(at) == words


@pytest.mark.parametrize(
    ("kind", "at", "expected"),
    [("reflection", time(14, 0), "It's two o'clock — ready for this afternoon's reflection? "
                                 "Say yes, or later."),
     ("goal_checkin", time(19, 30), "It's half past seven — ready to check in on your goals "
                                    "together? Say yes, or later.")],
)
def test_prompt_sentence(kind, at, expected):
    assert prompt_sentence(kind, at) == expected


# -- the systemd --user unit ----------------------------------------------------------------
def test_unit_runs_confide_station_and_restarts_on_failure():
    text = unit_text(["/opt/my tools/bin/confide"], ["--as", "Alex"])
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(text)
    assert parsed["Service"]["ExecStart"] == '"/opt/my tools/bin/confide" station --as Alex'
    assert parsed["Service"]["Restart"] == "on-failure"
    assert parsed["Install"]["WantedBy"] == "default.target"


def test_unit_escapes_percent_signs():
    assert "ExecStart=/home/a%%b/confide station" in unit_text(["/home/a%b/confide"])


def test_unit_defaults_to_the_installed_confide():
    exec_start = next(line for line in unit_text().splitlines() if line.startswith("ExecStart="))
    assert exec_start.endswith(" station")
    assert "confide" in exec_start


def test_install_without_systemctl_writes_the_file_and_explains(tmp_path):
    said: list[str] = []
    reloaded: list[str] = []
    target = install_unit(tmp_path / "unit" / UNIT_NAME, command=["/usr/bin/confide"],
                          which=lambda _: None, reload=reloaded.append, echo=said.append)
    assert target.read_text().startswith("[Unit]")
    assert reloaded == []
    assert any(f"systemctl --user enable --now {UNIT_NAME}" in line for line in said)


def test_install_with_systemctl_reloads_it(tmp_path):
    reloaded: list[str] = []
    install_unit(tmp_path / UNIT_NAME, command=["/usr/bin/confide"],
                 which=lambda name: f"/bin/{name}", reload=reloaded.append, echo=lambda _: None)
    assert reloaded == ["/bin/systemctl"]


def test_default_unit_path_is_in_the_users_systemd_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert default_unit_path() == tmp_path / "cfg" / "systemd" / "user" / UNIT_NAME
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_unit_path() == Path(tmp_path / "home" / ".config" / "systemd" / "user" /
                                       UNIT_NAME)


def _unfinished_reply(settings, name: str, passphrase: str):
    """A person, and a reply of theirs a killed process left sealed in pending/."""
    import numpy as np

    from confide.models import keys
    from confide.models.accounts import register_person
    from confide.voice.pending import PendingRecording
    from confide.wiring import cli_session

    with cli_session(settings) as s:
        person, unlocked, _words = register_person(s, name, passphrase)
        assert person.id is not None
        public = keys.public_key(s, ("person", person.id))
    pending = PendingRecording.begin(settings.pending_dir, person_id=person.id,
                                     public_key=public, journal="private")
    for _ in range(50):
        pending.append(np.full(1600, 0.1, dtype=np.float32))
    pending.close()
    return person.id, unlocked


def _station_session(settings, monkeypatch, person_id: int, unlocked):
    """``station_session`` with fake devices and a fake Whisper in place of the real ones."""
    from confide import wiring
    from confide.cli_voice import station_session
    from confide.voice.listener import Listener
    from confide.voice.session import Voice, VoiceSession
    from confide.voice.speech import FakeSynthesizer
    from confide.voice.transcriber import FakeTranscriber
    from confide.voice.vad import EnergyVoiceActivity, VadTracker
    from tests.unit.test_voice_session import ScriptedMicrophone, SilentSpeaker

    monkeypatch.setattr(wiring, "transcriber", lambda _s: FakeTranscriber(["I was saying that"]))

    def build(settings, person_id: int, *, stt) -> VoiceSession:
        return VoiceSession(
            engine=wiring.database(settings), store=wiring.audio_store(settings),
            person_id=person_id, speaker=SilentSpeaker(), synthesizer=FakeSynthesizer(),
            listener=Listener(ScriptedMicrophone([]), stt,
                              lambda: VadTracker(EnergyVoiceActivity())),
            pending_dir=settings.pending_dir, defaults=Voice(None, 165, 1.0),
            pause_allowance_s=3.0, max_reply_s=None, crisis_line="the test crisis line")

    return station_session(settings, person_id, unlocked, build=build)


def test_a_station_session_unlocked_files_and_transcribes_an_unfinished_reply(settings,
                                                                               monkeypatch):
    from confide.models.entries import get_entry, list_entries
    from confide.models.sealing import use_keys
    from confide.voice.pending import find_pending
    from confide.wiring import cli_session

    person_id, keys = _unfinished_reply(settings, "Robin", "robin passphrase")
    voice, background = _station_session(settings, monkeypatch, person_id, {person_id: keys})
    try:
        assert voice.unlocked is keys
        assert voice.notices() == [P.RECOVERED.format(words=", 4 words")]
    finally:
        background.shutdown()
    assert find_pending(settings.pending_dir) == []
    with cli_session(settings) as s:
        use_keys(s, keys)
        person = s.get(Person, person_id)
        assert person is not None
        (row,) = list_entries(s, person).entries
        entry = get_entry(s, person, row.id)
        assert (entry.transcript, entry.status) == ("I was saying that", "ready")


def test_a_locked_station_session_leaves_an_unfinished_reply_sealed_and_says_so(settings,
                                                                                monkeypatch):
    from confide.models.entries import list_entries
    from confide.voice.pending import find_pending
    from confide.wiring import cli_session

    person_id, _keys = _unfinished_reply(settings, "Robin", "robin passphrase")
    voice, background = _station_session(settings, monkeypatch, person_id, {})
    try:
        assert voice.unlocked is None
        assert voice.notices() == [P.RECOVERED_LOCKED]
    finally:
        background.shutdown()
    assert len(find_pending(settings.pending_dir)) == 1
    with cli_session(settings) as s:
        person = s.get(Person, person_id)
        assert person is not None
        assert list_entries(s, person).entries == []


def test_unit_keeps_the_spoken_words_out_of_the_system_journal():
    """The station prints what it says and hears (a reply's words, a read-back) for a person
    at a terminal; under systemd standard output would land, unsealed, in the journal."""
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(unit_text(["confide"], []))
    assert parsed["Service"]["StandardOutput"] == "null"
