"""The arrows between the layers, read from the imports themselves (a small AST check).

Engines (speech in and out, VAD, decoding, streaming Whisper, the turn segmenter, the dialog)
import nothing from the domain (models/), the API (api/) or the composition root (confide/);
the domain and the prompt library import neither api/ nor voice/. Imports that still break
a rule are listed in KNOWN: the list may only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ["whisper", "vad", "sound", "speech", "neural", "streamed_speech", "audio_file",
           "streaming", "heap", "segmenter", "dialog", "dialog_events", "dialog_states",
           "dialog_station"]
ENGINE_MAY_NOT = ("models", "api", "confide")
DOMAIN_MAY_NOT = ("api", "voice")

KNOWN = {
    # Engines that still take the domain's Transcript or errors, or the whole Settings.
    ("voice/whisper.py", "confide.settings"),
    ("voice/whisper.py", "models.transcript"),
    ("voice/streaming.py", "models.transcript"),
    ("voice/audio_file.py", "models.errors"),
}


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _breaks(path: Path, forbidden: tuple[str, ...]) -> set[tuple[str, str]]:
    rel = path.relative_to(ROOT).as_posix()
    return {(rel, name) for name in imports_of(path)
            if name.split(".")[0] in forbidden}


def violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name in ENGINES:
        found |= _breaks(ROOT / "voice" / f"{name}.py", ENGINE_MAY_NOT)
    for package in ("models", "prompts"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found |= _breaks(path, DOMAIN_MAY_NOT)
    return found


def test_engines_and_the_dialog_import_nothing_of_the_domain_api_or_root():
    new = violations() - KNOWN
    assert not new, f"imports against the layers: {sorted(new)}"


def test_the_known_exceptions_are_still_there_or_are_struck_off():
    """A fixed exception must leave KNOWN, so the rule cannot quietly come back."""
    assert violations() >= KNOWN, f"fixed, strike off KNOWN: {sorted(KNOWN - violations())}"


def test_every_engine_named_exists():
    assert all((ROOT / "voice" / f"{name}.py").is_file() for name in ENGINES)
