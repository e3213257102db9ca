"""Voice commands are recognised from whole short utterances, forgivingly, and never from
words inside a reply."""

from __future__ import annotations

import pytest

from confide.voice.commands import Command, recognise, strip_closing

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("utterance", "command"),
    [
        ("Repeat that, please.", Command.REPEAT),
        ("Say it again", Command.REPEAT),
        ("Skip", Command.SKIP),
        ("Next one please", Command.SKIP),
        ("Can you give me a different question?", Command.SKIP),
        ("Pause.", Command.PAUSE),
        ("I'm back.", Command.RESUME),
        ("Resume", Command.RESUME),
        ("Stop.", Command.STOP),
        ("I'm done.", Command.STOP),
        ("That's all for tonight", Command.STOP),
        ("I'm done for tonight.", Command.STOP),  # what the home invites ("or I'm done")
        ("Done for today", Command.STOP),
        ("Read it back to me", Command.READ_BACK),
        ("What did I just say?", Command.READ_BACK),
        ("Delete that.", Command.DELETE),
        ("Please erase it", Command.DELETE),
        ("Share it with Sam", Command.SHARE),
        ("share", Command.SHARE),
        ("Keep it private.", Command.KEEP_PRIVATE),
        ("Don't share it", Command.KEEP_PRIVATE),
        ("Could you speak slower?", Command.SLOWER),
        ("slow down", Command.SLOWER),
        ("Faster please", Command.FASTER),
        ("Louder", Command.LOUDER),
        ("I can't hear you", Command.LOUDER),
        ("A bit quieter", Command.QUIETER),
        ("Give me more time.", Command.MORE_TIME),
        ("Hold on a second", Command.MORE_TIME),
        ("Help", Command.HELP),
        ("What can I say?", Command.HELP),
        ("Yes please.", Command.YES),
        ("Yeah, sure", Command.YES),
        ("No thanks.", Command.NO),
        ("Not now", Command.NO),
        ("Maybe later", Command.LATER),
    ],
)
def test_commands_are_recognised_however_they_are_phrased(utterance, command):
    assert recognise(utterance).command is command


@pytest.mark.parametrize(
    ("utterance", "number"),
    [("Four.", 4), ("I'd say a three", 3), ("5", 5), ("one", 1), ("Two out of five", 2)],
)
def test_ratings_one_to_five(utterance, number):
    heard = recognise(utterance)
    assert heard.command is Command.NUMBER and heard.number == number


@pytest.mark.parametrize(
    "utterance",
    [
        "I don't want to stop trusting you",
        "Tonight I wanted to share how the week went at work and at home",
        "I kept my promise to call you every evening",
        "",
        "   ",
    ],
)
def test_words_inside_a_reply_are_not_commands(utterance):
    assert recognise(utterance).command is None


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        ("We talked at dinner and it went well. And that's it. I'm done.",
         "We talked at dinner and it went well."),
        ("I felt heard tonight, I'm done", "I felt heard tonight."),
        ("It was a good day. That is all for now.", "It was a good day."),
    ],
)
def test_a_closing_phrase_ends_the_reply_and_is_not_saved(reply, kept):
    assert strip_closing(reply) == (kept, True)


def test_done_inside_a_sentence_is_kept():
    text = "I am done with hiding things from you, that is what I want to say."
    assert strip_closing(text) == (text, False)
