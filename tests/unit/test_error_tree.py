"""One error tree: what the product raises is a ConfideError, drawn in models/errors.py's
docstring and mapped to an HTTP status (api.errors.status_for) and to a CLI exit code
(confide.cli_support.exit_code_for) by one table each.

The engines are the exception by design (they import nothing of ours); the product's edges
turn their errors into the tree: voice.decoding for audio, confide.cli_support.engine_errors
for the commands that start an engine.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from confide.api.errors import UnsupportedMediaType, status_for
from confide.cli_support import engine_errors, exit_code_for
from confide.models import errors
from confide.models.errors import (
    ConfideError,
    Conflict,
    Expired,
    Forbidden,
    InvalidAudio,
    InvalidInput,
    Locked,
    NotAuthenticated,
    NotFound,
    RateLimited,
    SealError,
    TooLarge,
    Unavailable,
    UsageError,
)
from confide.models.sealing import PlainTextLeak
from confide.prompts import LibraryError, NoPromptAvailableError, UnknownProgramError, UnknownPromptError
from confide.settings import SettingsError
from tests.unit.test_layers import ENGINES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

EDGES = {"voice/decoding.py", "confide/cli_support.py"}
"""Where the product catches an engine's own errors and raises the tree's instead."""


def _product_modules() -> list[str]:
    names = []
    for package in ("api", "confide", "models", "prompts", "voice"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            if ("migrations" in rel.parts or rel.name == "__main__"
                    or (package == "voice" and rel.name in ENGINES)):
                continue
            parts = [p for p in rel.parts if p != "__init__"]
            names.append(".".join(parts if package == "confide" else ["confide", *parts]))
    return names


def _exceptions_defined_in_the_product() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _product_modules():
        module = importlib.import_module(name)
        for cls_name, cls in vars(module).items():
            if (inspect.isclass(cls) and issubclass(cls, BaseException)
                    and cls.__module__ == name and not cls_name.startswith("_")):
                found[f"{name}.{cls_name}"] = cls
    return found


def _engine_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in ENGINES:
        module = importlib.import_module(f"confide.voice.{name}")
        for cls_name, cls in vars(module).items():
            if (inspect.isclass(cls) and issubclass(cls, BaseException)
                    and cls.__module__ == module.__name__ and not cls_name.startswith("_")):
                found[cls_name] = cls
    return found


def test_every_public_exception_of_the_product_is_a_confide_error() -> None:
    """The settings loader's and the prompt library's too; private ones
    (``_BodyTooLargeError``) are control flow that never leaves its module."""
    outside = {name for name, cls in _exceptions_defined_in_the_product().items()
               if not issubclass(cls, ConfideError)}
    assert not outside, f"not in the tree: {sorted(outside)}"


def test_every_engine_error_becomes_one_of_the_tree_at_the_edge(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new engine error is caught where commands start engines, or decoding's."""
    from confide.voice import audio_file, decoding

    found = _engine_exceptions()
    assert {"DeviceError", "ModelUnavailableError", "UnusableAudio"} <= set(found)
    for name, cls in found.items():
        if issubclass(cls, audio_file.UnusableAudio):
            def refuse(*_args: object, _cls: type[BaseException] = cls, **_kw: object) -> None:
                raise _cls("that file")
            monkeypatch.setattr(audio_file, "decode_audio", refuse)
            with pytest.raises((InvalidAudio, TooLarge)) as refused:
                decoding.decode_audio(b"x")
            assert isinstance(refused.value.__cause__, cls), name
        else:
            with pytest.raises(Unavailable) as caught, engine_errors():
                raise cls("the device is gone")
            assert str(caught.value) == "the device is gone", name
            assert isinstance(caught.value.__cause__, cls), name


def test_no_command_or_face_catches_an_engine_error_but_at_the_edges() -> None:
    """Callers catch the tree, not a union of engine errors (``except (ConfideError,
    DeviceError)``), so the edge that translates is the only one that knows them."""
    engine_errors_by_name = set(_engine_exceptions())
    caught = set()
    for package in ("api", "confide", "models", "prompts", "voice"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in EDGES or (package == "voice" and path.stem in ENGINES):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ExceptHandler) and node.type is not None:
                    names = {n.id if isinstance(n, ast.Name) else n.attr
                             for n in ast.walk(node.type) if isinstance(n, ast.Name | ast.Attribute)}
                    caught |= {(rel, n) for n in names & engine_errors_by_name}
    assert not caught, f"engine errors caught outside the edges: {sorted(caught)}"


def test_the_drawn_tree_names_only_real_confide_errors() -> None:
    drawn = re.findall(r"^\s*[│├└─ ]*([A-Z]\w+)\s{2,}", errors.__doc__ or "", re.M)
    everything = {cls.__name__: cls for cls in _exceptions_defined_in_the_product().values()}
    assert "ConfideError" in drawn and len(drawn) >= 15
    for name in drawn:
        assert name in everything and issubclass(everything[name], ConfideError), name


def test_the_drawn_tree_names_every_public_error_of_the_product() -> None:
    drawn = set(re.findall(r"^\s*[│├└─ ]*([A-Z]\w+)\s{2,}", errors.__doc__ or "", re.M))
    everything = {cls.__name__ for cls in _exceptions_defined_in_the_product().values()}
    assert everything <= drawn, f"not drawn in models/errors.py: {sorted(everything - drawn)}"


@pytest.mark.parametrize(("error", "status"), [
    (NotFound("x"), 404),
    (InvalidInput("x"), 422),
    (InvalidAudio("x"), 422),
    (TooLarge("x"), 413),
    (UnsupportedMediaType("x"), 415),
    (Conflict("x"), 409),
    (Expired("x"), 410),
    (NotAuthenticated("x"), 401),
    (Locked("x"), 401),
    (Forbidden("x"), 403),
    (SealError("x"), 403),
    (RateLimited("x", retry_after=3), 429),
    (Unavailable("x"), 503),
    (PlainTextLeak("x"), 500),
    (ConfideError("x"), 500),
    (NoPromptAvailableError("x"), 404),
    (UnknownPromptError("x"), 404),
    (UnknownProgramError("x"), 404),
    (LibraryError("x"), 500),
    (SettingsError("x"), 500),
])
def test_each_error_has_its_http_status(error: ConfideError, status: int) -> None:
    assert status_for(error) == status


def test_the_tree_imports_nothing() -> None:
    """So raising it loads nothing, wherever it is raised from."""
    tree = ast.parse((ROOT / "models" / "errors.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__"}, sorted(imported)


@pytest.mark.parametrize(("error", "code"), [
    (SettingsError("x"), 2),
    (UsageError("x"), 2),
    (NotFound("x"), 1),
    (InvalidInput("x"), 1),
    (InvalidAudio("x"), 1),
    (Conflict("x"), 1),
    (NotAuthenticated("x"), 1),
    (Locked("x"), 1),
    (Forbidden("x"), 1),
    (RateLimited("x", retry_after=3), 1),
    (Unavailable("x"), 1),
    (LibraryError("x"), 1),
    (UnknownPromptError("x"), 1),
    (PlainTextLeak("x"), 1),
    (ConfideError("x"), 1),
])
def test_each_error_has_its_exit_code(error: ConfideError, code: int) -> None:
    assert exit_code_for(error) == code


def test_the_prompt_library_settings_and_dialog_raise_the_tree_without_a_database_layer() -> None:
    """The tree costs no database layer to raise: SQLAlchemy would double every command's
    start and slow every pure test."""
    code = ("import sys, confide.settings, confide.prompts, confide.voice.dialog, confide.voice.dialog_home; "
            "from confide.models.errors import ConfideError; "
            "assert issubclass(confide.prompts.LibraryError, ConfideError); "
            "assert issubclass(confide.settings.SettingsError, ConfideError); "
            "print(*sorted(m for m in ('sqlalchemy', 'sqlmodel', 'confide.models.tables', "
            "'confide.models.db') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "", f"loaded: {done.stdout.strip()}"
