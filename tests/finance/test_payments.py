"""Payments: allocation oldest-first or by hand, unapplied cash, refunds, bad input refused."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.core.errors import DomainError, ValidationError
from catalog.finance import ledger, services
from catalog.finance.models import LedgerLine, Payment

TODAY = date(2026, 6, 1)


def _pay(db_session, officer, party, amount, currency="GBP", allocations=None):
    return services.record_payment(db_session, party=party, amount_minor=amount,
                                   currency=currency, received_on=TODAY, method="bank_transfer",
                                   reference="ref", actor=officer, allocations=allocations)


def _ledger_count(db_session):
    return db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine))


def test_oldest_first_partial_and_unapplied(db_session, make_party, make_invoice, officer):
    party = make_party()
    old = make_invoice(party, ("A", 1, 10_000, 0), issue_date=date(2026, 1, 1))
    new = make_invoice(party, ("B", 1, 5_000, 0), issue_date=date(2026, 2, 1))
    _pay(db_session, officer, party, 12_000)
    assert old.status == "paid"
    assert new.status == "partly_paid"
    assert ledger.invoice_balance(db_session, new.id) == 3_000
    _pay(db_session, officer, party, 4_000)
    assert new.status == "paid"
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 1_000
    # apply later to a new invoice, then refund nothing is left
    later = make_invoice(party, ("C", 1, 600, 0))
    services.apply_unapplied(db_session, party=party, currency="GBP", actor=officer)
    assert later.status == "paid"
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 400
    services.refund_unapplied(db_session, party=party, currency="GBP", amount_minor=400,
                              method="bank_transfer", reference="R1", actor=officer)
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 0
    with pytest.raises(ValidationError, match="only"):
        services.refund_unapplied(db_session, party=party, currency="GBP", amount_minor=1,
                                  method="bank_transfer", reference=None, actor=officer)


def test_manual_allocation_across_invoices(db_session, make_party, make_invoice, officer):
    party = make_party()
    a = make_invoice(party, ("A", 1, 10_000, 0))
    b = make_invoice(party, ("B", 1, 10_000, 0))
    payment = _pay(db_session, officer, party, 9_000, allocations={b.id: 6_000, a.id: 3_000})
    assert {x.invoice_id: x.amount_minor for x in payment.allocations} == {a.id: 3_000,
                                                                            b.id: 6_000}
    assert a.status == b.status == "partly_paid"


@pytest.mark.parametrize("case", ["wrong_currency", "above_open", "above_payment", "negative",
                                  "zero_payment", "other_party", "wrong_currency_no_invoice"])
def test_bad_payments_are_refused_and_nothing_is_posted(db_session, make_party, make_invoice,
                                                        officer, case):
    party = make_party()
    invoice = make_invoice(party, ("A", 1, 10_000, 0))
    other = make_party()
    other_invoice = make_invoice(other, ("X", 1, 100, 0))
    before = _ledger_count(db_session)
    payments_before = db_session.scalar(sa.select(sa.func.count()).select_from(Payment))
    args = {
        "wrong_currency": (10_000, "EUR", {invoice.id: 10_000}, "in GBP"),
        "above_open": (20_000, "GBP", {invoice.id: 10_001}, "more than the"),
        "above_payment": (5_000, "GBP", {invoice.id: 6_000}, "exceed"),
        "negative": (5_000, "GBP", {invoice.id: -1}, "negative"),
        "zero_payment": (0, "GBP", None, "positive"),
        "other_party": (100, "GBP", {other_invoice.id: 100}, "belongs to"),
        "wrong_currency_no_invoice": (100, "USD", None, "billed in GBP"),
    }[case]
    amount, currency, allocations, message = args
    with pytest.raises(ValidationError, match=message):
        _pay(db_session, officer, party, amount, currency, allocations)
    assert _ledger_count(db_session) == before
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Payment)) == payments_before
    assert ledger.invoice_balance(db_session, invoice.id) == 10_000


def test_paid_invoice_takes_no_more_payment(db_session, make_party, make_invoice, officer):
    party = make_party()
    invoice = make_invoice(party, ("A", 1, 1_000, 0))
    _pay(db_session, officer, party, 1_000)
    with pytest.raises(ValidationError, match="takes no payment"):
        _pay(db_session, officer, party, 1_000, allocations={invoice.id: 1_000})


def test_apply_unapplied_needs_cash(db_session, make_party, officer):
    with pytest.raises(DomainError, match="no unapplied cash"):
        services.apply_unapplied(db_session, party=make_party(), currency="GBP", actor=officer)


def test_write_off_within_limit_posts_and_recovery_reverses(db_session, make_party,
                                                            make_invoice, officer):
    party = make_party()
    invoice = make_invoice(party, ("A", 1, 40_000, 0))
    write_off = services.request_write_off(db_session, invoice, amount_minor=40_000,
                                           reason="Borrower insolvent", actor=officer)
    assert write_off.status == "posted"
    assert invoice.status == "written_off"
    assert ledger.invoice_balance(db_session, invoice.id) == 0
    services.recover_write_off(db_session, write_off, actor=officer)
    assert write_off.status == "recovered"
    assert invoice.status == "issued"
    assert ledger.invoice_balance(db_session, invoice.id) == 40_000


def test_write_off_above_limit_waits_for_a_covering_approver(db_session, make_party,
                                                             make_invoice, officer, make_user):
    party = make_party()
    invoice = make_invoice(party, ("A", 1, 90_000, 0))
    write_off = services.request_write_off(db_session, invoice, amount_minor=90_000,
                                           reason="Disputed, settled", actor=officer)
    assert write_off.status == "pending"
    assert ledger.invoice_balance(db_session, invoice.id) == 90_000
    with pytest.raises(DomainError, match="authority limit"):
        services.approve_write_off(db_session, write_off, actor=officer)
    manager = make_user("finance_manager", authority_limit_minor=100_000,
                        authority_currency="GBP")
    services.approve_write_off(db_session, write_off, actor=manager)
    assert write_off.status == "posted"
    assert write_off.approved_by_id == manager.id
    assert invoice.status == "written_off"
    with pytest.raises(ValidationError, match="reason"):
        services.request_write_off(db_session, make_invoice(party), amount_minor=1, reason=" ",
                                   actor=officer)


def test_settlement_rest_written_off_by_the_approver(db_session, make_party, make_invoice,
                                                     officer):
    party = make_party()
    invoice = make_invoice(party, ("A", 1, 30_000, 0))
    services.record_payment(db_session, party=party, amount_minor=20_000, currency="GBP",
                            received_on=TODAY, method="card", reference=None, actor=officer)
    write_off = services.post_approved_write_off(db_session, invoice, amount_minor=10_000,
                                                 reason="settlement", approver=officer)
    assert write_off.status == "posted"
    assert invoice.status == "paid"
    balances = ledger.party_balances(db_session, "receivable")
    assert (party.id, "GBP") not in balances
    with pytest.raises(DomainError, match="does not cover"):
        services.post_approved_write_off(db_session, make_invoice(party, ("B", 1, 90_000, 0)),
                                         amount_minor=90_000, reason="settlement",
                                         approver=officer)


def test_reversing_a_payment_reopens_its_invoices(db_session, make_party, make_invoice, officer):
    party = make_party()
    invoice = make_invoice(party, ("A", 1, 10_000, 0))
    payment = _pay(db_session, officer, party, 12_000)
    assert invoice.status == "paid"
    with pytest.raises(ValidationError, match="reason"):
        services.reverse_payment(db_session, payment, reason="", actor=officer)
    services.reverse_payment(db_session, payment, reason="Cheque bounced", actor=officer)
    assert payment.is_reversed
    assert invoice.status == "issued"
    assert ledger.invoice_balance(db_session, invoice.id) == 10_000
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 0
    cash = ledger.account_id(db_session, "cash")
    assert db_session.scalar(sa.select(sa.func.sum(LedgerLine.amount_minor)).where(
        LedgerLine.party_id == party.id, LedgerLine.account_id == cash)) == 0
    with pytest.raises(DomainError, match="already been reversed"):
        services.reverse_payment(db_session, payment, reason="again", actor=officer)


def test_payment_whose_unapplied_cash_was_used_cannot_be_reversed(db_session, make_party,
                                                                  make_invoice, officer):
    party = make_party()
    payment = _pay(db_session, officer, party, 5_000)
    make_invoice(party, ("Later", 1, 5_000, 0))
    services.apply_unapplied(db_session, party=party, currency="GBP", actor=officer)
    with pytest.raises(DomainError, match="cannot be reversed as a whole"):
        services.reverse_payment(db_session, payment, reason="error", actor=officer)
