"""token keys, job leases

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A sign-in's unlocked keys, sealed with a key derived from the token (which the database
never holds), so that every API process a person's requests reach can open them; and a
lease on each running transcription job, so several workers can share the queue.
"""
import confide.models.tables
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('apitoken', sa.Column('keys_box', sa.LargeBinary(), nullable=True))
    op.add_column('transcriptionjob', sa.Column('lease_until', confide.models.tables.UTCDateTime(),
                                                nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('transcriptionjob') as batch_op:
        batch_op.drop_column('lease_until')
    with op.batch_alter_table('apitoken') as batch_op:
        batch_op.drop_column('keys_box')
