"""Filing a recorded reply into the journal: audio first (durable), then its transcript.

The pending recording (voice.pending) was sealed for the person as it was spoken; it is
filed with that same data key, so filing never needs the passphrase. The pending files go
only once the entry (or the answer to the partner) and its audio are stored.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlmodel import Session

from confide.models import accounts, entries, mutual, prompt_state, responses
from confide.models.storage import AudioStore
from confide.voice.listener import ReplyTurn
from confide.voice.pending import PendingRecording
from confide.voice.transcriber import Segment, Transcript

__all__ = ["file_reply", "without_closing"]


def file_reply(db: Callable[[], AbstractContextManager[Session]], store: AudioStore,
               person_id: int, pending: PendingRecording, turn: ReplyTurn, text: str, *,
               answer_to: int | None = None) -> tuple[int, Transcript]:
    """File the reply as an entry (or an answer to entry ``answer_to``); its id and the
    transcript filed (``text``, the closing phrase gone)."""
    transcript = without_closing(turn.transcript, text)
    samples = turn.samples if turn.samples.size else pending.samples()
    note = pending.note
    data_key = pending.data_key
    assert data_key is not None
    with db() as s:
        person = accounts.get_person(s, person_id)
        if answer_to is not None:
            resp = responses.add_response(s, person, answer_to, audio=(samples, note.rate),
                                          store=store, data_key=data_key)
            assert resp.id is not None
            saved_id = resp.id
        elif note.kind == "mutual" and note.prompt_id:
            entry = mutual.answer_mutual(s, person, note.prompt_id, audio=(samples, note.rate),
                                         store=store, prompt_text=note.prompt_text,
                                         audio_name=note.id, data_key=data_key)
            assert entry.id is not None
            saved_id = entry.id
        else:
            entry = entries.create_entry_from_audio(
                s, store, person, samples, note.rate, journal=note.journal,
                prompt_id=note.prompt_id, prompt_text=note.prompt_text, kind=note.kind,
                audio_name=note.id, data_key=data_key)
            assert entry.id is not None
            saved_id = entry.id
    pending.discard()
    with db() as s:
        if answer_to is not None:
            responses.attach_response_transcript(s, saved_id, transcript, data_key)
        else:
            entries.attach_transcript(s, saved_id, transcript, data_key)
            if note.prompt_id:
                prompt_state.note_answered(s, accounts.get_person(s, person_id), note.prompt_id)
    return saved_id, transcript


def without_closing(transcript: Transcript, text: str) -> Transcript:
    """The transcript with its closing phrase gone from the text and the last segments."""
    if text == transcript.text:
        return transcript
    kept: list[Segment] = []
    remaining = len(text.split())
    for seg in transcript.segments:
        words = seg.text.split()
        if remaining <= 0:
            break
        if len(words) > remaining:
            kept.append(Segment(seg.start, seg.end, " ".join(words[:remaining]), seg.confidence))
            remaining = 0
        else:
            kept.append(seg)
            remaining -= len(words)
    return Transcript(text=text, language=transcript.language, duration=transcript.duration,
                      segments=tuple(kept))
