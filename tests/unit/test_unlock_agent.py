"""The unlock agent: one passphrase for a terminal session, and nothing unlocked without it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.unit

PASSPHRASE = "alex's own passphrase"


@pytest.fixture
def alex(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("CONFIDE_AGENT", raising=False)
    from confide.models.accounts import register_person
    from confide.models.entries import create_written_entry
    from confide.settings import load_settings
    from confide.wiring import cli_session

    with cli_session(load_settings()) as session:
        person, _keys, _words = register_person(session, "Alex", PASSPHRASE)
        create_written_entry(session, person, "a private thought about the lighthouse")
    return tmp_path


def _run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    from confide.cli import app

    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_unlock_once_then_export_without_asking_then_lock(alex: Path, monkeypatch):
    code, out, err = _run("unlock", "--as", "Alex", "--minutes", "5", stdin=PASSPHRASE + "\n")
    assert code == 0, err
    assert out.startswith("CONFIDE_AGENT=") and "export CONFIDE_AGENT" in out
    socket_path = out.split(";")[0].split("=", 1)[1].strip("'")
    assert Path(socket_path).exists()
    assert oct(Path(socket_path).parent.stat().st_mode)[-3:] == "700"
    monkeypatch.setenv("CONFIDE_AGENT", socket_path)
    target = alex / "journal.zip"
    code, _out, err = _run("export", str(target), "--as", "Alex")  # no passphrase given
    assert code == 0, err
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as zf:
        assert "lighthouse" in zf.read("journal.md").decode()
    code, _out, err = _run("lock")
    assert code == 0 and "Locked" in err
    code, _out, err = _run("export", str(target), "--as", "Alex")
    assert code != 0
    assert "passphrase" in err.lower()


def test_a_wrong_passphrase_starts_no_agent(alex: Path):
    code, out, _err = _run("unlock", "--as", "Alex", stdin="not it\n")
    assert code != 0
    assert "CONFIDE_AGENT" not in out
    assert not list(alex.glob("confide-agent-*"))


def test_the_agent_gives_the_key_only_for_its_person(alex: Path, monkeypatch):
    from confide.agent import ask_agent, lock_agent, start_agent

    path = start_agent("Alex", b"\x01" * 32, minutes=1)
    monkeypatch.setenv("CONFIDE_AGENT", str(path))
    assert ask_agent("alex") == b"\x01" * 32
    assert ask_agent("Sam") is None
    assert lock_agent()
    assert ask_agent("Alex") is None


def test_export_without_agent_or_passphrase_is_refused_in_one_line(alex: Path):
    code, _out, err = _run("export", str(alex / "j.zip"), "--as", "Alex")
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert not (alex / "j.zip").exists()


@pytest.fixture
def os_keyring():
    """An OS keyring for one test (the machine running the tests has none)."""
    import keyring
    from keyring.backend import KeyringBackend

    before = keyring.get_keyring()  # first: defining a backend class makes it a candidate

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.items.get((service, username))

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def delete_password(self, service, username):
            from keyring.errors import PasswordDeleteError

            if self.items.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    backend = Memory()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_remembered_in_the_os_keyring_the_journal_opens_without_asking(alex: Path, os_keyring):
    code, _out, err = _run("unlock", "--as", "Alex", "--remember", stdin=PASSPHRASE + "\n")
    assert code == 0, err
    assert "without a passphrase" in err
    (stored,) = os_keyring.items.values()
    assert PASSPHRASE not in stored  # the key, never the passphrase
    code, _out, err = _run("export", str(alex / "j.zip"), "--as", "Alex")
    assert code == 0, err
    code, _out, err = _run("lock", "--as", "Alex", "--forget")
    assert "Removed" in err and not os_keyring.items
    code, _out, err = _run("export", str(alex / "k.zip"), "--as", "Alex")
    assert code != 0


def test_without_an_os_keyring_remember_is_refused_clearly(alex: Path):
    code, out, err = _run("unlock", "--as", "Alex", "--remember", stdin=PASSPHRASE + "\n")
    assert code != 0
    assert "no OS keyring" in err and "CONFIDE_AGENT" not in out


def test_a_spoken_passphrase_is_opt_in_warned_and_opens_as_transcribed(alex: Path):
    from confide.models import keys
    from confide.models.accounts import get_person_by_name
    from confide.models.errors import InvalidInput, NotAuthenticated
    from confide.settings import load_settings
    from confide.wiring import cli_session

    code, _out, err = _run("people", "spoken-passphrase", "Alex",
                           stdin=f"{PASSPHRASE}\nblue kettle sunday rain\n")
    assert code == 0, err
    assert "can hear it" in err  # the weakness is said when it is chosen
    with cli_session(load_settings()) as session:
        person = get_person_by_name(session, "Alex")
        assert keys.has_spoken_passphrase(session, person.id or 0)
        opened = keys.unlock_spoken(session, person, "Blue kettle, Sunday rain.")
        assert opened.secret == keys.unlock(session, person, PASSPHRASE).secret
        with pytest.raises(NotAuthenticated):
            keys.unlock_spoken(session, person, "blue kettle monday rain")
        with pytest.raises(InvalidInput):
            keys.set_spoken_passphrase(session, opened, "too short")
    code, _out, _err = _run("people", "spoken-passphrase", "Alex", "--off")
    assert code == 0
    with cli_session(load_settings()) as session:
        assert not keys.has_spoken_passphrase(session, get_person_by_name(session, "Alex").id or 0)


def test_wrong_passphrases_at_the_cli_are_refused_then_rate_limited(alex: Path):
    target = alex / "j.zip"
    for _ in range(5):
        code, _out, err = _run("export", str(target), "--as", "Alex", stdin="wrong guess\n")
        assert code != 0 and "do not match" in err
    code, _out, err = _run("export", str(target), "--as", "Alex", stdin=PASSPHRASE + "\n")
    assert code != 0 and "too many" in err.lower()  # even the right one, for a while
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_the_recovery_words_restore_access_after_a_forgotten_passphrase(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "data"))
    code, out, err = _run("people", "add", "Robin", "--passphrase",
                          stdin="first passphrase\nfirst passphrase\n")
    assert code == 0, err
    words = out.split("Recovery key:")[1].split("\n")[0].strip()
    assert len(words.split()) == 12
    code, _out, err = _run("people", "passphrase", "Robin", "--recovery",
                           stdin=f"{words.upper()}\nnew passphrase here\n")
    assert code == 0, err
    code, _out, err = _run("export", str(tmp_path / "r.zip"), "--as", "Robin",
                           stdin="new passphrase here\n")
    assert code == 0, err
    code, _out, err = _run("export", str(tmp_path / "s.zip"), "--as", "Robin",
                           stdin="first passphrase\n")
    assert code != 0


def test_doctor_says_how_long_unlocking_takes_and_whether_a_keyring_is_there():
    from confide.doctor import _sealing

    check = _sealing()
    assert check.ok and not check.needed_for_voice
    assert "Argon2id" in check.detail and "keyring" in check.detail


class _Heard:
    """What the microphone would give, one utterance at a time (the loop's own tests drive
    the real listener)."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    def utterance(self, **_kw: object) -> str:
        return self.lines.pop(0) if self.lines else ""


class _Session:
    def __init__(self, *heard: str) -> None:
        self.listener = _Heard(*heard)
        self.keys_said: list[str] = []

    def say(self, text: str, *, key: str = "") -> None:
        self.keys_said.append(key or text)


def test_the_voice_loop_unlocks_with_the_spoken_passphrase_as_heard(alex: Path):
    from confide.models import keys
    from confide.models.accounts import get_person_by_name
    from confide.settings import load_settings
    from confide.voice_unlock import unlock_by_voice
    from confide.wiring import cli_session

    settings = load_settings()
    with cli_session(settings) as s:
        person = get_person_by_name(s, "Alex")
        assert unlock_by_voice(_Session("anything"), settings, person.id or 0) is None  # not opted in
        keys.set_spoken_passphrase(s, keys.unlock(s, person, PASSPHRASE), "blue kettle sunday rain")
    session = _Session("blue kettle monday rain", "Blue kettle, Sunday rain.")
    opened = unlock_by_voice(session, settings, person.id or 0)
    assert opened is not None
    assert session.keys_said == ["SAY_PASSPHRASE", "NOT_UNLOCKED_BY_VOICE", "SAY_PASSPHRASE",
                                 "UNLOCKED_BY_VOICE"]
    skipped = _Session("skip")
    assert unlock_by_voice(skipped, settings, person.id or 0) is None
    assert skipped.keys_said == ["SAY_PASSPHRASE", "STAYS_LOCKED"]
