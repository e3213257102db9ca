"""Alembic environment: runs against the engine handed over by models.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import confide.models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from confide.models.db import include_name

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
