"""Every CLI module imports on its own, first, in a fresh interpreter: the commands register
one another, and an import cycle shows only when a script or test imports one of them before
the CLI (``from confide.cli_voice import build_session`` once failed that way)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_each_cli_module_imports_first_in_a_fresh_interpreter():
    names = sorted(f"confide.{p.stem}" for p in (ROOT / "confide").glob("cli*.py"))
    procs = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"], cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in names}
    failed = {}
    for name, proc in procs.items():
        _out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            failed[name] = err.strip().splitlines()[-1]
    assert len(names) > 10 and not failed, failed
