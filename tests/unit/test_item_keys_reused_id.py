"""A sign-in's opened data keys stay valid only for the wrap they came from.

SQLite gives a deleted row's id to the next row (no AUTOINCREMENT), and a sign-in's keys live
on across requests (the API keeps them with the token, the station across sessions): when
Alex deletes a shared entry and writes the next, Sam's keys must open the new entry with its
new key, not the old one they remembered; else every list Sam asks for fails (403, "These
sealed bytes do not open with this key") until Sam signs in again.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from confide.models import entries
from confide.models.entry_list import list_entries
from confide.models.entry_rules import get_entry
from confide.models.storage import AudioStore
from tests.conftest import Cast

pytestmark = pytest.mark.unit


def test_a_partners_keys_open_an_entry_written_under_a_deleted_ones_id(
        session: Session, store: AudioStore, cast: Cast) -> None:
    first = entries.create_written_entry(session, cast.alex, "We talked at dinner.",
                                         journal="shared")
    assert get_entry(session, cast.sam, first.id or 0).transcript == "We talked at dinner."
    entries.delete_entry(session, store, cast.alex, first.id or 0)

    second = entries.create_written_entry(session, cast.alex, "We left our phones away.",
                                          journal="shared")
    assert second.id == first.id  # the id given again, as SQLite does
    session.expire_all()
    assert get_entry(session, cast.sam, second.id or 0).transcript == "We left our phones away."
    assert [e.transcript for e in list_entries(session, cast.sam).entries] == [
        "We left our phones away."]


def test_an_unshared_entrys_remembered_key_is_not_given_out(
        session: Session, cast: Cast) -> None:
    """Unsharing takes the couple's wrap away; a key Sam opened before is not offered after."""
    entry = entries.create_written_entry(session, cast.alex, "Only for now.", journal="shared")
    assert entry.id is not None
    sam, couple = cast.keys["Sam"], cast.sam.couple_id
    assert sam.data_keys(session, "entry", [entry.id], couple)
    entries.set_visibility(session, cast.alex, entry.id, "private")
    assert sam.data_keys(session, "entry", [entry.id], couple) == {}
