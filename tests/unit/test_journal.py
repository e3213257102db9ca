"""The journal operations against a real SQLite file (WAL, foreign keys on, migrated by
Alembic): every read path goes through the one visibility rule."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import numpy as np
import pytest
from sqlmodel import Session, select

from confide.models import entries, export, jobs, mutual, responses, search
from confide.models.accounts import authenticate, issue_token, person_for_token, register, revoke_token
from confide.models.couples import create_invite, join_couple
from confide.models.errors import (
    Conflict,
    Expired,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from confide.models.tables import Entry, TranscriptionJob, utcnow
from confide.models.transcript import Segment, Transcript

pytestmark = pytest.mark.unit


def _tone(seconds: float = 1.0, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _spoken(session, store, person, text, journal="private") -> Entry:
    entry = entries.create_entry_from_audio(session, store, person, _tone(), 16000,
                                            journal=journal)
    assert entry.id is not None
    entries.attach_transcript(session, entry.id, Transcript(text, "en", 1.0,
                                                            (Segment(0, 1, text, 0.9),)))
    session.commit()
    return entry


def test_sqlite_runs_with_wal_and_foreign_keys(session):
    assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_audio_is_on_disk_before_the_entry_and_a_job_is_queued(session, store, cast):
    entry = entries.create_entry_from_audio(session, store, cast.alex, _tone(2.0), 16000)
    assert store.path(entry.audio_path).is_file()
    assert entry.audio_path.endswith(".sealed") and entry.status == "recorded"
    assert entry.audio_duration_s == pytest.approx(2.0)
    job = session.exec(select(TranscriptionJob).where(TranscriptionJob.entry_id == entry.id)).one()
    assert job.status == "queued"
    entries.attach_transcript(session, entry.id, Transcript("", "en", 2.0))
    assert entry.status == "no_speech" and entry.transcript == ""
    assert session.get(TranscriptionJob, job.id).status == "done"


def test_a_failing_row_leaves_no_orphan_audio(session, store, cast, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs, "enqueue", boom)
    with pytest.raises(RuntimeError):
        entries.create_entry_from_audio(session, store, cast.alex, _tone(), 16000)
    assert not list(store.root.rglob("*.sealed"))


def test_private_entries_are_visible_to_their_author_only(session, store, cast):
    private = _spoken(session, store, cast.alex, "my private thought about honesty")
    shared = _spoken(session, store, cast.alex, "a shared thought about honesty", "shared")
    for reader, expected in ((cast.alex, {private.id, shared.id}), (cast.sam, {shared.id}),
                             (cast.olive, set()), (cast.pat, set())):
        assert {e.id for e in entries.list_entries(session, reader).entries} == expected
        assert {h.entry.id for h in search.search(session, reader, "honesty")} == expected
        for entry in (private, shared):
            if entry.id in expected:
                assert entries.get_entry(session, reader, entry.id).id == entry.id
            else:
                with pytest.raises(NotFound):
                    entries.get_entry(session, reader, entry.id)
                with pytest.raises(NotFound):
                    responses.list_responses(session, reader, entry.id)
                with pytest.raises(NotFound):
                    responses.add_response(session, reader, entry.id, text="hi")


def test_unsharing_hides_an_entry_from_the_partner_at_once(session, store, cast):
    entry = _spoken(session, store, cast.alex, "about the weekend", "shared")
    assert entries.get_entry(session, cast.sam, entry.id)
    entries.set_visibility(session, cast.alex, entry.id, "private")
    with pytest.raises(NotFound):
        entries.get_entry(session, cast.sam, entry.id)
    assert search.search(session, cast.sam, "weekend") == []


def test_only_the_author_changes_an_entry(session, store, cast):
    entry = _spoken(session, store, cast.alex, "shared words", "shared")
    with pytest.raises(Forbidden):
        entries.edit_entry(session, cast.sam, entry.id, transcript="changed")
    with pytest.raises(Forbidden):
        entries.set_visibility(session, cast.sam, entry.id, "private")
    with pytest.raises(NotFound):
        entries.delete_entry(session, store, cast.olive, entry.id)
    edited = entries.edit_entry(session, cast.alex, entry.id, transcript="better words",
                                mood="hopeful", tags=["Dinner", "dinner", "phones"])
    assert edited.transcript == "better words" and edited.tags == ["dinner", "phones"]
    with pytest.raises(InvalidInput):
        entries.edit_entry(session, cast.alex, entry.id, mood="furious-ish")


def test_delete_removes_row_responses_and_every_file(session, store, cast):
    entry = _spoken(session, store, cast.alex, "to be deleted", "shared")
    reply = responses.add_response(session, cast.sam, entry.id, audio=(_tone(), 16000),
                                   store=store)
    derived = store.root / "derived" / f"speech-entry-{entry.id}-abc.wav"
    derived.parent.mkdir(parents=True, exist_ok=True)
    derived.write_bytes(b"RIFF")
    session.commit()
    files = [store.path(entry.audio_path), store.path(reply.audio_path), derived]
    assert all(f.exists() for f in files)
    entries.delete_entry(session, store, cast.alex, entry.id)
    session.commit()
    assert not any(f.exists() for f in files)
    assert session.get(Entry, entry.id) is None
    assert search.search(session, cast.alex, "deleted") == []


def test_mutual_answers_stay_hidden_until_both_have_answered(session, store, cast):
    alex_answer = mutual.answer_mutual(session, cast.alex, "m-trust", text="I trust your word")
    session.commit()
    status = mutual.mutual_status(session, cast.sam, "m-trust")
    assert status.mine is None and status.partner is None and status.partner_answered
    with pytest.raises(NotFound):
        entries.get_entry(session, cast.sam, alex_answer.id)
    assert search.search(session, cast.sam, "trust word") == []
    assert alex_answer.id not in {e.id for e in entries.list_entries(session, cast.sam).entries}
    with pytest.raises(Conflict):
        mutual.answer_mutual(session, cast.alex, "m-trust", text="again")
    mutual.answer_mutual(session, cast.sam, "m-trust", text="I trust you too")
    session.commit()
    assert mutual.mutual_status(session, cast.sam, "m-trust").revealed
    assert mutual.mutual_status(session, cast.alex, "m-trust").revealed
    assert entries.get_entry(session, cast.sam, alex_answer.id)
    with pytest.raises(NotFound):
        entries.get_entry(session, cast.olive, alex_answer.id)


def test_export_holds_exactly_the_visible_entries_with_audio(session, store, cast):
    mine = _spoken(session, store, cast.alex, "private export words")
    shared = _spoken(session, store, cast.sam, "shared export words", "shared")
    hidden = _spoken(session, store, cast.sam, "sam private words")
    _spoken(session, store, cast.olive, "other couple words", "shared")
    data = export.export_zip(session, store, cast.alex)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = json.loads(zf.read("journal.json"))
        names = set(zf.namelist())
        markdown = zf.read("journal.md").decode()
    assert {e["id"] for e in doc["entries"]} == {mine.id, shared.id}
    assert f"audio/entry-{mine.id}.flac" in names and f"audio/entry-{hidden.id}.flac" not in names
    assert "sam private words" not in markdown and "other couple words" not in markdown


def test_pairing_rules(session):
    a = register(session, "Ana", "passphrase 1")
    b = register(session, "Ben", "passphrase 2")
    c = register(session, "Cy", "passphrase 3")
    invite = create_invite(session, a, timedelta(minutes=5))
    join_couple(session, b, invite.code.lower().replace("-", " "))
    with pytest.raises(NotFound):
        join_couple(session, c, invite.code)  # a code works once
    with pytest.raises(Conflict):
        create_invite(session, a, timedelta(minutes=5))
    d = register(session, "Dee", "passphrase 4")
    late = create_invite(session, d, timedelta(minutes=5), now=utcnow() - timedelta(hours=1))
    with pytest.raises(Expired):
        join_couple(session, c, late.code)


def test_tokens_expire_and_revoke_and_sign_in_is_rate_limited(session, cast):
    issued = issue_token(session, cast.alex, timedelta(hours=1))
    assert person_for_token(session, issued.token).id == cast.alex.id
    with pytest.raises(NotAuthenticated):
        person_for_token(session, issued.token, now=utcnow() + timedelta(hours=2))
    revoke_token(session, issued.token)
    with pytest.raises(NotAuthenticated):
        person_for_token(session, issued.token)
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            authenticate(session, "Alex", "wrong guess", address="10.0.0.9")
    with pytest.raises(RateLimited):
        authenticate(session, "Alex", "correct horse 1", address="10.0.0.9")


def test_bad_input_is_refused_and_nothing_is_written(session, cast):
    before = session.exec(select(Entry)).all()
    with pytest.raises(InvalidInput):
        entries.create_written_entry(session, cast.alex, "   ")
    with pytest.raises(InvalidInput):
        entries.create_written_entry(session, cast.alex, "ok", mood="ecstatic")
    with pytest.raises(NotFound):
        entries.get_entry(session, cast.alex, 999_999)
    with pytest.raises(InvalidInput):
        entries.list_entries(session, cast.alex, cursor="not-a-cursor")
    with pytest.raises(InvalidInput):
        search.search(session, cast.alex, "!!!")
    loner = register(session, "Lone", "passphrase 9")
    with pytest.raises(Conflict):
        entries.create_written_entry(session, loner, "hello", journal="shared")
    assert session.exec(select(Entry)).all() == before


def test_list_pages_with_a_cursor_newest_first(session, cast):
    made = [entries.create_written_entry(session, cast.alex, f"note {i}").id for i in range(7)]
    session.commit()
    page = entries.list_entries(session, cast.alex, limit=3)
    seen = [e.id for e in page.entries]
    while page.next_cursor:
        page = entries.list_entries(session, cast.alex, cursor=page.next_cursor, limit=3)
        seen += [e.id for e in page.entries]
    assert seen == sorted(made, reverse=True)


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from confide.models.db import include_name

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_session_scope_rolls_back_on_error(engine):
    from confide.models.db import session_scope

    def half_done() -> None:
        with session_scope(engine) as s:
            register(s, "Half", "passphrase 5")
            raise RuntimeError("crash mid-way")

    with pytest.raises(RuntimeError):
        half_done()
    with Session(engine) as s:
        from confide.models.tables import Person

        assert s.exec(select(Person).where(Person.name == "Half")).first() is None


def test_the_known_head_revision_is_alembics_head(engine):
    from confide.models.db import HEAD_REVISION, current_revision, head_revision

    assert HEAD_REVISION == head_revision() == current_revision(engine)


def test_a_chosen_voice_can_go_back_to_the_device_default(session, cast):
    from confide.models.accounts import Preferences, update_preferences

    update_preferences(session, cast.alex, Preferences(tts_voice="en-gb", tts_rate=120))
    assert (cast.alex.tts_voice, cast.alex.tts_rate) == ("en-gb", 120)
    update_preferences(session, cast.alex, Preferences(back_to_default=frozenset({"tts_voice"})))
    assert (cast.alex.tts_voice, cast.alex.tts_rate) == (None, 120), "only the voice is reset"
    with pytest.raises(InvalidInput):
        update_preferences(session, cast.alex, Preferences(back_to_default=frozenset({"name"})))
    assert cast.alex.name == "Alex"


def test_a_name_beyond_ascii_is_found_and_cannot_be_taken_twice(session):
    """SQLite's lower() folds ASCII only: the exact name must still be found and kept unique
    (registering "Élodie" twice raised an integrity error, a 500, before)."""
    person = register(session, "Élodie")
    from confide.models.accounts import get_person_by_name

    assert get_person_by_name(session, "Élodie").id == person.id
    with pytest.raises(Conflict):
        register(session, "Élodie")
