"""loan out number scheme (data)

Revision ID: 0601
Revises: 0600
Create Date: 2026-11-23 13:30:00

Loans out get their own number scheme beside the starter ``loan_in`` scheme; admins can edit
the pattern afterwards like any other scheme.
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0601'
down_revision = '0600'
branch_labels = None
depends_on = None

schemes = sa.table(
    "number_schemes",
    sa.column("code", sa.String), sa.column("name", sa.String), sa.column("pattern", sa.String),
    sa.column("applies_to", sa.String), sa.column("is_active", sa.Boolean),
    sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
)


def upgrade():
    bind = op.get_bind()
    exists = bind.execute(sa.select(schemes.c.code).where(schemes.c.code == "loan_out")).first()
    if exists:
        return
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # UTCDateTime stores naive UTC on SQLite
    op.bulk_insert(schemes, [{"code": "loan_out", "name": "Loans out", "pattern": "LO.{year}.{n}",
                              "applies_to": "loan_out", "is_active": True, "created_at": now,
                              "updated_at": now}])


def downgrade():
    op.execute(schemes.delete().where(schemes.c.code == "loan_out"))
