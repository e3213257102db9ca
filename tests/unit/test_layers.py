"""The arrows between the layers, read from the imports themselves (a small AST check).

    entry points (confide/: the CLI, its commands, the uvicorn factories)
      -> composition root (confide/wiring.py: settings in, real adapters out)
      -> the two faces, the conversation (voice/) and the API (api/); the API uses only the
         engines and two shared services of voice/ (decoding, the transcription job runner)
      -> the domain (models/) and the prompt library (prompts/)
    engines (speech in and out, devices, VAD, decoding, streaming Whisper) sit apart at the
    bottom: they import nothing of ours but each other, so anyone may use them.

Each rule below is one of those arrows; docs/ARCHITECTURE.md draws them. There is no list
of tolerated exceptions: an import against a rule fails here.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
OURS = ("api", "confide", "models", "prompts", "voice")
FOLDERS = ("api", "models", "prompts", "voice")
"""The design card's folders, installed under the one name confide (confide/api -> ../api)."""
INSTALLED_PACKAGES = {"confide", *(f"confide.{folder}" for folder in FOLDERS)}

ENGINES = ["audio_file", "devices", "earcons", "echo", "heap", "neural", "notify", "ports",
           "sound", "speech", "speech_sinks", "stream_player", "streamed_speech", "streaming",
           "transcriber", "vad", "virtual_sound", "voices", "whisper"]
"""voice/ modules that are engines: plain options in, their own results and errors out."""
PURE_CORE = ["commands", "dialog", "dialog_acts", "dialog_events", "dialog_facts", "dialog_home",
             "dialog_manage", "dialog_states", "dialog_station", "intents", "phrases", "segmenter"]
"""The conversation's decisions (the dialog, the turn segmenter, intents, the catalog): no
database, no API, no settings; the runners carry their effects out."""
SHARED_SERVICES = ["decoding", "jobs_runner"]
"""voice/ modules both faces use: decoding with the journal's errors, and running one queued
transcription (the server's worker and `confide speak` at start). Nothing else of the
conversation is the API's business."""
CONVERSATION = ["barge_in", "filing", "hunch", "listener", "opening", "pending", "recovery", "runner",
                "runner_acts", "runner_home", "runner_speech", "session", "station", "text_mode"]
"""The rest of voice/: the runners and what they use to listen, file and recover, which
carry the dialog's effects out against the engines and the journal."""
ROOT_MODULE = "confide.wiring"
SETTINGS_ONLY = {"confide", "confide.__version__", "confide.settings"}
"""What the faces may import of the confide package: the version and the settings type."""
ENTRY_POINTS_OUTSIDE_CONFIDE = {"api/web/testing.py"}
"""The uvicorn factory the browser tier serves (``api.web.testing:app_from_env``), an entry
point like ``confide serve``'s own, so it takes its engines from the composition root."""


@functools.cache
def installed_imports_of(path: Path) -> frozenset[str]:
    """Every module ``path`` imports, at the top or inside a function, as written (read once)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module in INSTALLED_PACKAGES:  # `from confide.voice import whisper`
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def _folder_name(module: str) -> str:
    """``confide.voice.whisper`` as the folder it lives in says it, ``voice.whisper``."""
    head, _, rest = module.partition(".")
    return rest if head == "confide" and rest.split(".")[0] in FOLDERS else module


def imports_of(path: Path) -> frozenset[str]:
    """What ``path`` imports, each of our modules named by its folder (the layers' names)."""
    return frozenset(_folder_name(name) for name in installed_imports_of(path))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _modules(package: str) -> list[Path]:
    return [p for p in sorted((ROOT / package).rglob("*.py")) if "migrations" not in p.parts]


def _ours(name: str) -> bool:
    return name.split(".")[0] in OURS


def _is_voice_module_in(name: str, allowed: list[str]) -> bool:
    parts = name.split(".")
    return parts[0] == "voice" and (len(parts) == 1 or parts[1] in allowed)


def test_engines_import_nothing_of_ours_but_other_engines() -> None:
    broken = {(f"voice/{name}.py", imported)
              for name in ENGINES
              for imported in imports_of(ROOT / "voice" / f"{name}.py")
              if _ours(imported) and not _is_voice_module_in(imported, ENGINES)}
    assert not broken, f"engines importing the rest of Confide: {sorted(broken)}"


def test_the_dialog_core_imports_no_database_api_or_root() -> None:
    broken = {(f"voice/{name}.py", imported)
              for name in PURE_CORE
              for imported in imports_of(ROOT / "voice" / f"{name}.py")
              if imported.split(".")[0] in ("models", "api", "confide")}
    assert not broken, f"decision code reaching for I/O: {sorted(broken)}"


def test_the_domain_and_prompts_import_neither_face_nor_the_root() -> None:
    broken = {(_rel(path), imported)
              for package in ("models", "prompts")
              for path in _modules(package)
              for imported in imports_of(path)
              if imported.split(".")[0] in ("api", "voice", "confide")}
    assert not broken, f"the domain importing a layer above it: {sorted(broken)}"


def test_the_api_uses_only_engines_and_the_shared_services_of_voice() -> None:
    broken = {(_rel(path), imported)
              for path in _modules("api")
              for imported in imports_of(path)
              if imported.split(".")[0] == "voice"
              and not _is_voice_module_in(imported, ENGINES + SHARED_SERVICES)}
    assert not broken, f"the API reaching into the conversation: {sorted(broken)}"


def test_the_conversation_never_imports_the_api() -> None:
    broken = {(_rel(path), imported)
              for path in _modules("voice")
              for imported in imports_of(path)
              if imported.split(".")[0] == "api"}
    assert not broken, f"the voice loop reaching into the API: {sorted(broken)}"


def test_the_faces_read_the_settings_but_never_the_composition_root() -> None:
    """api/ and voice/ get their engines handed in; only the entry points wire."""
    broken = {(_rel(path), imported)
              for package in ("api", "voice")
              for path in _modules(package)
              if _rel(path) not in ENTRY_POINTS_OUTSIDE_CONFIDE
              for imported in imports_of(path)
              if imported.split(".")[0] == "confide" and imported not in SETTINGS_ONLY}
    assert not broken, f"a face importing the composition root or the CLI: {sorted(broken)}"


def test_only_entry_points_import_the_composition_root() -> None:
    importers = {_rel(path)
                 for package in OURS
                 for path in _modules(package)
                 if ROOT_MODULE in imports_of(path)}
    outside = {rel for rel in importers
               if not rel.startswith("confide/") and rel not in ENTRY_POINTS_OUTSIDE_CONFIDE}
    assert not outside, f"the composition root imported outside the entry points: {outside}"
    assert "confide/cli_serve.py" in importers, "the check still sees the real entry points"


def test_every_voice_module_has_exactly_one_layer() -> None:
    """A new module in voice/ is named in one list above, so its rule applies to it."""
    named = [*ENGINES, *PURE_CORE, *SHARED_SERVICES, *CONVERSATION]
    present = {p.stem for p in (ROOT / "voice").glob("*.py") if p.stem != "__init__"}
    assert len(named) == len(set(named)), "a module named in two layers"
    assert set(named) == present, (f"unplaced: {sorted(present - set(named))}; "
                                   f"gone: {sorted(set(named) - present)}")


def test_the_check_sees_imports_inside_functions_and_from_a_package(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from confide.models import entries\n    import confide.wiring\n",
                     encoding="utf-8")
    assert imports_of(probe) == {"models", "models.entries", "confide.wiring"}
    assert installed_imports_of(probe) == {"confide.models", "confide.models.entries",
                                           "confide.wiring"}


def test_our_folders_are_imported_by_their_installed_names() -> None:
    """``import api`` would load a second copy of a module (and of every table) beside the
    installed ``confide.api``, and in site-packages it is another project's name."""
    bare = {(_rel(path), imported)
            for package in (*OURS, "scripts", "tests")
            for path in sorted((ROOT / package).rglob("*.py"))
            for imported in installed_imports_of(path)
            if imported.split(".")[0] in FOLDERS}
    assert not bare, f"imported by a bare folder name: {sorted(bare)}"


def test_the_folders_are_installed_under_confide() -> None:
    import confide.api
    import confide.models
    import confide.prompts
    import confide.voice

    for module in (confide.api, confide.models, confide.prompts, confide.voice):
        folder = Path(module.__file__ or "").resolve().parent
        assert folder == ROOT / module.__name__.removeprefix("confide."), module.__name__
