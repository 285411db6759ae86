"""Database-level guards of the finance tables, created by the migration.

- PostgreSQL: a deferred constraint trigger checks at commit that every journal entry's lines
  sum to zero per currency, so no code path (ORM, raw SQL, a console) can commit an unbalanced
  posting. SQLite has no deferred triggers: there :func:`catalog.finance.ledger.post_entry` is
  the check, and a test proves it refuses.
- Both: an issued invoice's amounts, party, currency and number cannot change, and its lines
  cannot be added, changed or deleted; only its status moves on (paid, void …).
"""

# ruff: noqa: S608  (fixed DDL built from constants, no user input)

from __future__ import annotations

from typing import Any

#: invoice columns frozen once the invoice has left draft
FROZEN_INVOICE_COLUMNS = ("kind", "party_id", "currency", "series", "number", "issue_date",
                          "due_date", "net_minor", "tax_minor", "total_minor", "source_type",
                          "source_id")

_MESSAGE = "issued invoices cannot be changed; correct them with a credit note"


def create_guards(op: Any) -> None:
    dialect = op.get_bind().dialect.name
    changed_pg = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_INVOICE_COLUMNS)
    changed_lite = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_INVOICE_COLUMNS)
    if dialect == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM ledger_lines WHERE entry_id = NEW.entry_id
                           GROUP BY currency HAVING SUM(amount_minor) <> 0) THEN
                    RAISE EXCEPTION 'journal entry % does not balance', NEW.entry_id;
                END IF;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE CONSTRAINT TRIGGER ledger_lines_balanced AFTER INSERT ON ledger_lines
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced()
        """)
        op.execute(f"""
            CREATE OR REPLACE FUNCTION invoices_issued_guard() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    IF OLD.status <> 'draft' THEN RAISE EXCEPTION '{_MESSAGE}'; END IF;
                    RETURN OLD;
                END IF;
                IF OLD.status <> 'draft' AND ({changed_pg}) THEN
                    RAISE EXCEPTION '{_MESSAGE}';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER invoices_issued_guard BEFORE UPDATE OR DELETE ON invoices
            FOR EACH ROW EXECUTE FUNCTION invoices_issued_guard()
        """)
        op.execute(f"""
            CREATE OR REPLACE FUNCTION invoice_lines_issued_guard() RETURNS trigger AS $$
            DECLARE parent_status text;
            BEGIN
                SELECT status INTO parent_status FROM invoices
                WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
                IF parent_status IS DISTINCT FROM 'draft' THEN
                    RAISE EXCEPTION '{_MESSAGE}';
                END IF;
                IF TG_OP = 'UPDATE' AND NEW.invoice_id <> OLD.invoice_id THEN
                    SELECT status INTO parent_status FROM invoices WHERE id = OLD.invoice_id;
                    IF parent_status <> 'draft' THEN RAISE EXCEPTION '{_MESSAGE}'; END IF;
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER invoice_lines_issued_guard BEFORE INSERT OR UPDATE OR DELETE
            ON invoice_lines FOR EACH ROW EXECUTE FUNCTION invoice_lines_issued_guard()
        """)
    elif dialect == "sqlite":
        op.execute(f"""
            CREATE TRIGGER invoices_issued_no_update BEFORE UPDATE ON invoices
            WHEN OLD.status <> 'draft' AND ({changed_lite})
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
        """)
        op.execute(f"""
            CREATE TRIGGER invoices_issued_no_delete BEFORE DELETE ON invoices
            WHEN OLD.status <> 'draft'
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
        """)
        op.execute(f"""
            CREATE TRIGGER invoice_lines_issued_no_insert BEFORE INSERT ON invoice_lines
            WHEN (SELECT status FROM invoices WHERE id = NEW.invoice_id) IS NOT 'draft'
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
        """)
        op.execute(f"""
            CREATE TRIGGER invoice_lines_issued_no_update BEFORE UPDATE ON invoice_lines
            WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) IS NOT 'draft'
              OR (SELECT status FROM invoices WHERE id = NEW.invoice_id) IS NOT 'draft'
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
        """)
        op.execute(f"""
            CREATE TRIGGER invoice_lines_issued_no_delete BEFORE DELETE ON invoice_lines
            WHEN (SELECT status FROM invoices WHERE id = OLD.invoice_id) IS NOT 'draft'
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
        """)


def drop_guards(op: Any) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_lines_balanced ON ledger_lines")
        op.execute("DROP FUNCTION IF EXISTS ledger_entry_balanced()")
        op.execute("DROP TRIGGER IF EXISTS invoices_issued_guard ON invoices")
        op.execute("DROP FUNCTION IF EXISTS invoices_issued_guard()")
        op.execute("DROP TRIGGER IF EXISTS invoice_lines_issued_guard ON invoice_lines")
        op.execute("DROP FUNCTION IF EXISTS invoice_lines_issued_guard()")
    elif dialect == "sqlite":
        for name in ("invoices_issued_no_update", "invoices_issued_no_delete",
                     "invoice_lines_issued_no_insert", "invoice_lines_issued_no_update",
                     "invoice_lines_issued_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
