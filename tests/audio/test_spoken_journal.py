"""The rest of the journal by voice on real devices: one session wired as `confide speak`
wires it, the person's words spoken into the virtual microphone and heard by Whisper,
reaching three feature groups of docs/VOICE.md (a tag on an entry in a list, a program
started, an invite code made), each asked about and said yes to aloud. It runs as its own
process (tests/audio/spoken_journal_run.py), as test_voice_choice_spoken does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.audio]

ROOT = Path(__file__).resolve().parents[2]


def test_a_tag_a_program_and_an_invite_said_aloud_change_the_journal(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "tests/audio/spoken_journal_run.py"),
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=500, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if "skipped" in result:
        pytest.skip(result["skipped"])
    heard = result["keys"]
    assert "CONFIRM_TAG" in heard and "CONFIRM_PROGRAM_START" in heard, result["spoken"]
    assert "INVITE_MADE" in heard, result["spoken"]
    assert result["tags"] == ["dinner"]
    assert result["program"] == "listening-week"
    assert result["invite"] is True
