"""Listening: the original recordings (with HTTP Range, so players can seek) and an entry's
transcript read aloud by the local speech engine (rendered once, then cached sealed).
Both are opened with the caller's keys and served from memory: nothing plain touches disk.

Both follow the entry's visibility: a recording the caller may not see is 404.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from confide.api.deps import CurrentPerson, RowId, RuntimeDep, SessionDep, StoreDep
from confide.api.errors import error_doc
from confide.models.entries import get_entry
from confide.models.errors import Conflict, NotFound
from confide.models.responses import get_response
from confide.models.sealing import require_keys
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person
from confide.prompts.speakable import text_to_read_aloud

__all__ = ["router"]

router = APIRouter(tags=["listening"])


def _media(kind: str, what: str) -> dict[int | str, dict[str, Any]]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        200: {"description": what, "content": {kind: binary}},
        206: {"description": "The requested byte range (Range: bytes=...).",
              "content": {kind: binary}},
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
        416: {"description": "The requested range is outside the file."},
    }


_FLAC = _media("audio/flac", "The original recording (FLAC).")
_WAV = _media("audio/wav", "The transcript read aloud (WAV).") | {
    409: error_doc("There are no words to read aloud yet."),
    503: error_doc("The speech engine is not available."),
}


_PRIVATE_CACHE = {"Cache-Control": "private, no-cache"}


def _ranged(request: Request, data: bytes, media_type: str, name: str, tag: str) -> Response:
    """Opened bytes with Range support (one range, as players ask), or 304 when the client's
    copy is current. The ETag is keyed by the item and size, never by the content."""
    etag = f'"{hashlib.sha256(f"{tag}:{len(data)}".encode()).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Accept-Ranges": "bytes",
               "Content-Disposition": f'inline; filename="{name}"', **_PRIVATE_CACHE}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers={"ETag": etag, **_PRIVATE_CACHE})
    wanted = request.headers.get("range", "")
    if request.headers.get("if-range", etag) != etag:
        wanted = ""  # the client's part is of another version: send it whole
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
    if not wanted or match is None or not (match[1] or match[2]):
        return Response(data, media_type=media_type, headers=headers)
    size = len(data)
    if match[1]:
        start, end = int(match[1]), int(match[2]) if match[2] else size - 1
    else:
        start, end = max(0, size - int(match[2])), size - 1
    end = min(end, size - 1)
    if start >= size or start > end:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}", **headers})
    return Response(data[start:end + 1], status_code=206, media_type=media_type,
                    headers={"Content-Range": f"bytes {start}-{end}/{size}", **headers})


def _recording(request: Request, session: Session, store: AudioStore, person: Person,
               kind: str, item_id: int, rel: str | None, name: str) -> Response:
    if rel is None or not store.exists(rel):
        raise NotFound("There is no recording for this.")
    data_key = require_keys(session, person).data_key(session, kind, item_id, person.couple_id)
    return _ranged(request, store.read_audio(rel, data_key), "audio/flac", name, rel)


@router.get("/entries/{entry_id}/audio", response_class=Response, responses=_FLAC)
def entry_audio(entry_id: RowId, request: Request, person: CurrentPerson, session: SessionDep,
                store: StoreDep) -> Response:
    """The entry's original recording; supports Range requests and ETag revalidation."""
    entry = get_entry(session, person, entry_id)
    return _recording(request, session, store, person, "entry", entry_id, entry.audio_path,
                      f"entry-{entry_id}.flac")


@router.get("/responses/{response_id}/audio", response_class=Response, responses=_FLAC)
def response_audio(response_id: RowId, request: Request, person: CurrentPerson,
                   session: SessionDep, store: StoreDep) -> Response:
    """A spoken response's recording (visible to whoever may see its entry)."""
    response = get_response(session, person, response_id)
    return _recording(request, session, store, person, "response", response_id,
                      response.audio_path, f"response-{response_id}.flac")


@router.get("/entries/{entry_id}/speech", response_class=Response, responses=_WAV)
def entry_speech(
    entry_id: RowId, request: Request, person: CurrentPerson, session: SessionDep,
    runtime: RuntimeDep,
    rate: Annotated[int | None, Query(ge=80, le=450, description="Words a minute.")] = None,
    volume: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
) -> Response:
    """The transcript read aloud in the caller's chosen voice, rate and volume."""
    entry = get_entry(session, person, entry_id)
    # Only punctuation, emoji or symbols: the engine would render silence or nothing.
    text = text_to_read_aloud(entry.transcript)
    if text is None:
        raise Conflict("This entry has no words to read aloud yet.")
    settings = runtime.settings
    data_key = require_keys(session, person).data_key(session, "entry", entry_id,
                                                       person.couple_id)
    wav, tag = runtime.speech.render(
        entry_id, text, data_key,
        voice=person.tts_voice or settings.tts_voice,
        rate=rate or person.tts_rate or settings.tts_rate,
        volume=volume if volume is not None else (
            person.tts_volume if person.tts_volume is not None else settings.tts_volume),
    )
    # Deleted while it was being rendered: the new file must not outlive the entry.
    with Session(runtime.engine) as check:
        if check.get(Entry, entry_id) is None:
            runtime.speech.forget(entry_id)
            raise NotFound(f"Entry {entry_id} was not found.")
    return _ranged(request, wav, "audio/wav", f"entry-{entry_id}-speech.wav", tag)
