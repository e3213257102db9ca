"""The same schema and queries on PostgreSQL (runs when CONFIDE_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from confide.models import entries, jobs, mutual, search, visibility
from confide.models.accounts import issue_token, person_for_token, register, register_person
from confide.models.couples import create_invite, join_couple
from confide.models.db import create_db_engine, migrate, session_scope
from confide.models.errors import NotFound
from confide.models.sealing import use_keys
from tests.claims import claim_concurrently

URL = os.environ.get("CONFIDE_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not URL, reason="set CONFIDE_TEST_POSTGRES_URL to run against PostgreSQL"),
]


@pytest.fixture
def pg_session():
    assert URL is not None
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    # The schema goes into the connection options, so every pooled connection uses it.
    joiner = "&" if "?" in URL else "?"
    engine = create_db_engine(f"{URL}{joiner}options=-csearch_path%3D{schema}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def test_journal_operations_and_privacy_on_postgres(pg_session):
    s = pg_session
    people = []
    for name, passphrase in (("Alex", "passphrase 1"), ("Sam", "passphrase 2"),
                             ("Olive", "passphrase 3")):
        person, unlocked, _words = register_person(s, name, passphrase)
        use_keys(s, unlocked)  # each reads as if signed in
        people.append(person)
    alex, sam, olive = people
    join_couple(s, sam, create_invite(s, alex, timedelta(hours=1)).code)
    s.commit()
    private = entries.create_written_entry(s, alex, "honesty in private", journal="private",
                                           tags=["trust"])
    shared = entries.create_written_entry(s, alex, "honesty together", journal="shared")
    hidden = mutual.answer_mutual(s, alex, "m1", text="honesty first")
    s.commit()
    assert {e.id for e in entries.list_entries(s, alex).entries} == {private.id, shared.id,
                                                                      hidden.id}
    assert {e.id for e in entries.list_entries(s, sam).entries} == {shared.id}
    assert entries.list_entries(s, olive).entries == []
    assert {h.entry.id for h in search.search(s, sam, "honesty")} == {shared.id}
    assert {h.entry.id for h in search.search(s, alex, "honesty")} == {private.id, shared.id,
                                                                       hidden.id}
    flt = entries.EntryFilter(tag="trust")
    assert [e.id for e in entries.list_entries(s, alex, flt).entries] == [private.id]
    with pytest.raises(NotFound):
        entries.get_entry(s, sam, private.id)
    token = issue_token(s, sam, timedelta(hours=1)).token
    s.commit()
    assert person_for_token(s, token).id == sam.id
    viewer = visibility.viewer_for(s, sam)
    assert (viewer.partner_id, viewer.partner_name) == (alex.id, "Alex")


def test_concurrent_job_claims_never_take_the_same_job_on_postgres(pg_session):
    engine = pg_session.get_bind()
    with session_scope(engine) as s:
        alex = register(s, "Alex", "passphrase 1")
        entry = entries.create_written_entry(s, alex, "a reflection to transcribe")
        for _ in range(40):
            jobs.enqueue(s, entry_id=entry.id)
        assert alex.id is not None
        authors = [alex.id]
    claimed = claim_concurrently(lambda: engine, authors)
    assert len(claimed) == len(set(claimed)) == 40
