"""Answers to a shared entry, threaded, by text or voice: the act of active listening."""

from __future__ import annotations

import numpy as np
from sqlmodel import Session, col, select

from confide.models import crypto, jobs, keys, sealing
from confide.models.entries import MAX_TEXT
from confide.models.errors import Conflict, InvalidInput, NotFound
from confide.models.keys import Keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person, Response
from confide.models.transcript import TranscriptData
from confide.models.visibility import get_visible_entry, viewer_for

__all__ = ["add_response", "attach_response_transcript", "get_response", "list_responses"]


def list_responses(session: Session, person: Person, entry_id: int) -> list[Response]:
    """The thread under an entry the person may see (NotFound otherwise), oldest first;
    their words shown when the session holds the person's keys."""
    get_visible_entry(session, viewer_for(session, person), entry_id)
    found = list(session.exec(
        select(Response).where(Response.entry_id == entry_id)
        .order_by(col(Response.created_at), col(Response.id))
    ))
    unlocked = sealing.keys_for(session, person.id)
    if unlocked is not None:
        sealing.open_responses(session, unlocked, found, person.couple_id)
    return found


def get_response(session: Session, person: Person, response_id: int) -> Response:
    response = session.get(Response, response_id)
    if response is None:
        raise NotFound(f"Response {response_id} was not found.")
    try:
        get_visible_entry(session, viewer_for(session, person), response.entry_id)
    except NotFound:
        raise NotFound(f"Response {response_id} was not found.") from None
    unlocked = sealing.keys_for(session, person.id)
    if unlocked is not None:
        sealing.open_responses(session, unlocked, [response], person.couple_id)
    return response


def add_response(
    session: Session,
    person: Person,
    entry_id: int,
    *,
    text: str = "",
    audio: tuple[np.ndarray, int] | None = None,
    store: AudioStore | None = None,
    parent_id: int | None = None,
    data_key: bytes | None = None,
) -> Response:
    """Answer an entry either partner can see; a voice answer is stored and queued first."""
    entry = get_visible_entry(session, viewer_for(session, person), entry_id)
    body = text.strip()
    if not body and audio is None:
        raise InvalidInput("A response needs text or a recording.")
    if len(body) > MAX_TEXT:
        raise InvalidInput(f"A response can be at most {MAX_TEXT} characters.")
    if parent_id is not None:
        parent = session.get(Response, parent_id)
        if parent is None or parent.entry_id != entry.id:
            raise NotFound("The response you are answering was not found.")
    if person.couple_id is None:
        raise Conflict("Pair with your partner first to answer an entry.")
    data_key = data_key or crypto.new_key()
    unlocked = sealing.keys_for(session, person.id)
    rel: str | None = None
    duration: float | None = None
    if audio is not None:
        if store is None:
            raise ValueError("a store is needed to keep a spoken response")
        samples, rate = audio
        if samples.size == 0:
            raise InvalidInput("The recording is empty.")
        rel = store.write_audio(samples, rate, data_key, kind="responses")
        duration = round(samples.shape[0] / rate, 3)
    try:
        assert person.id is not None and entry.id is not None
        response = Response(entry_id=entry.id, author_id=person.id, parent_id=parent_id,
                            audio_path=rel, audio_duration_s=duration,
                            status="recorded" if rel and not body else "ready")
        session.add(response)
        session.flush()
        assert response.id is not None
        keys.wrap_item(session, "response", response.id, data_key,
                       [("couple", person.couple_id)], unlocked)
        sealing.seal_response(response, data_key, body)
        session.add(response)
        session.flush()
        if rel and not body:
            jobs.enqueue(session, response_id=response.id, data_key=data_key)
        elif unlocked is not None:
            _reindex(session, unlocked, person, entry.id)
    except BaseException:
        if rel and store is not None:
            store.delete(rel)
        raise
    return response


def _reindex(session: Session, unlocked: Keys, person: Person, entry_id: int) -> None:
    from confide.models.search import index_entry

    entry = session.get(Entry, entry_id)
    if entry is not None and entry.sealed is not None:
        sealing.open_entry(session, unlocked, entry, person.couple_id)
        index_entry(session, unlocked, entry)


def attach_response_transcript(session: Session, response_id: int,
                               transcript: TranscriptData, data_key: bytes | None = None) -> Response:
    response = session.get(Response, response_id)
    if response is None:
        raise NotFound(f"Response {response_id} was not found.")
    if data_key is None:
        author = session.get(Person, response.author_id)
        assert author is not None
        data_key = sealing.require_keys(session, author).data_key(
            session, "response", response_id, author.couple_id)
    sealing.seal_response(response, data_key, transcript.text.strip())
    response.status = "no_speech" if transcript.no_speech else "ready"
    session.add(response)
    entry = session.get(Entry, response.entry_id)
    if entry is not None:
        entry.indexed = False  # its words changed; the next unlock indexes them
        session.add(entry)
    jobs.finish_jobs_for(session, response_id=response_id)
    session.flush()
    return response
