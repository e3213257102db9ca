"""Noticing when someone says they are unsafe, and what to say then. Pure and local.

Confide never diagnoses. It listens for a short list of first-person statements of danger,
self-harm or crisis, and when it hears one it stops to offer help (the crisis line from the
settings, and professional support). The choice of phrases is deliberate:

* Present-tense, first-person statements count: "I don't feel safe", "I'm in danger",
  "I want to hurt myself", "he hit me", "I'm in crisis".
* A word on its own does not: "the crisis at work is over", "the film was about danger",
  "I feel safe with you", "I never feel unsafe with you" are ordinary journal sentences, and
  interrupting them would teach people to avoid the journal.
* Where wording is ambiguous but could be serious ("I could kill myself for forgetting",
  "I don't want to be here anymore", any mention of suicide or self-harm) we offer help
  anyway: the offer is gentle and costs one sentence; a missed cry for help costs far more.
* Past tense about long ago ("I didn't feel safe as a child") is reflection, not a crisis;
  recent violence ("he hit me") is matched whatever the tense. "In danger of losing my job"
  and "call the police" in the middle of a story are not matched; "call the police" as the
  whole request is.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from confide.prompts.library import Messages, load_messages

__all__ = ["CRISIS_PATTERNS", "crisis_message", "help_message", "is_crisis", "normalise"]

logger = logging.getLogger(__name__)

_CONTRACTIONS = (
    (r"\bi'?m\b", "i am"),
    (r"\bdon'?t\b", "do not"),
    (r"\bdoesn'?t\b", "does not"),
    (r"\bcan'?t\b", "cannot"),
    (r"\bwon'?t\b", "will not"),
    (r"\bain'?t\b", "am not"),
    (r"\bisn'?t\b", "is not"),
    (r"\baren'?t\b", "are not"),
    (r"\bi'?ve\b", "i have"),
    (r"\bi'll\b", "i will"),
    (r"\bi'd\b", "i would"),
    (r"\b(he|she|they)'s\b", r"\1 is"),
    (r"\b(he|she|they)'ll\b", r"\1 will"),
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
)

_ME = r"i(?: \w+)?"  # "i", or "i" and one word: "i still", "i just"
_PARTNER = r"(?:he|she|they|my (?:partner|husband|wife|boyfriend|girlfriend|ex|spouse))"
_SELF_HARM = r"(?:hurt|hurting|harm|harming|kill|killing|cut|cutting|injure|injuring) myself"

CRISIS_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # Not feeling safe, now.
        rf"\b{_ME} (?:do not|no longer|never|cannot) feel (?:safe|secure)\b",
        r"\bnot feeling (?:safe|secure)\b",
        rf"\b{_ME} (?:feel|am feeling|am) (?:so |very |really )?unsafe\b",
        r"\bi am not safe\b",
        r"\b(?:it is|it feels|home is|home feels) (?:not safe|unsafe)\b",
        r"\bnot safe (?:at home|here|with (?:him|her|them|my partner))\b",
        # Danger.
        r"\b(?:i am|we are|i feel|my life is|my kids are|my children are) in danger\b(?! of)",
        r"\b(?:afraid|scared|fear) for my (?:life|safety)\b",
        rf"\b(?:afraid|scared) (?:that )?{_PARTNER} (?:will|is going to|might) (?:hurt|kill) me\b",
        rf"\b{_PARTNER} (?:hit|hits|beat|beats|choked|chokes|strangled|strangles|"
        r"kicked|kicks|slapped|slaps|pushed|shoved) me\b",
        rf"\b{_PARTNER} (?:threatened|threatens|is threatening) to (?:hurt|kill) me\b",
        # Self-harm and suicide.
        rf"\b(?:want|wanted|going|thinking about|think about|thought about|feel like|"
        rf"urge) (?:to )?{_SELF_HARM}\b",
        r"\bkill myself\b",
        r"\b(?:end|ending|take|taking) my (?:own )?life\b",
        r"\bend it all\b",
        r"\bsuicid(?:e|al)\b",
        r"\bself[ -]?harm(?:ing)?\b",
        r"\b(?:i )?want to die\b",
        r"\bwish i (?:was|were) dead\b",
        r"\bbetter off (?:dead|without me)\b",
        r"\bno reason to (?:live|go on)\b",
        r"\b(?:do not|no longer) want to (?:live|be alive|be here any ?more|wake up)\b",
        # Naming a crisis or emergency as one's own.
        r"\b(?:i am|we are) (?:in|having) (?:a )?crisis\b",
        r"\bthis is an emergency\b",
        r"\bi (?:need|want) (?:help|someone) (?:right )?now\b",
        r"^(?:please )?call (?:the police|an ambulance|911|999|112)\b",
    )
)

# Sentences that contain a crisis phrase but say the opposite; removed before matching.
_NEGATED = tuple(
    re.compile(p)
    for p in (
        r"\b(?:do not|never|no longer|did not|not) (?:feel|felt|feeling) unsafe\b",
        r"\bnot in danger\b",
        r"\b(?:do not|never) want to die\b",
        r"\b(?:was|were) not in (?:a )?crisis\b",
        r"\bno longer in (?:a )?crisis\b",
    )
)


def normalise(utterance: str) -> str:
    """Lower case, plain apostrophes, contractions spelled out, punctuation as spaces."""
    text = unicodedata.normalize("NFKC", utterance).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"[^\w\s'-]", " ", text)
    text = text.replace("'", "")
    return " ".join(text.split())


def is_crisis(utterance: str) -> bool:
    """Whether ``utterance`` says the speaker is unsafe, in danger, or thinking of self-harm."""
    text = normalise(utterance)
    for pattern in _NEGATED:
        text = pattern.sub(" ", text)
    hit = next((p.pattern for p in CRISIS_PATTERNS if p.search(text)), None)
    if hit is not None:
        # The words themselves are private: log only that a safety phrase matched.
        logger.info("safety phrase heard; offering help")
        return True
    return False


def crisis_message(crisis_line: str | None = None, messages: Messages | None = None) -> str:
    """What the loop says when :func:`is_crisis` is true: the crisis line first, then the offer
    to stop. ``crisis_line`` comes from the settings (per locale)."""
    said = messages or load_messages()
    line = crisis_line or said.say("crisis_line_default")
    return f"{said.say('safety_crisis', crisis_line=line)} {said.say('safety_offer_stop')}"


def help_message(crisis_line: str | None = None, messages: Messages | None = None) -> str:
    """The general note on professional help: a couples therapist, and the crisis line."""
    said = messages or load_messages()
    line = crisis_line or said.say("crisis_line_default")
    return said.say("safety_professional_help", crisis_line=line)
