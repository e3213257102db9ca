"""Voice commands recognised from the transcript of a short utterance (pure functions).

Forgiving of phrasing: politeness, fillers and word order around a command are ignored,
but a command must be most of what was said, so "I don't want to stop trusting you" in a
reply is never taken for "stop".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Command", "Heard", "normalise", "recognise", "strip_closing"]


class Command(StrEnum):
    REPEAT = "repeat"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    READ_BACK = "read_back"
    DELETE = "delete"
    SHARE = "share"
    KEEP_PRIVATE = "keep_private"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    QUIETER = "quieter"
    MORE_TIME = "more_time"
    HELP = "help"
    YES = "yes"
    NO = "no"
    LATER = "later"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Heard:
    command: Command | None
    number: int | None = None


_CONTRACTIONS = {
    "i'm": "i am", "im": "i am", "that's": "that is", "thats": "that is", "it's": "it is",
    "don't": "do not", "dont": "do not", "let's": "let us", "what's": "what is",
    "i'd": "i would", "we're": "we are", "can't": "cannot", "won't": "will not",
    "i've": "i have", "you're": "you are",
}
_FILLER = (r"(?:please|ok(?:ay)?|um+|uh+|er+|hmm+|so|well|now|just|confide|hey|oh|yeah so|"
           r"could you|can you|would you|will you|i want to|i would like to|i'?d like to|"
           r"let us|go ahead and|maybe|actually|thanks|thank you|a (?:bit|little)(?: bit)?|"
           r"the|a|it)")
_NUMBERS = {"one": 1, "won": 1, "two": 2, "to": 2, "too": 2, "three": 3, "four": 4, "for": 4,
            "five": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}

# Each command: regexes that must match the whole cleaned utterance.
_TABLE: list[tuple[Command, tuple[str, ...]]] = [
    (Command.MORE_TIME, (r"(?:give me |i need |need )?(?:some |a bit |a little )?more time",
                         r"(?:wait|hold on|hang on)(?: a (?:moment|minute|second|sec))?",
                         r"i am (?:still )?thinking", r"let me think")),
    (Command.READ_BACK, (r"read (?:it|that|this|me)?\s*back(?: to me)?",
                         r"read (?:it|that|what i said)(?: again| out)?",
                         r"(?:play|say) (?:it|that) back", r"what did i (?:just )?say")),
    (Command.DELETE, (r"delete (?:that|it|this)(?: one| entry| reply)?",
                      r"(?:erase|remove|throw away|discard|scrap)(?: (?:that|it|this)(?: one)?)?",
                      r"delete")),
    (Command.KEEP_PRIVATE, (r"keep (?:it|that|this) (?:private|to myself|just for me|secret)",
                            r"(?:make it |keep it )?private", r"do not share(?: it| that)?",
                            r"(?:just )?for me", r"unshare(?: it| that)?")),
    (Command.SHARE, (r"share (?:it|that|this)(?: with \w+)?", r"share",
                     r"(?:send|show) (?:it|that|this) to \w+", r"make it shared")),
    (Command.SLOWER, (r"(?:speak |talk |go )?slower", r"slow down", r"(?:speak|talk) more slowly",
                      r"too fast")),
    (Command.FASTER, (r"(?:speak |talk |go )?faster", r"speed up", r"(?:speak|talk) more quickly",
                      r"too slow")),
    (Command.LOUDER, (r"(?:speak |talk )?louder", r"(?:volume|turn it) up", r"i cannot hear you",
                      r"speak up")),
    (Command.QUIETER, (r"(?:speak |talk )?(?:quieter|softer|more quietly)",
                       r"(?:volume|turn it) down", r"too loud")),
    (Command.REPEAT, (r"repeat(?: that| it| the question| the prompt)?(?: again)?",
                      r"say (?:that|it) again", r"(?:come again|pardon|sorry|what)",
                      r"(?:one more time|again)", r"i did not (?:hear|catch) (?:that|it)")),
    (Command.SKIP, (r"skip(?: it| that| this(?: one)?| the question)?", r"next(?: one| question)?",
                    r"(?:give me |ask me )?(?:a )?(?:another|different|new) (?:one|question|prompt)",
                    r"pass", r"move on")),
    (Command.PAUSE, (r"pause(?: for a (?:moment|minute|bit))?", r"give me a (?:moment|minute|break)",
                     r"(?:take a )?break")),
    (Command.RESUME, (r"resume", r"(?:i am )?(?:back|ready)(?: now)?", r"continue",
                      r"(?:carry|go) on", r"keep going", r"unpause")),
    (Command.STOP, (r"stop(?: now| please| here)?",
                    r"(?:(?:i am|we are) )?(?:done|finished)(?: now| for (?:now|today|tonight|the night))?",
                    r"(?:that is|that was) (?:it|all)(?: for (?:now|today|tonight))?",
                    r"(?:end|finish|close)(?: the)?(?: session| journal(?:ing)?)?",
                    r"goodbye", r"good ?night", r"bye", r"quit", r"exit")),
    (Command.HELP, (r"help(?: me)?", r"what can i say", r"(?:list )?(?:the )?commands",
                    r"what are (?:my|the) options", r"options")),
    (Command.LATER, (r"(?:later|not now|maybe later|remind me later|snooze)(?: please)?",)),
    (Command.YES, (r"yes(?: please)?", r"(?:yes|yeah|yep) (?:sure|please|okay|ok|definitely)",
                   r"yeah", r"yep", r"yup", r"sure", r"of course", r"okay",
                   r"ok", r"alright", r"all right", r"please do", r"go ahead", r"i would",
                   r"definitely", r"absolutely", r"why not", r"correct", r"right", r"do it")),
    (Command.NO, (r"no(?: thanks| thank you)?", r"not", r"nope", r"nah", r"not (?:really|now|today)",
                  r"i would rather not", r"no no", r"do not", r"never mind", r"cancel")),
]
_COMPILED = [(cmd, [re.compile(p) for p in pats]) for cmd, pats in _TABLE]
_FILLER_RE = re.compile(rf"^(?:{_FILLER}\s+)*|(?:\s+{_FILLER})*$")


def normalise(text: str) -> str:
    """Lowercase words without punctuation, contractions spelled out."""
    words = re.sub(r"[^\w\s']", " ", text.lower()).split()
    return " ".join(_CONTRACTIONS.get(w, w.strip("'")) for w in words if w.strip("'"))


def _clean(text: str) -> str:
    cleaned = normalise(text)
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = _FILLER_RE.sub("", cleaned).strip()
    return cleaned


def _number(cleaned: str) -> int | None:
    words = cleaned.split()
    candidates = [_NUMBERS[w] for w in words if w in _NUMBERS]
    strong = [w for w in words if w in _NUMBERS and w not in ("to", "too", "for", "won")]
    if len(words) <= 5 and strong:
        return _NUMBERS[strong[0]]
    if len(words) == 1 and candidates:
        return candidates[0]
    return None


def recognise(utterance: str) -> Heard:
    """The command a short utterance asks for, a 1–5 rating, or nothing."""
    cleaned = _clean(utterance)
    if not cleaned:
        return Heard(None)
    for command, patterns in _COMPILED:
        if any(p.fullmatch(cleaned) for p in patterns):
            return Heard(command)
    number = _number(cleaned)
    if number is not None:
        return Heard(Command.NUMBER, number)
    return Heard(None)


_CLOSING = re.compile(
    r"(?:[\s,.;:!?-]*(?:and\s+)?(?:so\s+)?(?:yeah\s+)?"
    r"(?:(?:that'?s|that is|that was)\s+(?:it|all)(?:\s+for\s+(?:now|today|tonight))?"
    r"|i'?m\s+(?:done|finished)|i\s+am\s+(?:done|finished)|(?:i'?m|i am)\s+done\s+now"
    r"|the\s+end|end\s+of\s+(?:entry|reply)|stop\s+recording)"
    r"[\s,.;:!?-]*)+$",
    re.IGNORECASE,
)


def strip_closing(transcript: str) -> tuple[str, bool]:
    """Remove a closing phrase at the end of a reply ("…and that's it. I'm done.").

    Returns the reply without it and whether one was found; the phrase never reaches
    the saved transcript.
    """
    match = _CLOSING.search(transcript)
    if match is None:
        return transcript, False
    kept = transcript[: match.start()].rstrip(" ,;:-")
    if kept and kept[-1] not in ".!?":
        kept += "."
    return kept, True
