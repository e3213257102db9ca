"""The quick `confide entries search`: in a shell unlocked by `confide unlock` the unlock
agent answers with the command's own search, printed exactly as the full command prints it,
while the process typed in the terminal loads neither the database layer nor the CLI
framework; whatever the agent cannot answer (someone else's journal, other settings, a
locked shell) is unlocked as the command does, and --help is the full CLI's. Without an
agent the passphrase opens it, still without the CLI framework. SQLite, and PostgreSQL when
CONFIDE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confide.cli import app
from tests.conftest import cheap_passphrase_hashing, isolate_env
from tests.unit.entries_seed import BACKENDS, PASSPHRASES, invoker, ok, seeded_once

pytestmark = pytest.mark.process


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory):
    """One journal for the module: every test here only reads it (a search, a refused
    unlock), and the processes typed in the shell are what each test is about."""
    with seeded_once(tmp_path_factory, request.param) as journal:
        yield journal


@pytest.fixture
def journal(seeded, monkeypatch):
    yield seeded.use(monkeypatch)
    seeded.release()


@contextmanager
def unlocked_shell(seeded, runtime_dir: Path) -> Iterator[dict[str, str]]:
    """The environment of a shell after `eval "$(confide unlock --as Alex)"`; the agent is
    locked again at the end (what `confide lock` does, without starting a process for it)."""
    from confide.agent import ENV, lock_agent

    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp, runtime_dir / "home")
        cheap_passphrase_hashing(mp)
        seeded.use(mp)
        mp.setenv("XDG_RUNTIME_DIR", str(runtime_dir))
        mp.delenv(ENV, raising=False)
        unlocked = ok(invoker("unlock")("--minutes", "5"))
        seeded.release()
        socket_path = unlocked.stdout.split(";")[0].split("=", 1)[1].strip("'")
        env = {**os.environ, ENV: socket_path}
        try:
            yield env
        finally:
            mp.setenv(ENV, socket_path)
            lock_agent()


@pytest.fixture(scope="module")
def shell(seeded, tmp_path_factory):
    """One unlocked shell for the tests that only search in it, as a person unlocks once
    and searches many times."""
    with unlocked_shell(seeded, tmp_path_factory.mktemp("runtime")) as env:
        yield env


@pytest.fixture
def own_shell(seeded, tmp_path):
    """A shell of its own, for a test that locks it."""
    with unlocked_shell(seeded, tmp_path) as env:
        yield env


def typed(env, *args, stdin=""):
    """`confide entries search ARGS` typed in that shell, as its own process; stderr holds
    what it imported (python -X importtime)."""
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "confide", "entries",
                           "search", *args], env=env, input=stdin, capture_output=True,
                          text=True, check=False, timeout=120)


def imported(done) -> set[str]:
    """The packages the process loaded, by name (from python -X importtime)."""
    return {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


@pytest.mark.parametrize("args", [
    ["walked", "calm", "--json"],
    ["--json", "garden"],
    ["walk"],
    ["-n", "1", "--as=Alex", "sunday"],
    ["nowhere"],
])
def test_the_agent_answers_as_the_full_command_would_without_loading_it(journal, shell, args):
    named = "--as=Alex" in args
    expected = ok(invoker("entries")("search", *args, who=None if named else "Alex",
                                     passphrase=PASSPHRASES["Alex"]))
    done = typed(shell, *args, *([] if named else ["--as", "Alex"]))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == expected.stdout
    assert not imported(done) & {"sqlalchemy", "typer"}, "answered by the agent"


def test_someone_elses_search_in_that_shell_still_needs_their_passphrase(journal, shell):
    refused = typed(shell, "garden", "--as", "Sam")
    assert refused.returncode == 1 and "sealed" in refused.stderr
    assert "garden" not in refused.stdout
    done = typed(shell, "garden", "--json", "--as", "Sam", stdin=PASSPHRASES["Sam"] + "\n")
    assert done.returncode == 0
    assert done.stdout == ok(invoker("entries")("search", "garden", "--json", who="Sam")).stdout


def test_other_settings_or_a_locked_shell_unlock_as_the_command_does(own_shell, tmp_path):
    other = {"CONFIDE_DATA_DIR": str(tmp_path / "other"),
             "CONFIDE_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"}
    elsewhere = typed(own_shell | other, "walked", "--as", "Alex")
    assert elsewhere.returncode == 1 and "Nobody called 'Alex'" in elsewhere.stderr
    assert "walked" not in elsewhere.stdout
    helped = typed(own_shell, "--help")
    assert helped.returncode == 0 and "Usage" in helped.stdout
    locking = CliRunner().invoke(app, ["lock"], env=own_shell)
    assert locking.exit_code == 0 and "Locked." in locking.stderr
    locked = typed(own_shell, "walked", "--as", "Alex")
    assert locked.returncode == 1 and "sealed" in locked.stderr and locked.stdout == ""


def test_without_an_agent_the_passphrase_opens_it_without_the_cli_framework(journal):
    env = {k: v for k, v in os.environ.items() if k != "CONFIDE_AGENT"}
    for args in (["walked", "--json"], ["garden"], ["nowhere"]):
        expected = ok(invoker("entries")("search", *args))
        done = typed(env, *args, "--as", "Alex", stdin=PASSPHRASES["Alex"] + "\n")
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout == expected.stdout
        assert "typer" not in imported(done)
    wrong = typed(env, "walked", "--as", "Alex", stdin="not it\n")
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert "error: That name and passphrase do not match." in wrong.stderr
    bad = typed(env | {"CONFIDE_WHISPER_BEAM_SIZE": "0"}, "walked", "--as", "Alex")
    assert bad.returncode == 2 and "CONFIDE_WHISPER_BEAM_SIZE" in bad.stderr


@pytest.mark.parametrize(("args", "read"), [
    (["trust"], {"words": "trust", "n": 50, "as": None, "json": False}),
    (["dinner", "--as=Sam", "-n", "3", "--json", "phones"],
     {"words": "dinner phones", "n": 3, "as": "Sam", "json": True}),
    (["--as", "Alex", "--", "-n"], {"words": "-n", "n": 50, "as": "Alex", "json": False}),
    ([], None),
    (["--help"], None),
    (["-n", "0", "trust"], None),
    (["-n", "201", "trust"], None),
    (["-n", "two", "trust"], None),
    (["trust", "-n"], None),
    (["--as", "Alex", "--as", "Sam", "trust"], None),
    (["trust", "--verbose"], None),
])
def test_the_quick_command_reads_only_what_the_full_command_reads(args, read):
    from confide.cli_quick import _search_args

    assert _search_args(args) == read
