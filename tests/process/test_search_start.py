"""What `confide entries search` loads before it answers when the passphrase is typed (no
unlock agent): the database layer, the tables and the search, but not the audio stack
(NumPy, libsndfile), the speech engines or the CLI framework, which a read of the journal
never uses and which cost a fifth of the start (docs/BENCHMARKS.md, "Journal search").
Importing the domain package itself loads nothing, and the tables still come whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.entries_seed import BACKENDS, PASSPHRASES, cleanup, make_env, seed

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
NEVER_FOR_A_SEARCH = {"numpy", "soundfile", "sounddevice", "faster_whisper", "ctranslate2",
                      "onnxruntime", "pyttsx3", "typer", "click", "rich", "alembic"}


@pytest.fixture(params=BACKENDS)
def journal(request, tmp_path, monkeypatch):
    settings = make_env(tmp_path, monkeypatch, request.param)
    yield settings, seed(settings)
    cleanup(settings)


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_search_with_the_passphrase_typed_loads_no_audio_speech_or_cli_stack(journal):
    env = {k: v for k, v in os.environ.items() if k != "CONFIDE_AGENT"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "confide", "entries",
                           "search", "walked", "--json", "--as", "Alex"], env=env,
                          input=PASSPHRASES["Alex"] + "\n", capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "We walked" in done.stdout
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
              if line.startswith("import time:") and "|" in line}
    assert "sqlalchemy" in loaded, "the search itself ran in this process"
    assert not loaded & NEVER_FOR_A_SEARCH, sorted(loaded & NEVER_FOR_A_SEARCH)


def test_importing_the_domain_package_or_its_plain_modules_loads_no_database_layer():
    out = _python("import sys, confide.models, confide.models.errors, confide.models.crypto; "
                  "print(*sorted(m for m in ('sqlalchemy', 'sqlmodel', 'confide.models.tables') "
                  "if m in sys.modules))")
    assert out == ""


@pytest.mark.parametrize("first", ["confide.models.tables", "confide.models.import_marks",
                                   "confide.models.entries", "confide.models.search"])
def test_the_tables_come_whole_with_the_import_marks_whichever_module_loads_first(first):
    out = _python(f"import {first}; from sqlmodel import SQLModel; "
                  "print('import_mark' in SQLModel.metadata.tables, "
                  "'entry' in SQLModel.metadata.tables)")
    assert out == "True True"


def test_modules_load_with_the_collector_paused_and_it_runs_again_after_even_on_error():
    out = _python(
        "import gc\n"
        "from confide.cli_quick import _loading\n"
        "with _loading():\n"
        "    print(gc.isenabled())\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 0)\n"
        "try:\n"
        "    with _loading():\n"
        "        raise ImportError('x')\n"
        "except ImportError:\n"
        "    print(gc.isenabled())\n")
    assert out.split() == ["False", "True", "True", "True"]
