"""Spoken intents (voice.intents) against the held-out phrasings written before the
templates (tests/unit/data/intent_phrasings.yaml): right intent and slots for at least 95 %,
and not one command in 100 ordinary sentences of a reflection."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from confide.voice.intents import date_range, parse_days, parse_number, parse_time, understand

DATA = yaml.safe_load((Path(__file__).parent / "data" / "intent_phrasings.yaml")
                      .read_text(encoding="utf-8"))
TODAY = date(2026, 3, 11)  # a Wednesday


def _got(text: str) -> tuple[str | None, dict[str, Any]]:
    found = understand(text, today=TODAY)
    if found is None:
        return None, {}
    return found.name, {k: (v.lower() if isinstance(v, str) else v)
                        for k, v in found.slots.items()}


def _expected(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    slots = {k: (str(v).lower() if isinstance(v, str) else v)
             for k, v in (item.get("slots") or {}).items()}
    return item["intent"], slots


def test_held_out_phrasings_reach_their_intent_and_slots_95_percent() -> None:
    items = DATA["phrasings"]
    assert len(items) >= 200
    wrong = [(i["say"], _expected(i), _got(i["say"])) for i in items
             if _got(i["say"]) != _expected(i)]
    right = len(items) - len(wrong)
    report = "\n".join(f"  {say!r}: expected {exp}, got {got}" for say, exp, got in wrong)
    print(f"\nintent accuracy (text): {right}/{len(items)} = {right / len(items):.1%}\n{report}")
    assert right / len(items) >= 0.95, report


FRESH = yaml.safe_load((Path(__file__).parent / "data" / "intent_phrasings_fresh.yaml")
                       .read_text(encoding="utf-8"))["phrasings"]


def test_the_second_held_out_set_never_used_for_tuning_stays_above_85_percent() -> None:
    """Written after the templates' last tuning and kept out of it: the honest text figure
    (47 / 53 at first; docs/VOICE.md). A floor, so a template change that loses it fails."""
    wrong = [(i["say"], _expected(i), _got(i["say"])) for i in FRESH
             if _got(i["say"]) != _expected(i)]
    right = len(FRESH) - len(wrong)
    print(f"\nintent accuracy, second held-out set (text): {right}/{len(FRESH)} = "
          f"{right / len(FRESH):.1%}")
    assert right / len(FRESH) >= 0.85, wrong


def test_no_journal_sentence_is_a_command() -> None:
    sentences = DATA["journal"]
    assert len(sentences) >= 100
    commands = [(s, _got(s)) for s in sentences if _got(s)[0] is not None]
    print(f"\ncommands found in {len(sentences)} journal sentences: {len(commands)}")
    assert commands == []


@pytest.mark.parametrize(("words", "expected"), [
    ("this week", (date(2026, 3, 9), TODAY)),
    ("last week", (date(2026, 3, 2), date(2026, 3, 8))),
    ("on tuesday", (date(2026, 3, 10), date(2026, 3, 10))),
    ("wednesday", (TODAY, TODAY)),
    ("last wednesday", (date(2026, 3, 4), date(2026, 3, 4))),
    ("in october", (date(2025, 10, 1), date(2025, 10, 31))),
    ("march", (date(2026, 3, 1), date(2026, 3, 31))),
    ("yesterday", (date(2026, 3, 10), date(2026, 3, 10))),
    ("3 days ago", (date(2026, 3, 8), date(2026, 3, 8))),
    ("the weekend", None),
    ("dinner", None),
])
def test_date_words_name_a_range_of_days(words: str, expected: object) -> None:
    assert date_range(words, TODAY) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ("eight pm", "20:00"), ("8 30 pm", "20:30"), ("half past eight in the evening", "20:30"),
    ("20 00", "20:00"), ("nine in the morning", "09:00"), ("seven oh five am", "07:05"),
    ("quarter to nine pm", "20:45"), ("dinner", None), ("25", None),
    ("2000", "20:00"), ("830", "08:30"), ("830 pm", "20:30"), ("9 pm in the morning", "09:00"),
    ("2560", None),
])
def test_times_as_said(words: str, expected: str | None) -> None:
    assert parse_time(words) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ("monday and thursday", [0, 3]), ("every day", list(range(7))), ("weekends", [5, 6]),
    ("tuesday, wednesday and friday", [1, 2, 4]), ("mondays", [0]), ("dinner", None),
])
def test_days_as_said(words: str, expected: list[int] | None) -> None:
    assert parse_days(words) == expected


@pytest.mark.parametrize(("words", "expected"), [
    ("two hundred", 200), ("150", 150), ("four hundred and fifty", 450), ("eighty", 80),
    ("trust", None),
])
def test_numbers_in_words(words: str, expected: int | None) -> None:
    assert parse_number(words) == expected


def test_a_request_written_down_twice_is_the_one_request() -> None:
    twice = understand("Read my last entry. Read my last entry.", today=TODAY)
    assert twice is not None and (twice.name, dict(twice.slots)) == (
        "look_back", {"who": "me", "latest": True})
    assert understand("no no", today=TODAY) is not None  # two words: "no no" is still no


@pytest.mark.parametrize(("heard", "name", "slots"), [
    ("Check it on my goal.", "goal_checkin", {}),
    ("I finish my goal.", "goal_done", {}),
    ("We did it. The goal was done.", "goal_done", {}),
    ("Mark it the sad.", "mood_it", {"mood": "sad"}),
    ("Unsure it.", "keep_private", {}),
    ("Reach rate 250.", "rate", {"rate": 250}),
    ("Remind me daily at 2000.", "reminder_add", {"days": list(range(7)), "time": "20:00"}),
    ("Add a reminder every Saturday at 9 pm in the morning.", "reminder_add",
     {"days": [5], "time": "09:00"}),
])
def test_what_tiny_en_writes_for_a_request_is_still_the_request(
        heard: str, name: str, slots: dict[str, object]) -> None:
    """Each as Whisper wrote a spoken request down, on CI's machine or this one."""
    found = understand(heard, today=TODAY)
    assert found is not None and (found.name, dict(found.slots)) == (name, slots)


@pytest.mark.parametrize(("said", "name", "slots"), [
    ("Remind me of my last entry.", "look_back", {"who": "me", "latest": True}),
    ("Remind me my last entry.", "look_back", {"who": "me", "latest": True}),  # "read me", misheard
    ("Remind me of what Sam said yesterday.", "look_back", {"who": "partner", "when": "yesterday"}),
    ("Remind me every day at 9.", "reminder_add", {"days": list(range(7)), "time": "09:00"}),
    ("Remind me at 8 pm on weekdays.", "reminder_add", {"days": [0, 1, 2, 3, 4], "time": "20:00"}),
])
def test_remind_me_of_an_entry_reads_it_and_remind_me_at_a_time_sets_a_reminder(
        said: str, name: str, slots: dict[str, object]) -> None:
    """"Remind me" is the reminders' verb and a way of asking to hear an entry again; the
    rest of the request tells them apart."""
    found = understand(said, today=TODAY)
    assert found is not None and (found.name, dict(found.slots)) == (name, slots)
