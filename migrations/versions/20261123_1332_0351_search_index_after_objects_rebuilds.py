"""search index after objects rebuilds

Migration 0900 rebuilt `objects` on SQLite (batch_alter_table), which drops the full-text
triggers of 0350: put them back and rebuild the FTS tables. On PostgreSQL nothing is missing
(IF NOT EXISTS makes this a no-op).

Revision ID: 0351
Revises: 0802
"""

from alembic import op

from catalog.search.index_sql import ensure_search_index

revision = '0351'
down_revision = '0802'
branch_labels = None
depends_on = None


def upgrade():
    ensure_search_index(op.get_bind())


def downgrade():
    pass  # the index belongs to 0350, which removes it
