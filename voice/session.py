"""One spoken session of `confide speak`, end to end, without a screen.

The conversation is voice.dialog (a pure state machine, every path a unit test); voice.runner
carries it out against the speaker, the synthesizer, the listener and the journal. This
module keeps the name callers know.
"""

from __future__ import annotations

from confide.voice.runner import SessionReport, Voice, VoiceSession

__all__ = ["SessionReport", "Voice", "VoiceSession"]
