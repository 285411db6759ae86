"""Demo data loads twice without change; raise-instalments is idempotent from the CLI."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from catalog.finance import ledger, services
from catalog.finance.models import Invoice, LedgerLine, Pledge


def test_demo_is_idempotent(db_session):
    from catalog.finance.demo import load_finance

    load_finance(db_session)
    counts = (db_session.scalar(sa.select(sa.func.count()).select_from(Invoice)),
              db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine)))
    assert load_finance(db_session) == ["finance: demo invoices already there"]
    assert counts == (db_session.scalar(sa.select(sa.func.count()).select_from(Invoice)),
                      db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine)))
    statuses = set(db_session.scalars(sa.select(Invoice.status)))
    assert {"draft", "issued", "partly_paid", "paid", "void"} <= statuses
    totals: dict[str, int] = {}
    for _n, _name, currency, balance in ledger.account_balances(db_session):
        totals[currency] = totals.get(currency, 0) + balance
    assert set(totals.values()) == {0}


def test_raise_instalments_cli_is_idempotent(app, committed_db):
    from catalog.parties.models import Party

    party = Party(name="Ellison", sort_name="Ellison", kind="person", email="e@example.org")
    committed_db.add(party)
    committed_db.flush()
    services.create_pledge(committed_db, party=party, currency="GBP", total_minor=90_000,
                           pledged_on=date(2026, 1, 1), purpose="Acquisitions fund",
                           instalments=3, first_due=date(2026, 2, 1), every_months=1,
                           actor=None)
    committed_db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["finance", "raise-instalments", "--as-of", "2026-03-15"])
    assert result.exit_code == 0, result.output
    assert "2 instalment invoice(s) raised as of 2026-03-15" in result.output
    result = runner.invoke(args=["finance", "raise-instalments", "--as-of", "2026-03-15"])
    assert "0 instalment invoice(s) raised" in result.output
    committed_db.remove()
    pledge = committed_db.scalar(sa.select(Pledge))
    raised = [i.invoice for i in pledge.instalments if i.invoice]
    assert [i.due_date for i in raised] == [date(2026, 2, 1), date(2026, 3, 1)]
    assert [i.total_minor for i in raised] == [30_000, 30_000]


def test_paid_instalment_sends_a_gift_acknowledgement(db_session, make_party, officer):
    from catalog.core.outbox import OutboxMessage

    party = make_party("Margaret Ellison", kind="person", email="m@example.org")
    services.create_pledge(db_session, party=party, currency="GBP", total_minor=50_000,
                           pledged_on=date(2026, 1, 1), purpose="Education room",
                           instalments=2, first_due=date(2026, 1, 15), actor=officer)
    [invoice] = services.raise_instalments(db_session, as_of=date(2026, 1, 20), actor=officer)
    services.record_payment(db_session, party=party, amount_minor=10_000, currency="GBP",
                            received_on=date(2026, 1, 25), method="card", reference=None,
                            actor=officer)
    assert db_session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_addr == "m@example.org")) is None  # not paid yet
    services.record_payment(db_session, party=party, amount_minor=15_000, currency="GBP",
                            received_on=date(2026, 1, 26), method="card", reference=None,
                            actor=officer)
    assert invoice.status == "paid"
    message = db_session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_addr == "m@example.org"))
    assert "Thank you for your gift" in message.subject
    assert message.attachments[0].content.startswith(b"%PDF")


def test_financial_records_are_audited(db_session, make_party, make_invoice, officer):
    from catalog.core.audit import AuditLog

    invoice = make_invoice(make_party())
    actions = set(db_session.execute(sa.select(AuditLog.record_type, AuditLog.action).where(
        AuditLog.record_type.in_(["invoices", "invoice_lines", "journal_entries",
                                  "ledger_lines"]))))
    assert {("invoices", "insert"), ("invoices", "update"), ("invoice_lines", "insert"),
            ("journal_entries", "insert"), ("ledger_lines", "insert")} <= actions
    row = db_session.scalar(sa.select(AuditLog).where(
        AuditLog.record_type == "invoices", AuditLog.record_id == str(invoice.id),
        AuditLog.action == "update").order_by(AuditLog.id.desc()))
    assert row.actor_label in {officer.email, "system"}  # the request names the user


def test_cancelled_pledge_raises_no_more_instalments(db_session, make_party, officer):
    party = make_party("Donor", kind="person")
    pledge = services.create_pledge(db_session, party=party, currency="GBP", total_minor=30_000,
                                    pledged_on=date(2026, 1, 1), purpose="Library",
                                    instalments=3, first_due=date(2026, 1, 10), every_months=1,
                                    actor=officer)
    assert len(services.raise_instalments(db_session, as_of=date(2026, 1, 10),
                                          actor=officer)) == 1
    services.cancel_pledge(db_session, pledge, reason="Donor moved abroad", actor=officer)
    assert services.raise_instalments(db_session, as_of=date(2026, 12, 31), actor=officer) == []
    from catalog.core.audit import AuditLog

    assert db_session.scalar(sa.select(AuditLog.reason).where(
        AuditLog.record_type == "pledges", AuditLog.action == "update")) == "Donor moved abroad"
