"""The viewer (who is looking, with their journals and partner) is computed once per
transaction, and computed again as soon as the session writes anything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from confide.models.accounts import issue_token, person_for_token, register
from confide.models.couples import create_invite, join_couple
from confide.models.visibility import viewer_for

pytestmark = pytest.mark.unit


def test_viewer_is_reused_until_the_session_writes(session: Session) -> None:
    alex = register(session, "Alex", "correct horse 1")
    alone = viewer_for(session, alex)
    assert viewer_for(session, alex) is alone
    assert (alone.shared_journal_id, alone.partner_id) == (None, None)

    invite = create_invite(session, alex, timedelta(hours=1))
    coupled = viewer_for(session, alex)
    assert coupled.shared_journal_id is not None and coupled.partner_id is None

    sam = register(session, "Sam", "correct horse 2")
    join_couple(session, sam, invite.code)
    paired = viewer_for(session, alex)
    assert paired.partner_id == sam.id
    assert paired.shared_journal_id == coupled.shared_journal_id
    assert viewer_for(session, sam).partner_id == alex.id


def test_viewer_is_forgotten_when_the_transaction_ends(session: Session) -> None:
    alex = register(session, "Alex", "correct horse 1")
    session.commit()
    first = viewer_for(session, alex)
    session.commit()
    assert viewer_for(session, alex) is not first
    assert viewer_for(session, alex) == first


def test_the_token_lookup_finds_the_viewer_in_the_same_statement(session: Session) -> None:
    alex = register(session, "Alex", "correct horse 1")
    sam = register(session, "Sam", "correct horse 2")
    join_couple(session, sam, create_invite(session, alex, timedelta(hours=1)).code)
    token = issue_token(session, sam, timedelta(hours=1)).token
    session.commit()
    statements: list[str] = []
    engine = session.get_bind()

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert person_for_token(session, token).id == sam.id
        remembered = viewer_for(session, sam)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements  # the viewer came with the person
    session.commit()
    fresh = viewer_for(session, sam)
    assert remembered is not fresh and remembered == fresh
    assert (fresh.partner_id, fresh.partner_name) == (alex.id, "Alex")
