"""Which prompt to ask tonight, as a pure function of the facts.

The rules, strongest first:

1. Context: a prompt is only asked where its audience allows (a private prompt never in a
   shared session). Never relaxed.
2. Program: an active program's prompt for the day comes first, in order, one day of the
   program per calendar day.
3. Theme: outside a program, never the same theme three times in a row (relaxed only if the
   pool has no other theme at all).
4. Revisit: in a private session, a prompt whose ``revisit_after_days`` have passed since the
   person answered it is asked again, quoting the first sentence of their own answer; at most
   one revisit a week.
5. No repeats: nothing answered within the repeat window; when everything has been asked
   lately, the least recently answered prompt.
6. New users (fewer than a week of answers) get gentle prompts before deeper ones.
7. A theme preference narrows the choice when it can; never-asked prompts come first.

Ties are broken by a random generator seeded from the date (or ``rng_seed``), so the same
facts give the same prompt and nothing depends on global random state.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, NamedTuple

from confide.models.errors import NotFound
from confide.prompts.library import (
    Context,
    Messages,
    Prompt,
    allowed_in,
    load_library,
    load_messages,
)
from confide.prompts.programs import ProgramState, program_intro

__all__ = [
    "LEAST_RECENT_SPREAD",
    "MAX_QUOTE_WORDS",
    "NEW_USER_ANSWERS",
    "REPEAT_WINDOW_DAYS",
    "REVISIT_SPACING_DAYS",
    "Choice",
    "HistoryItem",
    "NoPromptAvailableError",
    "Reason",
    "first_sentence",
    "follow_up",
    "next_prompt",
    "revisit_text",
]

logger = logging.getLogger(__name__)

REPEAT_WINDOW_DAYS = 21
"""A prompt answered within this many days is not asked again (revisits aside)."""
NEW_USER_ANSWERS = 7
"""Below this many answers a person is new and hears gentle prompts first."""
REVISIT_SPACING_DAYS = 7
"""At most one revisit in this many days, so looking back never crowds out the present."""
LEAST_RECENT_SPREAD = 5
"""Once every prompt has been asked, choose among this many least recently answered."""
MAX_QUOTE_WORDS = 30

Reason = Literal["program", "revisit", "theme_preference", "fresh", "least_recent"]

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’']?\s+")


class HistoryItem(NamedTuple):
    """One of the person's own answers: which prompt, when, and the answer's first sentence
    (None when there is nothing to quote)."""

    prompt_id: str
    answered_at: datetime
    first_sentence: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen prompt and what to say.

    ``spoken`` is for the person at the voice station only: for a revisit it quotes their own
    earlier words. Store ``prompt.id`` with the entry, never ``spoken``, so the quote does not
    travel to a shared journal.
    """

    prompt: Prompt
    spoken: str
    reason: Reason
    detail: str
    program_day: int | None = None
    revisit_of: HistoryItem | None = None


class NoPromptAvailableError(NotFound):
    """No prompt at all fits this context (only possible with a tiny or filtered pool)."""


def first_sentence(text: str | None, max_words: int = MAX_QUOTE_WORDS) -> str | None:
    """The first sentence of an answer, shortened to ``max_words``; None when empty."""
    if text is None:
        return None
    flat = " ".join(text.split())
    if not flat:
        return None
    sentence = _SENTENCE_END.split(flat, maxsplit=1)[0].strip(" \"'“”‘’")
    words = sentence.split()
    if not words:
        return None
    if len(words) > max_words:
        return " ".join(words[:max_words]).rstrip(",;:") + "…"
    return " ".join(words)


def _utc(moment: datetime) -> datetime:
    """Naive times are taken as UTC so naive and aware facts can be compared."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _local_date(moment: datetime, now: datetime) -> date:
    """The calendar date of ``moment`` where ``now`` is (the person's today)."""
    if now.tzinfo is None:
        return _utc(moment).replace(tzinfo=None).date()
    return _utc(moment).astimezone(now.tzinfo).date()


def _ago(days: int, messages: Messages) -> str:
    if days <= 1:
        return messages.say("ago_yesterday")
    if days < 60:
        return messages.say("ago_days", n=messages.number(days))
    if days < 365:
        return messages.say("ago_months", n=messages.number(round(days / 30)))
    years = days // 365
    if years == 1:
        return messages.say("ago_year")
    return messages.say("ago_years", n=messages.number(years))


def revisit_text(
    prompt: Prompt,
    earlier: HistoryItem,
    now: datetime,
    *,
    crisis_line: str | None = None,
    messages: Messages | None = None,
) -> str:
    """"Thirty days ago you said: “…” How does it feel now?" — the author's words, for them."""
    said = messages or load_messages()
    days = (_utc(now) - _utc(earlier.answered_at)).days
    quote = first_sentence(earlier.first_sentence) or ""
    text = said.say(
        "revisit", ago=_ago(days, said), quote=quote, prompt=prompt.speak(crisis_line)
    )
    return text[:1].upper() + text[1:]


def _as_pool(library_prompts: Iterable[Prompt] | Mapping[str, Prompt],
             custom: Iterable[Prompt]) -> dict[str, Prompt]:
    items = library_prompts.values() if isinstance(library_prompts, Mapping) else library_prompts
    pool: dict[str, Prompt] = {}
    for prompt in [*items, *custom]:
        if prompt.id in pool and pool[prompt.id] != prompt:
            raise ValueError(f"two different prompts share the id {prompt.id!r}")
        pool[prompt.id] = prompt
    return pool


def _blocked_theme(ordered: Sequence[HistoryItem], pool: Mapping[str, Prompt]) -> str | None:
    """The theme of the last two answers when they share one: a third would be too many."""
    if len(ordered) < 2:
        return None
    last, before = pool.get(ordered[-1].prompt_id), pool.get(ordered[-2].prompt_id)
    if last is not None and before is not None and last.theme == before.theme:
        return last.theme
    return None


def _recent_revisit(ordered: Sequence[HistoryItem], now: datetime) -> bool:
    """Whether a repeated answer (a revisit) happened within the revisit spacing."""
    seen: set[str] = set()
    cutoff = _utc(now) - timedelta(days=REVISIT_SPACING_DAYS)
    for item in ordered:
        if item.prompt_id in seen and _utc(item.answered_at) > cutoff:
            return True
        seen.add(item.prompt_id)
    return False


def _program_choice(
    program: ProgramState,
    pool: Mapping[str, Prompt],
    ordered: Sequence[HistoryItem],
    context: Context,
    now: datetime,
    exclude: Collection[str],
    crisis_line: str | None,
    messages: Messages,
) -> Choice | None:
    prompt = pool.get(program.prompt_id)
    if prompt is None:
        logger.warning("program %s names unknown prompt %s", program.program.id,
                       program.prompt_id)
        return None
    today = _local_date(now, now)
    step_ids = {program.prompt_id, program.previous_prompt_id}
    if any(i.prompt_id in step_ids and _local_date(i.answered_at, now) == today for i in ordered):
        logger.debug("program %s: today's step is done", program.program.id)
        return None
    if not allowed_in(prompt.audience, context) or prompt.id in exclude:
        logger.debug("program %s day %d does not fit a %s session", program.program.id,
                     program.day, context)
        return None
    return Choice(
        prompt=prompt,
        spoken=f"{program_intro(program, messages)} {prompt.speak(crisis_line)}",
        reason="program",
        detail=f"day {program.day} of {len(program.program.days)} of {program.program.id}",
        program_day=program.day,
    )


def next_prompt(
    library_prompts: Iterable[Prompt] | Mapping[str, Prompt],
    history: Sequence[HistoryItem],
    *,
    context: Context,
    program: ProgramState | None,
    theme_preference: str | None,
    now: datetime,
    custom: Sequence[Prompt] = (),
    rng_seed: int | None = None,
    exclude: Collection[str] = (),
    crisis_line: str | None = None,
    window_days: int = REPEAT_WINDOW_DAYS,
    messages: Messages | None = None,
) -> Choice:
    """The prompt to ask now (see the module docstring for the rules).

    ``history`` is the person's own answers (any order); ``exclude`` holds prompts skipped in
    this session; ``crisis_line`` fills the placeholder of the help prompt.
    Raises :class:`NoPromptAvailableError` when nothing at all fits ``context``.
    """
    said = messages or load_messages()
    pool = _as_pool(library_prompts, custom)
    ordered = sorted(history, key=lambda i: (_utc(i.answered_at), i.prompt_id))

    if program is not None:
        chosen = _program_choice(program, pool, ordered, context, now, exclude, crisis_line, said)
        if chosen is not None:
            return chosen

    allowed = [p for p in sorted(pool.values(), key=lambda p: p.id)
               if allowed_in(p.audience, context) and p.id not in exclude]
    if not allowed:
        raise NoPromptAvailableError(f"no prompt fits a {context} session")
    if program is not None:
        # Keep the program's coming days fresh for when they come.
        upcoming = set(program.program.days[program.day - 1:])
        allowed = [p for p in allowed if p.id not in upcoming] or allowed

    blocked = _blocked_theme(ordered, pool)
    candidates = [p for p in allowed if p.theme != blocked] or allowed

    last_answer: dict[str, HistoryItem] = {}
    for item in ordered:
        last_answer[item.prompt_id] = item
    now_utc = _utc(now)

    if context == "private" and not _recent_revisit(ordered, now):
        due: list[tuple[int, str, Prompt, HistoryItem]] = []
        for prompt in candidates:
            last = last_answer.get(prompt.id)
            if prompt.revisit_after_days is None or last is None or not first_sentence(
                last.first_sentence
            ):
                continue
            age = (now_utc - _utc(last.answered_at)).days
            if age >= prompt.revisit_after_days:
                due.append((age - prompt.revisit_after_days, prompt.id, prompt, last))
        if due:
            _, _, prompt, last = max(due, key=lambda d: (d[0], d[1]))
            return Choice(
                prompt=prompt,
                spoken=revisit_text(prompt, last, now, crisis_line=crisis_line, messages=said),
                reason="revisit",
                detail=f"answered {(now_utc - _utc(last.answered_at)).days} days ago",
                revisit_of=last,
            )

    cutoff = now_utc - timedelta(days=window_days)
    fresh = [p for p in candidates
             if p.id not in last_answer or _utc(last_answer[p.id].answered_at) <= cutoff]
    if not fresh:
        def last_time(p: Prompt) -> datetime:
            return _utc(last_answer[p.id].answered_at)

        prompt = min(candidates, key=lambda p: (last_time(p), p.id))
        return Choice(prompt=prompt, spoken=prompt.speak(crisis_line), reason="least_recent",
                      detail=f"every fitting prompt was answered in the last {window_days} days")

    stage = fresh
    reason: Reason = "fresh"
    if len(ordered) < NEW_USER_ANSWERS:
        stage = [p for p in stage if p.depth == "gentle"] or stage
    if theme_preference is not None:
        preferred = [p for p in stage if p.theme == theme_preference]
        if preferred:
            stage, reason = preferred, "theme_preference"
    never = [p for p in stage if p.id not in last_answer]
    if never:
        stage = never
    else:
        stage = sorted(stage, key=lambda p: (_utc(last_answer[p.id].answered_at), p.id))
        stage = sorted(stage[:LEAST_RECENT_SPREAD], key=lambda p: p.id)
    seed = rng_seed if rng_seed is not None else _local_date(now, now).toordinal()
    prompt = random.Random(seed).choice(stage)
    detail = "never asked" if never else f"not asked in the last {window_days} days"
    return Choice(prompt=prompt, spoken=prompt.speak(crisis_line), reason=reason, detail=detail)


def follow_up(
    prompt: Prompt, index: int = 0, *, prompts: Mapping[str, Prompt] | None = None
) -> Prompt | None:
    """The ``index``-th deeper question offered after ``prompt``, or None when there is none."""
    if not 0 <= index < len(prompt.follow_ups):
        return None
    library = prompts if prompts is not None else load_library().prompts
    return library.get(prompt.follow_ups[index])
