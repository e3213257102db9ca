"""Every CLI module imports on its own, first, in a fresh interpreter: the commands register
one another, and an import cycle shows only when a script or test imports one of them before
the CLI (``from confide.cli_voice import build_session`` once failed that way).

"Fresh" is about our own modules: a cycle can only run through them. So one interpreter
loads the third-party libraries they use, none of ours, and forks a child per CLI module
that imports it first; each child starts with none of Confide loaded, as a new process
would, without loading SQLAlchemy, pydantic and Typer again seventeen times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
OURS = ("api", "confide", "models", "prompts", "voice")
THIRD_PARTY = ("typer", "rich", "click", "sqlalchemy", "sqlmodel", "pydantic",
               "pydantic_settings", "platformdirs", "numpy", "nacl", "argon2")

_EACH_FIRST = """
import json, os, sys, traceback
names, ours, libraries = json.loads(sys.argv[1])
for library in libraries:
    __import__(library)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ours)
failed = {}
for name in names:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            __import__(name)
        except BaseException:
            os.write(write, traceback.format_exc().strip().splitlines()[-1].encode())
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as reason:
        message = reason.read()
    if os.waitpid(pid, 0)[1] != 0:
        failed[name] = message or "the import ended the process"
print(json.dumps({"loaded_before": loaded, "failed": failed}))
"""


def test_each_cli_module_imports_first_in_a_fresh_interpreter():
    names = sorted(f"confide.{p.stem}" for p in (ROOT / "confide").glob("cli*.py"))
    done = subprocess.run([sys.executable, "-c", _EACH_FIRST,
                           json.dumps([names, OURS, THIRD_PARTY])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    found = json.loads(done.stdout)
    assert found["loaded_before"] == [], "none of ours is loaded before each module"
    assert len(names) > 10 and not found["failed"], found["failed"]


def test_the_check_sees_an_import_cycle(tmp_path):
    """A module that imports one that imports it back, by name, fails in its child."""
    (tmp_path / "cycle_a.py").write_text("from cycle_b import B\nA = 1\n", encoding="utf-8")
    (tmp_path / "cycle_b.py").write_text("from cycle_a import A\nB = 2\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _EACH_FIRST,
                           json.dumps([["cycle_a", "json"], ["cycle_a", "cycle_b"], []])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    found = json.loads(done.stdout)
    assert list(found["failed"]) == ["cycle_a"] and "ImportError" in found["failed"]["cycle_a"]
