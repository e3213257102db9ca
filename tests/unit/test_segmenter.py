"""End of a turn from (chunk duration, is speech) alone: before speech, in speech, trailing
silence; a reflective reply's pause allowance and a short answer's quick end."""

from __future__ import annotations

import pytest

from confide.voice.segmenter import SHORT_ANSWER_PAUSE_S, Phase, Segmenter, Signal, TurnRules

pytestmark = pytest.mark.unit

CHUNK = 0.032  # one Silero window at 16 kHz


def run(rules: TurnRules, pattern: list[tuple[float, bool]]) -> tuple[Segmenter, list[Signal]]:
    """Feed ``(seconds, is_speech)`` stretches chunk by chunk until the turn ends."""
    turn = Segmenter(rules)
    signals: list[Signal] = []
    for seconds, speech in pattern:
        for _ in range(round(seconds / CHUNK)):
            signal = turn.process(CHUNK, speech)
            if signal is not Signal.GOING:
                signals.append(signal)
            if signal is Signal.ENDED:
                return turn, signals
    return turn, signals


@pytest.mark.parametrize(
    ("rules", "pattern", "ended_by", "ends_near_s"),
    [
        # A reply ends after the pause allowance of silence once speech has begun.
        (TurnRules.reply(3.0), [(2.0, True), (5.0, False)], "silence", 5.0),
        # A longer allowance (give me more time) waits through a thinking pause.
        (TurnRules.reply(6.0), [(2.0, True), (4.0, False), (1.0, True), (7.0, False)],
         "silence", 13.0),
        # A short answer ends quickly.
        (TurnRules.short(), [(0.5, True), (2.0, False)], "silence", 0.5 + SHORT_ANSWER_PAUSE_S),
        # The reply's own limit, when the person set one.
        (TurnRules.reply(3.0, 10.0), [(20.0, True)], "limit", 10.0),
        # Nothing at all said: a reply gives up only after three minutes.
        (TurnRules.reply(3.0), [(200.0, False)], "no_speech", 180.0),
        # Nothing said to a question within the timeout.
        (TurnRules.short(timeout_s=10.0), [(20.0, False)], "no_speech", 10.0),
        # Talking on and on in answer to a question stops at timeout + max.
        (TurnRules.short(timeout_s=10.0, max_s=8.0), [(30.0, True)], "limit", 18.0),
    ],
)
def test_a_turn_ends_by(rules, pattern, ended_by, ends_near_s):
    turn, signals = run(rules, pattern)
    assert signals[-1] is Signal.ENDED and turn.phase is Phase.ENDED
    assert turn.ended_by == ended_by
    assert turn.total_s == pytest.approx(ends_near_s, abs=CHUNK * 1.5)


def test_phases_go_before_speech_in_speech_trailing_silence():
    turn = Segmenter(TurnRules.reply(3.0))
    assert turn.phase is Phase.BEFORE_SPEECH
    turn.process(CHUNK, False)
    assert turn.phase is Phase.BEFORE_SPEECH and turn.trailing_silence_s == pytest.approx(CHUNK)
    for _ in range(4):
        turn.process(CHUNK, True)
    assert turn.phase is Phase.IN_SPEECH and turn.speech_seen
    turn.process(CHUNK, False)
    assert turn.phase is Phase.TRAILING_SILENCE
    for _ in range(10):
        turn.process(CHUNK, False)
    # Speech was last heard at 5 chunks in, give or take the 0.1 s that still counts as speaking.
    assert 5 * CHUNK <= turn.last_speech_s <= 5 * CHUNK + 0.1


@pytest.mark.parametrize(("chunks", "counts"), [(1, False), (2, False), (3, True), (10, True)])
def test_a_click_or_cough_is_not_speech(chunks, counts):
    """Speech needs about 0.1 s without a break (to the nearest chunk, as the VAD tracker)."""
    turn, _ = run(TurnRules.short(), [(chunks * CHUNK, True), (0.1, False)])
    assert turn.speech_seen is counts


def test_a_blip_inside_a_pause_does_not_restart_it():
    turn, _ = run(TurnRules.reply(3.0), [(1.0, True), (1.5, False), (2 * CHUNK, True),
                                         (2.0, False)])
    assert turn.ended_by == "silence"
    assert turn.total_s == pytest.approx(1.0 + 3.0, abs=CHUNK * 1.5)  # the blip is pause


def test_a_pause_just_under_the_allowance_is_not_cut_by_the_words_that_end_it():
    """The first windows of the next words are neither silence nor speech yet (speech needs
    0.1 s): counted as silence, they ended a 2.95 s pause of a 3 s allowance."""
    turn, _ = run(TurnRules.reply(3.0), [(1.0, True), (2.95, False), (1.0, True),
                                         (4.0, False)])
    assert turn.ended_by == "silence"
    assert turn.total_s == pytest.approx(1.0 + 2.95 + 1.0 + 3.0, abs=CHUNK * 1.5)


@pytest.mark.parametrize(("pattern", "nudges"), [
    ([(13.0, False), (1.0, True), (4.0, False)], 1),  # long quiet start: one nudge
    ([(30.0, False), (1.0, True), (4.0, False)], 1),  # never twice
    ([(2.0, True), (20.0, False)], 0),  # once speech began, silence ends it instead
])
def test_a_long_silence_before_words_gets_one_gentle_nudge(pattern, nudges):
    _turn, signals = run(TurnRules.reply(3.0), pattern)
    assert signals.count(Signal.NUDGE) == nudges


def test_nothing_more_is_counted_after_the_end():
    turn, _ = run(TurnRules.short(), [(0.5, True), (2.0, False)])
    total = turn.total_s
    assert turn.process(CHUNK, True) is Signal.ENDED and turn.total_s == total
