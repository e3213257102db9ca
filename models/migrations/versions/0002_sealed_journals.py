"""sealed journals

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

People's and couples' keys, one wrap per reader of each data key, sealed content columns and
the blind search index. The FTS5 index goes: it held every word in the clear. Journals from
before this revision keep their plain columns until the owner's first unlock seals them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_FTS_TRIGGERS = ("entry_fts_ins", "entry_fts_upd", "entry_fts_move", "entry_fts_del",
                 "response_fts_ins", "response_fts_upd", "response_fts_del")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.create_table(
        'person_key',
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('person.id'), primary_key=True),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('passphrase_wrap', sa.LargeBinary(), nullable=True),
        sa.Column('kdf_salt', sa.LargeBinary(), nullable=True),
        sa.Column('kdf_ops', sa.Integer(), nullable=True),
        sa.Column('kdf_mem', sa.Integer(), nullable=True),
        sa.Column('recovery_wrap', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_person_key_created_at', 'person_key', ['created_at'])
    op.create_table(
        'couple_key',
        sa.Column('couple_id', sa.Integer(), sa.ForeignKey('couple.id'), primary_key=True),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        'item_key',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('item_kind', sa.String(length=10), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('reader_kind', sa.String(length=10), nullable=False),
        sa.Column('reader_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=6), nullable=False),
        sa.Column('wrapped', sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint('item_kind', 'item_id', 'reader_kind', 'reader_id',
                            name='uq_item_key_reader'),
    )
    op.create_table(
        'search_term',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('entry_id', sa.Integer(), sa.ForeignKey('entry.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('term', sa.LargeBinary(length=16), nullable=False),
    )
    op.create_index('ix_search_term_entry_id', 'search_term', ['entry_id'])
    op.create_index('ix_search_term_term', 'search_term', ['term', 'entry_id'])
    # Plain ALTER TABLE ADD COLUMN, never a batch "move and copy": on SQLite that drops and
    # re-creates the table, and with foreign keys on, dropping ``entry`` cascades into
    # ``response`` and the read marks (tests/unit/test_seal_old_journal.py).
    for table in ('entry', 'response'):
        op.add_column(table, sa.Column('sealed', sa.LargeBinary(), nullable=True))
        op.add_column(table, sa.Column('indexed', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column('goalcheckin', sa.Column('sealed', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('goalcheckin') as batch_op:
        batch_op.drop_column('sealed')
    for table in ('response', 'entry'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('indexed')
            batch_op.drop_column('sealed')
    op.drop_index('ix_search_term_term', table_name='search_term')
    op.drop_index('ix_search_term_entry_id', table_name='search_term')
    op.drop_table('search_term')
    op.drop_table('item_key')
    op.drop_table('couple_key')
    op.drop_index('ix_person_key_created_at', table_name='person_key')
    op.drop_table('person_key')
