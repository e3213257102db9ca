"""A journal from before sealing is sealed at its owner's first unlock, and no plain copy is
left: not in the database file, its WAL or free pages, nor in the audio folder."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import sqlalchemy as sa
from sqlmodel import Session

from confide.models import accounts
from confide.models.db import _alembic_config, create_db_engine, migrate
from confide.models.entries import get_entry
from confide.models.errors import NotFound
from confide.models.goals import list_checkins
from confide.models.responses import list_responses
from confide.models.sealing import use_keys
from confide.models.storage import AudioStore
from confide.models.unlocking import settle, wipe_free_space

pytestmark = pytest.mark.unit

ALEX_WORDS = ("quixoticmarigold", "plainsecretlantern")
SAM_WORD = "sambasilhouette"


def _legacy_journal(engine: sa.Engine, audio: Path) -> None:
    """What revision 0001 stored: plain words (and their FTS index), a plain FLAC file."""
    from alembic import command

    command.upgrade(_alembic_config(engine), "0001")
    now = datetime(2025, 5, 1, 12, 0)
    rel = "entries/2025/05/old.flac"
    (audio / rel).parent.mkdir(parents=True)
    tone = (0.2 * np.sin(np.arange(16000) / 10)).astype(np.float32)
    sf.write(audio / rel, tone, 16000, format="FLAC")
    hashes = {n: accounts._hasher.hash(f"{n} passphrase") for n in ("Alex", "Sam")}
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO couple (id, created_by, created_at) VALUES (1, 1, :t)"),
                  {"t": now})
        for pid, name in ((1, "Alex"), (2, "Sam")):
            c.execute(sa.text(
                "INSERT INTO person (id, name, passphrase_hash, couple_id, timezone, created_at)"
                " VALUES (:i, :n, :h, 1, 'UTC', :t)"), {"i": pid, "n": name, "h": hashes[name],
                                                        "t": now})
            c.execute(sa.text("INSERT INTO journal (id, kind, owner_id) VALUES (:i, 'private', :i)"),
                      {"i": pid})
        c.execute(sa.text("INSERT INTO journal (id, kind, couple_id) VALUES (3, 'shared', 1)"))
        for eid, jid, words, path in ((1, 1, ALEX_WORDS[0], None), (2, 3, ALEX_WORDS[1], rel)):
            c.execute(sa.text(
                "INSERT INTO entry (id, author_id, journal_id, kind, transcript, segments, "
                "word_count, tags, status, audio_path, created_at, updated_at) VALUES "
                "(:i, 1, :j, 'reflection', :w, '[]', 3, '[\"old\"]', 'ready', :p, :t, :t)"),
                {"i": eid, "j": jid, "w": f"about the {words} then", "p": path, "t": now})
        c.execute(sa.text(
            "INSERT INTO response (id, entry_id, author_id, text, status, created_at) VALUES "
            "(1, 2, 2, :w, 'ready', :t)"), {"w": f"I hear the {SAM_WORD}", "t": now})
        c.execute(sa.text("INSERT INTO goal (id, couple_id, created_by, title, why, status, "
                          "created_at) VALUES (1, 1, 1, 'Walks', '', 'active', :t)"), {"t": now})
        c.execute(sa.text("INSERT INTO goalcheckin (id, goal_id, person_id, rating, reflection, "
                          "created_at) VALUES (1, 1, 1, 4, :w, :t)"),
                  {"w": "a quixoticmarigold evening", "t": now})


def _found(folder: Path, words: tuple[str, ...]) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{w} in {path.name}" for w in words if w.encode() in data]
            if b"fLaC" in data:
                hits.append(f"plain FLAC in {path.name}")
    return hits


def test_the_first_unlock_seals_an_old_journal_and_leaves_no_plain_copy(tmp_path: Path):
    data = tmp_path / "data"
    audio = data / "audio"
    audio.mkdir(parents=True)
    engine = create_db_engine(f"sqlite:///{data / 'confide.db'}")
    _legacy_journal(engine, audio)
    migrate(engine)
    assert _found(data, ALEX_WORDS)  # the plain journal is really there before
    store = AudioStore(audio)
    with Session(engine, expire_on_commit=False) as s:
        alex, keys = accounts.sign_in(s, "Alex", "Alex passphrase")
        done = settle(s, store, keys, alex)
        s.commit()
        assert done.sealed_old == 3  # two entries and a check-in note
    with Session(engine, expire_on_commit=False) as s:
        sam, sam_keys = accounts.sign_in(s, "Sam", "Sam passphrase")
        settle(s, store, sam_keys, sam)  # now both have keys: the couple gets one
        s.commit()
    with Session(engine, expire_on_commit=False) as s:
        alex, keys = accounts.sign_in(s, "Alex", "Alex passphrase")
        settle(s, store, keys, alex)  # what Alex wrote for the couple is wrapped for it
        s.commit()
    wipe_free_space(engine)
    engine.dispose()
    assert _found(data, (*ALEX_WORDS, SAM_WORD)) == []
    # Everything still reads back, for whom it may.
    engine = create_db_engine(f"sqlite:///{data / 'confide.db'}")
    with Session(engine, expire_on_commit=False) as s:
        alex, keys = accounts.sign_in(s, "Alex", "Alex passphrase")
        use_keys(s, keys)
        assert ALEX_WORDS[0] in get_entry(s, alex, 1).transcript
        spoken = get_entry(s, alex, 2)
        assert ALEX_WORDS[1] in spoken.transcript and spoken.tags == ["old"]
        assert spoken.audio_path is not None and spoken.audio_path.endswith(".sealed")
        flac = store.read_audio(spoken.audio_path, keys.data_key(s, "entry", 2, alex.couple_id))
        samples, rate = sf.read(io.BytesIO(flac), dtype="float32")
        assert rate == 16000 and samples.size == 16000
        assert SAM_WORD in list_responses(s, alex, 2)[0].text
        assert "quixoticmarigold" in list_checkins(s, alex, 1)[0].reflection
        from confide.models.search import search

        assert [h.entry.id for h in search(s, alex, ALEX_WORDS[0])] == [1]
        assert [h.entry.id for h in search(s, alex, SAM_WORD)] == [2]
    with Session(engine, expire_on_commit=False) as s:
        sam, sam_keys = accounts.sign_in(s, "Sam", "Sam passphrase")
        use_keys(s, sam_keys)
        assert ALEX_WORDS[1] in get_entry(s, sam, 2).transcript  # the shared one
        with pytest.raises(NotFound):
            get_entry(s, sam, 1)  # the private one
    engine.dispose()
    assert not any(p.suffix == ".flac" for p in audio.rglob("*"))
