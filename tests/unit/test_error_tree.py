"""One error tree: what the product raises is a ConfideError, drawn in models/errors.py's
docstring and mapped to an HTTP status by one table (api.errors.status_for).

The engines are the exception by design (they import nothing of ours); the product's edge
turns their errors into these, as voice.decoding does for audio.
"""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.errors import UnsupportedMediaType, status_for
from models import errors
from models.errors import (
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
)
from models.sealing import PlainTextLeak
from tests.unit.test_layers import ENGINES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

OUTSIDE_THE_TREE = {
    # Raised before any journal exists, by the settings loader; the CLI exits with code 2.
    "confide.settings.SettingsError",
    # The prompt library imports no database layer (models/__init__.py loads SQLAlchemy,
    # 0.4 s at every command's start), so its errors stay its own: the selector's fallback
    # (api/routes/prompts.py answers it as NotFound) and broken data or unknown ids, which
    # the shipped library never raises (tests/unit/test_prompt_library.py).
    "prompts.selector.NoPromptAvailableError",
    "prompts.library.LibraryError",
    "prompts.library.UnknownProgramError",
    "prompts.library.UnknownPromptError",
}
"""Known exceptions to the rule; the set may only shrink."""


def _product_modules() -> list[str]:
    names = []
    for package in ("api", "confide", "models", "prompts", "voice"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            if ("migrations" in rel.parts or rel.name == "__main__"
                    or (package == "voice" and rel.name in ENGINES)):
                continue
            names.append(".".join(p for p in rel.parts if p != "__init__"))
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


def test_every_public_exception_of_the_product_is_a_confide_error() -> None:
    """Private ones (``_BodyTooLargeError``) are control flow that never leaves its module."""
    outside = {name for name, cls in _exceptions_defined_in_the_product().items()
               if not issubclass(cls, ConfideError)}
    assert outside <= OUTSIDE_THE_TREE, f"not in the tree: {sorted(outside - OUTSIDE_THE_TREE)}"


def test_the_known_exceptions_are_still_outside_or_are_struck_off() -> None:
    found = _exceptions_defined_in_the_product()
    back = {name for name in OUTSIDE_THE_TREE if issubclass(found[name], ConfideError)}
    assert not back, f"now in the tree, strike off OUTSIDE_THE_TREE: {sorted(back)}"


def test_the_drawn_tree_names_only_real_confide_errors() -> None:
    drawn = re.findall(r"^\s*[│├└─ ]*([A-Z]\w+)\s{2,}", errors.__doc__ or "", re.M)
    everything = {cls.__name__: cls for cls in _exceptions_defined_in_the_product().values()}
    assert "ConfideError" in drawn and len(drawn) >= 15
    for name in drawn:
        assert name in everything and issubclass(everything[name], ConfideError), name


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
])
def test_each_error_has_its_http_status(error: ConfideError, status: int) -> None:
    assert status_for(error) == status


def test_the_prompt_library_and_the_dialog_import_no_database_layer() -> None:
    """Why the prompt library keeps its own errors: importing models.* would load SQLAlchemy
    into every command's start and every pure test."""
    code = ("import sys, prompts, voice.dialog, voice.dialog_home; "
            "print(*sorted(m for m in ('sqlalchemy', 'sqlmodel', 'models') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "", f"loaded: {done.stdout.strip()}"
