"""The database: engine set-up (SQLite pragmas), migrations to head, and sessions.

SQLite runs in WAL mode with foreign keys on, so the voice station and the server can use
one file at once. The schema is only ever created by Alembic, so the migrations are what
production runs and what the tests check.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

__all__ = [
    "HEAD_REVISION",
    "create_db_engine", "current_revision", "head_revision", "include_name", "migrate",
    "newer_than_this_release", "session_scope",
]

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    # Overwrite what is deleted or replaced with zeros, so a plain copy from before sealing
    # (or an unshared wrap) does not linger in free pages.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def create_db_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and the pragmas above."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # No cap on overflow: the API runs SQLite reads on its event loop, and a capped pool
        # would make the loop wait for a connection only the loop itself can give back.
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=pool_size,
            max_overflow=-1,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=pool_size)


def include_name(name: str | None, type_: str, _parents: Mapping[Any, str | None]) -> bool:
    """Leave the FTS5 search index (created by hand in the first migration) out of
    autogenerate comparisons: SQLAlchemy cannot describe virtual tables."""
    return not (type_ == "table" and (name or "").startswith("search_fts"))


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


HEAD_REVISION = "0006"
"""The newest migration; a test keeps it equal to Alembic's head. Knowing it lets a start
skip importing Alembic (a third of a second) when the schema is already current."""


def _stored_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None
    return None if found is None else str(found)


@functools.cache
def _known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(sa.create_engine("sqlite://"))
    return frozenset(s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions())


def newer_than_this_release(revision: str | None) -> bool:
    """Whether the schema was migrated by a later release (a revision this one does not
    know). Migrations only add tables and nullable columns, so this release goes on working
    on it: during an upgrade its processes keep serving, restart and report ready until
    they are replaced (docs/DEPLOY.md, upgrades)."""
    return (revision is not None and revision != HEAD_REVISION
            and revision not in _known_revisions())


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on an empty database); a schema
    a later release already migrated is left as it is."""
    revision = _stored_revision(engine)
    if revision == HEAD_REVISION:
        return
    if newer_than_this_release(revision):
        log.info("the schema is at revision %s, a later release's; this release (%s) "
                 "serves on it unchanged", revision, HEAD_REVISION)
        return
    from alembic import command

    command.upgrade(_alembic_config(engine), "head")


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(sa.create_engine("sqlite://"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: nothing half-written."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
