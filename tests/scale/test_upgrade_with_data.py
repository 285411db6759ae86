"""A SQLite database that holds data can be upgraded across a migration that rebuilds a table
other rows point at (0701 rebuilds ``payments``; allocations reference it)."""

from __future__ import annotations

import sqlalchemy as sa

from catalog import create_app
from catalog.extensions import db
from tests.conftest import test_config


def test_upgrade_rebuilds_a_referenced_table_on_sqlite(tmp_path):
    app = create_app(test_config(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    with app.app_context():
        from alembic import command

        from catalog.core.migrations import alembic_config, upgrade

        command.upgrade(alembic_config(), "0602")
        with db.engine.begin() as conn:
            run = conn.exec_driver_sql
            run("INSERT INTO parties (id, kind, name, sort_name, created_at, updated_at) "
                "VALUES (1, 'organisation', 'Tate', 'Tate', '2026-01-01', '2026-01-01')")
            run("INSERT INTO invoices (id, kind, party_id, currency, status, series, number, "
                "net_minor, tax_minor, total_minor, created_at, updated_at) VALUES (1, 'other', "
                "1, 'GBP', 'draft', 'INV', 'INV-1', 0, 0, 0, '2026-01-01', '2026-01-01')")
            run("INSERT INTO journal_entries (id, entry_date, posted_at, memo, source_type) "
                "VALUES (1, '2026-01-01', '2026-01-01', 'Payment', 'payment')")
            run("INSERT INTO payments (id, party_id, currency, amount_minor, received_on, method, "
                "recorded_at) VALUES (1, 1, 'GBP', 500, '2026-01-01', 'card', '2026-01-01')")
            run("INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor, currency, "
                "allocated_on, entry_id) VALUES (1, 1, 500, 'GBP', '2026-01-01', 1)")
        upgrade()
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM payment_allocations")) == 1
            assert conn.scalar(sa.text("SELECT amount_minor FROM payments")) == 500
            # the app's connections still enforce references after the migration
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.session.remove()
        db.engine.dispose()
