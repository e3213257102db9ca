"""shared deployment: worker keys, shared rate limits and secrets, database audio store

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09

Tables only (nothing existing changes), so a running older process keeps working while
this is applied: worker key pairs' public halves and the job keys sealed for them, the
worker processes seen, rate-limit hits and deployment secrets every API process shares,
and sealed recordings when the audio store is the database.
"""
import confide.models.tables
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ratehit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_ratehit_key'), 'ratehit', ['key'], unique=False)
    op.create_index(op.f('ix_ratehit_at'), 'ratehit', ['at'], unique=False)
    op.create_table(
        'sharedsecret',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('value', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_index(op.f('ix_sharedsecret_created_at'), 'sharedsecret', ['created_at'],
                    unique=False)
    op.create_table(
        'workerkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.Column('retired_at', confide.models.tables.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_workerkey_created_at'), 'workerkey', ['created_at'], unique=False)
    op.create_table(
        'workerjobkey',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('worker_key_id', sa.Integer(), nullable=False),
        sa.Column('wrapped', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['transcriptionjob.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['worker_key_id'], ['workerkey.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('job_id', 'worker_key_id'),
    )
    op.create_index(op.f('ix_workerjobkey_created_at'), 'workerjobkey', ['created_at'],
                    unique=False)
    op.create_table(
        'workerseen',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('seen_at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.Column('started_at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.Column('jobs_done', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_index(op.f('ix_workerseen_seen_at'), 'workerseen', ['seen_at'], unique=False)
    op.create_index(op.f('ix_workerseen_started_at'), 'workerseen', ['started_at'], unique=False)
    op.create_table(
        'audioblob',
        sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', confide.models.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('path'),
    )
    op.create_index(op.f('ix_audioblob_created_at'), 'audioblob', ['created_at'], unique=False)


def downgrade() -> None:
    for table in ('audioblob', 'workerseen', 'workerjobkey', 'workerkey', 'sharedsecret',
                  'ratehit'):
        op.drop_table(table)
