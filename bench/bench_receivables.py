"""Receivables at scale: aging over 1,000,000 ledger lines and a dunning run over 100,000 overdue
invoices (targets: ≤ 1 s and ≤ 30 s on one 2-core machine).

    python -m bench.bench_receivables [--parties 20000] [--overdue 100000] [--paid 200000]

Builds its own database (BENCH_RECEIVABLES_URL, default a SQLite file in /tmp; a PostgreSQL URL
works too) with bulk inserts that mirror what the finance services post: each invoice is one
balanced journal entry (receivable / revenue), each payment another (cash / receivable).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

AS_OF = date(2026, 6, 30)


def _app(url: str) -> Any:
    from catalog import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                       "LOG_LEVEL": "WARNING", "MEDIA_DIR": "/tmp/catalog-bench-media"})


def _fresh_database(url: str) -> str:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return url
    server = sa.make_url(url)
    engine = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{server.database}"')
    engine.dispose()
    return url


def generate(app: Any, *, parties: int, overdue: int, paid: int) -> dict[str, float]:
    """Parties with accounts, ``overdue`` open overdue invoices and ``paid`` paid invoices."""
    from catalog.extensions import db
    from catalog.finance.ledger import chart_ids
    from catalog.finance.models import (
        FinanceAccount,
        FinanceContact,
        Invoice,
        JournalEntry,
        LedgerLine,
        Payment,
    )
    from catalog.parties.models import Party

    rng = random.Random(7)
    started = time.perf_counter()
    now = datetime.now(UTC)
    with app.app_context():
        session = db.session
        ids = chart_ids(session)
        session.commit()
        conn = session.connection()
        conn.execute(sa.insert(Party), [
            {"id": i, "name": f"Borrower {i}", "sort_name": f"Borrower {i:06d}",
             "kind": "organisation" if i % 3 else "person", "created_at": now, "updated_at": now}
            for i in range(1, parties + 1)])
        conn.execute(sa.insert(FinanceAccount), [
            {"id": i, "party_id": i, "kind": "institution" if i % 3 else "individual",
             "currency": "GBP", "payment_terms_days": 30, "time_zone": "Europe/London",
             "credit_hold": False, "language": "en", "created_at": now, "updated_at": now}
            for i in range(1, parties + 1)])
        conn.execute(sa.insert(FinanceContact), [
            {"account_id": i, "name": "Accounts", "email": f"ap{i}@example.org",
             "email_opt_out": False, "created_at": now, "updated_at": now}
            for i in range(1, parties + 1, 2)])
        invoices, entries, lines, payments = [], [], [], []
        entry_id = 0
        total = overdue + paid
        for n in range(1, total + 1):
            party = rng.randint(1, parties)
            is_paid = n > overdue
            issued = AS_OF - timedelta(days=rng.randint(35, 230) if not is_paid
                                       else rng.randint(60, 700))
            amount = rng.randint(20, 5000) * 100
            invoices.append({
                "id": n, "kind": "loan_fee", "party_id": party, "currency": "GBP",
                "status": "paid" if is_paid else "issued", "series": "INV",
                "number": f"INV-{n:07d}", "issue_date": issued,
                "due_date": issued + timedelta(days=30), "net_minor": amount, "tax_minor": 0,
                "total_minor": amount, "issued_at": now, "created_at": now, "updated_at": now,
                "source_type": "loan", "source_id": n})
            entry_id += 1
            entries.append({"id": entry_id, "entry_date": issued, "posted_at": now,
                            "memo": f"Invoice INV-{n:07d}", "source_type": "invoice",
                            "source_id": n})
            lines.append({"entry_id": entry_id, "account_id": ids["receivable"], "party_id": party,
                          "invoice_id": n, "entry_date": issued, "amount_minor": amount,
                          "currency": "GBP"})
            lines.append({"entry_id": entry_id, "account_id": ids["revenue_loan"],
                          "party_id": party, "invoice_id": n, "entry_date": issued,
                          "amount_minor": -amount, "currency": "GBP"})
            if is_paid:
                received = issued + timedelta(days=rng.randint(5, 50))
                payments.append({"id": len(payments) + 1, "party_id": party, "currency": "GBP",
                                 "amount_minor": amount, "received_on": received,
                                 "method": "bank_transfer", "recorded_at": now})
                entry_id += 1
                entries.append({"id": entry_id, "entry_date": received, "posted_at": now,
                                "memo": "Payment received", "source_type": "payment",
                                "source_id": len(payments)})
                lines.append({"entry_id": entry_id, "account_id": ids["cash"],
                              "party_id": party, "invoice_id": None, "entry_date": received,
                              "amount_minor": amount, "currency": "GBP"})
                lines.append({"entry_id": entry_id, "account_id": ids["receivable"],
                              "party_id": party, "invoice_id": n, "entry_date": received,
                              "amount_minor": -amount, "currency": "GBP"})
        for table, rows in ((Invoice, invoices), (JournalEntry, entries), (Payment, payments),
                            (LedgerLine, lines)):
            for start in range(0, len(rows), 50_000):
                conn.execute(sa.insert(table), rows[start:start + 50_000])
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as c:
                for table in ("parties", "finance_accounts", "invoices", "journal_entries",
                              "payments"):
                    c.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT max(id) FROM {table}))")
            # What autovacuum does on a live server: statistics and the visibility map, so the
            # aging query can read the covering index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as c:
                c.exec_driver_sql("ANALYZE")
    return {"ledger_lines": len(lines), "invoices": total, "seconds": time.perf_counter() - started}


def _drop_runs(app: Any) -> None:
    from catalog.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        for table in ("dunning_items", "dunning_lines", "dunning_runs"):
            conn.exec_driver_sql(f"DELETE FROM {table}")


def measure(app: Any) -> list[tuple[str, str, str]]:
    from catalog.extensions import db
    from catalog.receivables.aging import aging
    from catalog.receivables.dunning import start_run
    from catalog.receivables.models import DunningItem, DunningLine

    rows = []
    with app.app_context():
        samples = []
        for offset in range(5):
            started = time.perf_counter()
            report = aging(db.session, as_of=AS_OF - timedelta(days=offset * 30))
            samples.append(time.perf_counter() - started)
            db.session.rollback()
        samples.sort()
        rows.append(("aging as of a date (parties)", f"{len(report.parties):,}",
                     f"median {samples[2]:.2f} s, worst {samples[-1]:.2f} s (target ≤ 1 s)"))
        for day in (AS_OF, AS_OF + timedelta(days=1)):
            started = time.perf_counter()
            run = start_run(db.session, as_of=day, actor=None)
            db.session.commit()
            elapsed = time.perf_counter() - started
            lines = db.session.scalar(sa.select(sa.func.count()).select_from(DunningLine)
                                      .where(DunningLine.run_id == run.id))
            items = db.session.scalar(sa.select(sa.func.count()).select_from(DunningItem)
                                      .join(DunningLine).where(DunningLine.run_id == run.id))
            rows.append((f"dunning run {day}", f"{lines:,} reminders / {items:,} items",
                         f"{elapsed:.1f} s (target ≤ 30 s)"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parties", type=int, default=20_000)
    parser.add_argument("--overdue", type=int, default=100_000)
    parser.add_argument("--paid", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true",
                        help="Measure the database generated last time (runs are dropped).")
    args = parser.parse_args()
    url = os.environ.get("BENCH_RECEIVABLES_URL", "sqlite:////tmp/catalog-bench-receivables.db")
    if not args.reuse:
        _fresh_database(url)
    app = _app(url)
    with app.app_context():
        from catalog.core.migrations import upgrade

        upgrade()
    if args.reuse:
        _drop_runs(app)
    else:
        built = generate(app, parties=args.parties, overdue=args.overdue, paid=args.paid)
        print(f"database: {sa.make_url(url).get_backend_name()}; generated "
              f"{built['invoices']:,} invoices and {built['ledger_lines']:,} ledger lines in "
              f"{built['seconds']:.0f} s")
    for name, size, figure in measure(app):
        print(f"{name:<32} {size:>30}   {figure}")


if __name__ == "__main__":
    main()
