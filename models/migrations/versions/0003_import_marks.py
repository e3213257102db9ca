"""import marks

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

One row per imported entry (person, source kind, source id), so importing the same export
twice adds nothing; the source's time zone is kept beside it (models/import_marks.py).
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import confide.models.tables


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('imported_at', confide.models.tables.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'source_kind', 'source_id', name='uq_import_mark_source')
    )
    with op.batch_alter_table('import_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_mark_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_mark_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_mark_person_id'))
        batch_op.drop_index(batch_op.f('ix_import_mark_entry_id'))
    op.drop_table('import_mark')
