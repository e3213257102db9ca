"""entry edited_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

When the author last corrected an entry's words (``confide entries edit``, the API's edit):
the recording is never changed, so a reader can tell the text was edited after it was said.
"""
from alembic import op
import sqlalchemy as sa
import confide.models.tables


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch re-creation of ``entry`` would cascade into its responses.
    op.add_column('entry', sa.Column('edited_at', confide.models.tables.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('entry') as batch_op:
        batch_op.drop_column('edited_at')
