"""Talking to the pure dialog in tests: fixed facts (a prompt, news, a goal), ``converse``
that answers each waiting effect as the journal would, and what it recorded (``Talk``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from confide.voice.dialog import At, State, step
from confide.voice.dialog_events import (
    AWAITING,
    Began,
    ChoosePrompt,
    Effect,
    End,
    Event,
    File,
    FollowUp,
    GoalItem,
    Heard,
    Listen,
    NewsItem,
    PromptChosen,
    Record,
    ReplyRecorded,
    Saved,
    Say,
    SayProgress,
    SayText,
    Share,
    Shared,
    Timeout,
)
from confide.voice.phrases import P

__all__ = ["ALONE", "CLOSE", "FOLLOW", "GOAL", "NEWS", "PAIRED", "PLAIN_PROMPT", "PROMPT",
           "WITH_GOAL", "WITH_NEWS", "Line", "Talk", "converse"]

FOLLOW = FollowUp("deeper-why", "Why did it matter?", "Why did it matter?")
PROMPT = PromptChosen("self-proud-small", "What are you proud of?", "What are you proud of?",
                      FOLLOW)
PLAIN_PROMPT = replace(PROMPT, follow_up=None)
ALONE = Began(name="Alex", crisis_line="the test crisis line")
PAIRED = replace(ALONE, partner="Sam")
NEWS = (NewsItem(11, "Monday", "What made you feel close?"), NewsItem(12, "Tuesday"))
WITH_NEWS = replace(PAIRED, news=NEWS[:1])
GOAL = GoalItem(7, "No phones at dinner")
WITH_GOAL = replace(ALONE, goals=(GOAL,))

Line = str | None
"""What the person says at the next listening point or recording; None is silence."""


@dataclass
class Talk:
    state: State
    effects: list[Effect] = field(default_factory=list)
    steps: list[list[Effect]] = field(default_factory=list)

    @property
    def said(self) -> list[P | str]:
        """Keys of the voice's sentences, and the free text said (prompts, read-back)."""
        return [e.key if isinstance(e, Say) else e.text for e in self.effects
                if isinstance(e, Say | SayText)]

    def of(self, kind: type) -> list[Effect]:
        return [e for e in self.effects if isinstance(e, kind)]

    def say(self, key: P) -> Say:
        return next(e for e in self.effects if isinstance(e, Say) and e.key is key)


def converse(lines: list[Line], began: Began = ALONE, *, prompts: list[PromptChosen] | None = None,
             partner_on_share: str | None = "Sam") -> Talk:
    """Run the dialog to its end, answering each effect that waits as the journal would."""
    script = list(lines)
    chosen = list(prompts or [PROMPT])
    talk = Talk(State())
    event: Event | None = began
    next_id = 100
    while event is not None:
        talk.state, effects = step(talk.state, event)
        talk.steps.append(effects)
        talk.effects += effects
        waiting = [e for e in effects if isinstance(e, AWAITING)]
        assert len(waiting) <= 1 and (not waiting or effects[-1] is waiting[0]), effects
        assert effects, f"nothing to do at {talk.state.at} after {event}"
        last = effects[-1]
        event = None
        if isinstance(last, Listen):
            line = script.pop(0) if script else None
            event = Heard(line) if line else Timeout()
        elif isinstance(last, Record):
            line = script.pop(0) if script else None
            event = ReplyRecorded(line or "", no_speech=not line)
        elif isinstance(last, File):
            next_id += 1
            event = Saved(next_id, len(last.text.split()), last.text)
        elif isinstance(last, ChoosePrompt):
            event = chosen.pop(0) if len(chosen) > 1 else chosen[0]
        elif isinstance(last, Share):
            event = Shared(partner_on_share)
        else:
            assert isinstance(last, End), f"stuck at {talk.state.at} after {effects}"
    assert talk.state.at is At.ENDED
    assert not script, f"lines never heard: {script}"
    return talk


CLOSE = [SayProgress(), Say(P.GOODBYE, remember=False), End()]
