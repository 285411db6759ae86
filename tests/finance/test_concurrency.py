"""Two clerks paying the same invoice at the same moment cannot over-allocate it."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from catalog.core.errors import ValidationError
from catalog.extensions import db
from catalog.finance import ledger, services
from catalog.finance.models import Invoice
from catalog.parties.models import Party
from catalog.users.services import create_user


@pytest.mark.slow
def test_concurrent_payments_cannot_over_allocate(app, committed_db):
    session = committed_db
    clerk = create_user(session, email="clerk@example.org", password="x" * 12,
                        role_codes=["finance_officer"])
    party = Party(name="Tate", sort_name="Tate", kind="organisation")
    session.add(party)
    session.flush()
    invoice = services.create_invoice(session, party=party, kind="loan_fee", actor=clerk)
    services.add_line(session, invoice, description="Fee", quantity=1, unit_price_minor=10_000,
                      actor=clerk)
    services.issue_invoice(session, invoice, actor=clerk)
    session.commit()
    ids = (clerk.id, party.id, invoice.id)
    session.remove()

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk_pays() -> None:
        from catalog.users.models import User

        # Both clerks start together; on SQLite the first to begin holds the write lock
        # (BEGIN IMMEDIATE) and the other queues, on PostgreSQL the invoice row lock does it.
        barrier.wait(timeout=10)
        with app.app_context():
            s = db.session
            try:
                user = s.get(User, ids[0])
                payer = s.get(Party, ids[1])
                services.record_payment(s, party=payer, amount_minor=10_000, currency="GBP",
                                        received_on=date(2026, 5, 1), method="card",
                                        reference=None, actor=user,
                                        allocations={ids[2]: 10_000})
                s.commit()
                outcomes.append("paid")
            except ValidationError as exc:
                s.rollback()
                outcomes.append(f"refused: {exc.message}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=clerk_pays) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.split(":")[0] for o in outcomes) == ["paid", "refused"], outcomes
    with app.app_context():
        assert ledger.invoice_balance(db.session, ids[2]) == 0
        assert db.session.scalar(sa.select(Invoice.status).where(Invoice.id == ids[2])) == "paid"
        db.session.remove()


@pytest.mark.slow
def test_concurrent_issues_take_consecutive_numbers(app, committed_db):
    session = committed_db
    clerk = create_user(session, email="issuer@example.org", password="x" * 12,
                        role_codes=["finance_officer"])
    party = Party(name="V&A", sort_name="V&A", kind="organisation")
    session.add(party)
    session.flush()
    drafts = []
    for _ in range(4):
        invoice = services.create_invoice(session, party=party, kind="other", actor=clerk)
        services.add_line(session, invoice, description="Fee", quantity=1,
                          unit_price_minor=1_000, actor=clerk)
        drafts.append(invoice.id)
    session.commit()
    clerk_id = clerk.id
    session.remove()
    barrier = threading.Barrier(len(drafts))
    errors: list[str] = []

    def issue(invoice_id: int) -> None:
        from catalog.users.models import User

        barrier.wait(timeout=10)
        with app.app_context():
            s = db.session
            try:
                services.issue_invoice(s, s.get(Invoice, invoice_id),
                                       actor=s.get(User, clerk_id))
                s.commit()
            except Exception as exc:
                s.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        numbers = sorted(db.session.scalars(sa.select(Invoice.number).where(
            Invoice.id.in_(drafts))))
        db.session.remove()
    values = [int(n.split("-")[1]) for n in numbers]
    assert values == list(range(values[0], values[0] + len(drafts)))
