"""The prompt library: TOML data validated into frozen models, loaded once per process.

The data lives in ``prompts/data`` so wording can change without touching code; every rule
the voice loop relies on (short plain text, resolvable references, known themes) is checked
here at load time, so a bad edit fails loudly instead of being read aloud.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from confide.models.errors import ConfideError, NotFound
from confide.prompts.plain_text import PlainTextProblem, plain_text_problem

__all__ = [
    "ARTICLE_THEMES",
    "AUDIENCES_FOR_CONTEXT",
    "CRISIS_LINE_PLACEHOLDER",
    "CUSTOM_ID_PREFIX",
    "MAX_FOLLOW_UPS",
    "MAX_WORDS",
    "Audience",
    "Context",
    "Depth",
    "Library",
    "LibraryError",
    "Messages",
    "PlainTextProblem",
    "Program",
    "Prompt",
    "Theme",
    "UnknownProgramError",
    "UnknownPromptError",
    "allowed_in",
    "build_library",
    "load_library",
    "load_library_from",
    "load_messages",
    "plain_text_problem",
]

logger = logging.getLogger(__name__)

Depth = Literal["gentle", "deeper"]
Audience = Literal["private", "share", "mutual"]
"""Who a prompt is for: one person's private journal, one person writing to share, or the
couple answering together."""
Context = Literal["private", "shared", "mutual"]
"""Where tonight's answer goes: the private journal, the shared journal, or a joint session."""

ARTICLE_THEMES: tuple[str, ...] = (
    "trust-reflection",
    "self-reflection",
    "communication",
    "accountability",
    "active-listening",
    "mutual-goals",
    "small-victories",
    "professional-help",
)
"""The themes the trust-journaling article names; the library must cover each of them."""

MAX_WORDS = 40
MAX_FOLLOW_UPS = 2
CRISIS_LINE_PLACEHOLDER = "{crisis_line}"
CUSTOM_ID_PREFIX = "custom-"
_ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

AUDIENCES_FOR_CONTEXT: Mapping[Context, frozenset[Audience]] = MappingProxyType(
    {
        # A to-share prompt may be answered privately first; a private prompt never goes
        # to the shared journal; a joint session only uses prompts written for two.
        "private": frozenset({"private", "share"}),
        "shared": frozenset({"share", "mutual"}),
        "mutual": frozenset({"mutual"}),
    }
)


def allowed_in(audience: Audience, context: Context) -> bool:
    """Whether a prompt written for ``audience`` may be asked in ``context``."""
    return audience in AUDIENCES_FOR_CONTEXT[context]


class LibraryError(ConfideError):
    """The library data breaks a rule; the message lists every problem found."""


class UnknownPromptError(NotFound):
    """No prompt with this id."""


class UnknownProgramError(NotFound):
    """No program with this id."""


class Theme(BaseModel):
    """A theme of the library, with the words the CLI and web page show for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    about: str = Field(min_length=1)


class Prompt(BaseModel):
    """One prompt. ``text`` is stored as written; ``spoken`` is what is read aloud."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_PATTERN, max_length=60)
    text: str = Field(min_length=1)
    theme: str
    depth: Depth
    audience: Audience
    follow_ups: tuple[str, ...] = ()
    revisit_after_days: int | None = Field(default=None, ge=7, le=365)
    source: Literal["library", "custom"] = "library"

    @property
    def spoken(self) -> str:
        """The text to read aloud, with the default crisis line filled in."""
        return self.speak()

    def speak(self, crisis_line: str | None = None) -> str:
        """The text to read aloud, with ``crisis_line`` (from the settings) filled in."""
        line = crisis_line or load_messages().say("crisis_line_default")
        return self.text.replace(CRISIS_LINE_PLACEHOLDER, line)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (what ``confide prompts list --json`` prints)."""
        data = self.model_dump()
        data["follow_ups"] = list(self.follow_ups)
        return data


class Program(BaseModel):
    """A guided program: prompt ids in the order they are asked, one per practice day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_PATTERN, max_length=60)
    title: str = Field(min_length=1, max_length=80)
    about: str = Field(min_length=1)
    days: tuple[str, ...] = Field(min_length=1)

    def as_dict(self) -> dict[str, Any]:
        data = self.model_dump()
        data["days"] = list(self.days)
        return data


class Messages(BaseModel):
    """Every user-facing sentence of this package, keyed, plus spoken number words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    small_numbers: tuple[str, ...] = Field(min_length=20, max_length=20)
    tens: tuple[str, ...] = Field(min_length=10, max_length=10)
    joiner: str = "-"
    text: Mapping[str, str]

    def say(self, key: str, **values: object) -> str:
        """The sentence ``key`` with its placeholders filled in."""
        return self.text[key].format(**values)

    def number(self, n: int) -> str:
        """``n`` as spoken words up to ninety-nine, digits beyond (and below zero)."""
        if 0 <= n < 20:
            return self.small_numbers[n]
        if 20 <= n < 100:
            tens, unit = divmod(n, 10)
            word = self.tens[tens]
            return word if unit == 0 else f"{word}{self.joiner}{self.small_numbers[unit]}"
        return str(n)


@dataclass(frozen=True, slots=True)
class Library:
    """The whole validated library; mappings are read-only because one instance is shared."""

    prompts: Mapping[str, Prompt]
    programs: Mapping[str, Program]
    themes: Mapping[str, Theme]

    def get(self, prompt_id: str) -> Prompt:
        """The prompt ``prompt_id``; raises :class:`UnknownPromptError`."""
        try:
            return self.prompts[prompt_id]
        except KeyError:
            raise UnknownPromptError(f"There is no prompt {prompt_id!r}.") from None

    def program(self, program_id: str) -> Program:
        """The program ``program_id``; raises :class:`UnknownProgramError`."""
        try:
            return self.programs[program_id]
        except KeyError:
            raise UnknownProgramError(f"There is no program {program_id!r}.") from None

    def by_theme(self, theme: str) -> list[Prompt]:
        return [p for p in self.prompts.values() if p.theme == theme]


def _problems_of_prompt(prompt: Prompt, themes: Mapping[str, Theme]) -> Iterable[str]:
    where = f"prompt {prompt.id!r}"
    if prompt.id.startswith(CUSTOM_ID_PREFIX):
        yield f"{where}: ids starting with {CUSTOM_ID_PREFIX!r} are kept for custom prompts"
    if prompt.theme not in themes:
        yield f"{where}: unknown theme {prompt.theme!r}"
    spoken = prompt.text.replace(CRISIS_LINE_PLACEHOLDER, "helpline")
    words = len(spoken.split())
    if words > MAX_WORDS:
        yield f"{where}: {words} words, more than {MAX_WORDS}"
    if spoken != " ".join(spoken.split()):
        yield f"{where}: stray whitespace"
    problem = plain_text_problem(spoken)
    if problem is not None:
        yield f"{where}: not plain text ({problem.kind} {problem.char!r})"
    if len(prompt.follow_ups) > MAX_FOLLOW_UPS:
        yield f"{where}: more than {MAX_FOLLOW_UPS} follow-ups"
    if len(set(prompt.follow_ups)) != len(prompt.follow_ups):
        yield f"{where}: repeated follow-up"
    if prompt.revisit_after_days is not None and prompt.audience == "mutual":
        # Revisits quote one person's words back to them alone, so never in a joint session.
        yield f"{where}: a couple-together prompt cannot be revisited"


def _problems_of_follow_ups(prompt: Prompt, prompts: Mapping[str, Prompt]) -> Iterable[str]:
    where = f"prompt {prompt.id!r}"
    for target_id in prompt.follow_ups:
        target = prompts.get(target_id)
        if target is None:
            yield f"{where}: follow-up {target_id!r} does not exist"
            continue
        if target_id == prompt.id:
            yield f"{where}: follows up on itself"
        if target.depth != "deeper":
            yield f"{where}: follow-up {target_id!r} should be a deeper prompt"
        # A follow-up is asked right after its parent, so it must fit every context the
        # parent fits; otherwise a shared session could be offered a private question.
        for context, audiences in AUDIENCES_FOR_CONTEXT.items():
            if prompt.audience in audiences and target.audience not in audiences:
                yield (
                    f"{where}: follow-up {target_id!r} ({target.audience}) cannot be asked "
                    f"in a {context} session"
                )


def _parse_all(model: type[BaseModel], rows: Any, what: str, problems: list[str]) -> list[Any]:
    if not isinstance(rows, list):
        problems.append(f"{what}: expected a list of tables")
        return []
    parsed = []
    for index, row in enumerate(rows):
        try:
            parsed.append(model.model_validate(row))
        except ValidationError as exc:
            ident = row.get("id", f"#{index + 1}") if isinstance(row, dict) else f"#{index + 1}"
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"])
                problems.append(f"{what} {ident!r}: {field}: {err['msg']}")
    return parsed


def _unique(items: list[Any], what: str, problems: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in items:
        if item.id in found:
            problems.append(f"{what} {item.id!r} appears twice")
        found[item.id] = item
    return found


def build_library(prompts_doc: Mapping[str, Any], programs_doc: Mapping[str, Any]) -> Library:
    """Validate parsed TOML documents into a :class:`Library`; raises :class:`LibraryError`
    listing every problem, so one run shows everything to fix."""
    problems: list[str] = []
    raw_themes = prompts_doc.get("themes", {})
    theme_rows = (
        [{"id": key, **value} for key, value in raw_themes.items() if isinstance(value, dict)]
        if isinstance(raw_themes, dict)
        else []
    )
    themes: dict[str, Theme] = _unique(_parse_all(Theme, theme_rows, "theme", problems),
                                       "theme", problems)
    prompts: dict[str, Prompt] = _unique(
        _parse_all(Prompt, prompts_doc.get("prompts", []), "prompt", problems), "prompt", problems
    )
    programs: dict[str, Program] = _unique(
        _parse_all(Program, programs_doc.get("programs", []), "program", problems),
        "program",
        problems,
    )
    for prompt in prompts.values():
        problems.extend(_problems_of_prompt(prompt, themes))
        problems.extend(_problems_of_follow_ups(prompt, prompts))
        if prompt.source != "library":
            problems.append(f"prompt {prompt.id!r}: library prompts have source 'library'")
    for program in programs.values():
        for day, prompt_id in enumerate(program.days, start=1):
            if prompt_id not in prompts:
                problems.append(f"program {program.id!r} day {day}: no prompt {prompt_id!r}")
        if len(set(program.days)) != len(program.days):
            problems.append(f"program {program.id!r}: a prompt appears on two days")
    covered = {p.theme for p in prompts.values()}
    for theme_id in themes:
        if theme_id not in covered:
            problems.append(f"theme {theme_id!r} has no prompts")
    for context in get_args(Context):
        if not any(allowed_in(p.audience, context) for p in prompts.values()):
            problems.append(f"no prompt can be asked in a {context} session")
    if problems:
        raise LibraryError("The prompt library has problems:\n  " + "\n  ".join(problems))
    return Library(
        prompts=MappingProxyType(prompts),
        programs=MappingProxyType(programs),
        themes=MappingProxyType(themes),
    )


def _data_dir() -> Traversable:
    return resources.files("confide.prompts") / "data"


def _read_toml(folder: Traversable | Path, name: str) -> dict[str, Any]:
    entry = folder / name
    try:
        return tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LibraryError(f"{name}: not valid TOML: {exc}") from exc


def load_library_from(folder: Traversable | Path) -> Library:
    """Read and validate ``prompts.toml`` and ``programs.toml`` from ``folder`` (uncached)."""
    library = build_library(_read_toml(folder, "prompts.toml"), _read_toml(folder, "programs.toml"))
    logger.debug(
        "prompt library loaded: %d prompts, %d programs", len(library.prompts),
        len(library.programs),
    )
    return library


@functools.cache
def load_library() -> Library:
    """The bundled library, read and validated on first use and shared afterwards."""
    return load_library_from(_data_dir())


def _messages_from(doc: Mapping[str, Any]) -> Messages:
    numbers = doc.get("numbers", {})
    try:
        return Messages(
            small_numbers=tuple(numbers.get("small", ())),
            tens=tuple(numbers.get("tens", ())),
            joiner=numbers.get("joiner", "-"),
            text=MappingProxyType(dict(doc.get("text", {}))),
        )
    except ValidationError as exc:
        raise LibraryError(f"messages.toml: {exc}") from exc


@functools.cache
def load_messages() -> Messages:
    """The bundled sentences (``data/messages.toml``), read on first use and shared."""
    return _messages_from(_read_toml(_data_dir(), "messages.toml"))
