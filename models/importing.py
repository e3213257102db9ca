"""Bringing a journal in: Day One JSON exports, jrnl JSON exports, folders of Markdown or
text files, and folders of voice memos.

Reading and writing are apart. Each ``parse_*`` function (models/import_text.py,
import_jrnl.py, import_dayone.py, import_memos.py) turns a source into ``Candidate`` entries
plus the lines it had to skip (models/import_types.py), and touches no database, so every
format is tested on its own. ``import_candidates``, here, then writes the candidates through the
journal's own operations (``models.entries``), each entry with its ``ImportMark`` in one
transaction: an import that stops half-way leaves whole entries only, and running it again
adds nothing. Recordings are decoded by a function the caller passes in (the decoder lives
with the other audio code, which this package does not import).

Importing needs no secret: every entry (a recording's mood and tags too) is sealed for its
readers as it is written. Only what reads the words waits for the person's unlock: the
search index (built now when their keys are in the session) and the transcripts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Session, col, select

from confide.models import crypto
from confide.models.entries import (
    MAX_TEXT,
    attach_transcript,
    create_entry_from_audio,
    create_written_entry,
    journal_id_for,
)
from confide.models.errors import ConfideError, Forbidden, InvalidAudio, TooLarge
from confide.models.export_formats import key_fingerprint
from confide.models.import_fields import split_text
from confide.models.import_marks import ImportMark, SourceKind
from confide.models.import_types import (
    NOTICE_NO_RESPONSES,
    NOTICE_SPLIT,
    Candidate,
    Exporter,
    Imported,
    ImportReport,
    Parsed,
    Skipped,
)
from confide.models.responses import add_response
from confide.models.storage import AudioStore
from confide.models.tables import Entry, Person, TranscriptionJob

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Decoder", "check_exporter", "import_candidates", "queued_transcriptions",
           "recording_statuses"]

log = logging.getLogger(__name__)


Decoder = Callable[[Path | bytes], "tuple[np.ndarray, int]"]
"""Decodes a recording to float32 samples and their rate; raises ``InvalidAudio``."""


def _no_decoder(_source: Path | bytes) -> tuple[np.ndarray, int]:
    raise InvalidAudio("no audio decoder was given to this import")


def queued_transcriptions(session: Session, author_id: int | None = None) -> int:
    """How many recordings (of ``author_id``, else anyone's) are waiting for their
    transcript."""
    query = (select(sa.func.count()).select_from(TranscriptionJob)
             .where(col(TranscriptionJob.status).in_(("queued", "running"))))
    if author_id is not None:
        query = query.where(col(TranscriptionJob.entry_id).in_(
            select(Entry.id).where(Entry.author_id == author_id)))
    return int(session.exec(query).one())


def _known_sources(session: Session, person_id: int, kind: SourceKind) -> set[str]:
    return set(session.exec(select(ImportMark.source_id).where(
        ImportMark.person_id == person_id, ImportMark.source_kind == kind)))


MSG_OTHERS_EXPORT = ("This export is {name}'s journal, not yours: nothing was imported. Each "
                     "person imports their own export.")
MSG_OTHER_NAME = ("This export is {name}'s journal, and you are {you}: nothing was imported. "
                  "If it is yours from when you were called {name}, import it with "
                  "--renamed-from \"{name}\".")


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_exporter(session: Session, person: Person, exporter: Exporter | None, *,
                   renamed_from: str | None = None) -> None:
    """Refuse an export of someone else's journal: its entries are their words, and
    imported they would be filed as this person's own (Forbidden, before anything is
    written). An export made by another person of this journal is refused outright (its
    key says whose it is); one from elsewhere must carry this person's name, or the name
    they say they had there (``renamed_from``)."""
    if exporter is None:
        return  # not from Confide: nothing says whose it is
    mine = key_fingerprint(session, person.id)
    if exporter.key is not None and exporter.key == mine:
        return
    if exporter.key is not None:
        for other in session.exec(select(Person).where(Person.id != person.id)):
            if key_fingerprint(session, other.id) == exporter.key:
                raise Forbidden(MSG_OTHERS_EXPORT.format(name=other.name))
    if _same_name(exporter.name, person.name) or (
            renamed_from is not None and _same_name(renamed_from, exporter.name)):
        return
    raise Forbidden(MSG_OTHER_NAME.format(name=exporter.name, you=person.name))


def import_candidates(
    session: Session,
    store: AudioStore,
    person: Person,
    parsed: Parsed,
    *,
    kind: SourceKind,
    journal: str = "private",
    decode: Decoder = _no_decoder,
    on_step: Callable[[Candidate], None] | None = None,
    renamed_from: str | None = None,
) -> ImportReport:
    """Write what was parsed, one committed transaction per entry (its audio, row(s) and
    import mark together), skipping what this person already imported from this kind of
    source. Ctrl+C stops after rolling back the entry in progress (``interrupted``).
    Someone else's export is refused before anything is written (``check_exporter``)."""
    check_exporter(session, person, parsed.exported_by, renamed_from=renamed_from)
    journal_id_for(session, person, journal)  # unpaired and --journal shared: stop now
    assert person.id is not None
    person_id = person.id
    report = ImportReport(skipped=list(parsed.skipped), notices=list(parsed.notices))
    known = _known_sources(session, person_id, kind)
    session.commit()
    for candidate in parsed.candidates:
        if on_step is not None:
            on_step(candidate)
        if candidate.source_id in known:
            report.skipped.append(Skipped.of(candidate.label, "already_imported"))
            continue
        try:
            done = _write_one(session, store, person, person_id, candidate, kind, journal,
                              decode, report.notices)
        except KeyboardInterrupt:
            report.interrupted = True
            break
        except (InvalidAudio, TooLarge) as exc:
            report.skipped.append(Skipped.of(candidate.label, "broken_audio",
                                             detail=_strip_name(str(exc))))
            continue
        except ConfideError as exc:
            report.skipped.append(Skipped.of(candidate.label, "rejected", detail=str(exc)))
            continue
        except sa.exc.IntegrityError:
            # Another import of the same source committed first.
            report.skipped.append(Skipped.of(candidate.label, "already_imported"))
            continue
        except Exception as exc:  # one bad entry is reported; the rest still come in
            log.warning("import of %s failed", candidate.label, exc_info=True)
            report.skipped.append(Skipped.of(candidate.label, "failed",
                                             detail=str(exc) or type(exc).__name__))
            continue
        known.add(candidate.source_id)
        report.imported.append(done)
    return report


def _strip_name(message: str) -> str:
    """Decoder messages start with the file (``/tmp/x.m4a: corrupt``); the report names it."""
    head, sep, rest = message.partition(": ")
    return rest if sep and ("/" in head or "." in head or head.startswith("the uploaded")) \
        else message


def _write_one(session: Session, store: AudioStore, person: Person, person_id: int,
               candidate: Candidate, kind: SourceKind, journal: str, decode: Decoder,
               notices: list[str]) -> Imported:
    written: list[int] = []
    audio_paths: list[str] = []
    journal = candidate.journal or journal
    try:
        if candidate.audio is not None:
            samples, rate = decode(candidate.audio.load())
            # Mood and tags are sealed with the recording: no unlock needed, and its
            # transcript keeps them whenever it comes.
            data_key = crypto.new_key()
            entry = create_entry_from_audio(session, store, person, samples, rate,
                                            journal=journal, created_at=candidate.created_at,
                                            mood=candidate.mood, tags=candidate.tags,
                                            prompt_id=candidate.prompt_id,
                                            prompt_text=candidate.prompt_text,
                                            data_key=data_key)
            if entry.audio_path:
                audio_paths.append(entry.audio_path)
            assert entry.id is not None
            if candidate.transcript is not None:  # Confide's own export: no second pass
                attach_transcript(session, entry.id, candidate.transcript, data_key)
            written.append(entry.id)
            made = "audio"
        else:
            parts = split_text(candidate.text)
            for part in parts:
                entry = create_written_entry(session, person, part, journal=journal,
                                             mood=candidate.mood, tags=candidate.tags,
                                             created_at=candidate.created_at,
                                             prompt_id=candidate.prompt_id,
                                             prompt_text=candidate.prompt_text)
                assert entry.id is not None
                written.append(entry.id)
            if len(parts) > 1:
                notices.append(NOTICE_SPLIT.format(label=candidate.label, limit=MAX_TEXT,
                                                   parts=len(parts)))
            made = "written"
        _restore_extras(session, person, candidate, written[0], notices)
        session.add(ImportMark(person_id=person_id, source_kind=kind,
                               source_id=candidate.source_id, entry_id=written[0],
                               timezone=candidate.timezone))
        session.flush()
        session.commit()
    except BaseException:
        session.rollback()
        for rel in audio_paths:
            store.delete(rel)
        raise
    return Imported(candidate.label, tuple(written), made)


def _restore_extras(session: Session, person: Person, candidate: Candidate, entry_id: int,
                    notices: list[str]) -> None:
    """What Confide's own export adds: when the words were edited, the person's responses."""
    if candidate.edited_at is not None:
        entry = session.get(Entry, entry_id)
        assert entry is not None
        entry.edited_at = candidate.edited_at
        session.add(entry)
    if candidate.responses and person.couple_id is None:
        n = len(candidate.responses)
        notices.append(NOTICE_NO_RESPONSES.format(label=candidate.label, n=n,
                                                  s="" if n == 1 else "s"))
        return
    for text, at in candidate.responses:
        response = add_response(session, person, entry_id, text=text)
        if at is not None:
            response.created_at = at
            session.add(response)
    session.flush()


def recording_statuses(session: Session, entry_ids: Iterable[int]) -> dict[str, int]:
    """How the recordings of an import stand now: status -> count."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.exec(select(Entry.status, sa.func.count()).where(col(Entry.id).in_(ids))
                        .group_by(col(Entry.status)))
    return {str(status): int(n) for status, n in rows}
