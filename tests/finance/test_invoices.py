"""Invoices: gap-free numbers at issue, immutability, totals, credit notes, loan fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from catalog.core.errors import DomainError, InvalidTransition, ValidationError
from catalog.finance import ledger, services
from catalog.finance.models import Invoice, InvoiceLine
from tests.finance.conftest import db_refusal


def test_line_totals_round_half_even_per_line():
    assert services.line_amounts(Decimal("2.5"), 1, 0) == (2, 0)   # 2.5 -> 2
    assert services.line_amounts(Decimal("3.5"), 1, 0) == (4, 0)   # 3.5 -> 4
    assert services.line_amounts(Decimal(1), 1250, 2000) == (1250, 250)
    assert services.line_amounts(Decimal(1), 1, 5000) == (1, 0)  # 0.5 -> 0
    assert services.line_amounts(Decimal(1), 3, 5000) == (3, 2)  # 1.5 -> 2


def test_numbers_are_taken_at_issue_without_gaps(db_session, make_party, make_invoice, officer):
    party = make_party()
    draft_a = make_invoice(party, issue=False)
    draft_b = make_invoice(party, issue=False)
    assert draft_a.number is None
    assert draft_b.number is None
    services.issue_invoice(db_session, draft_b, actor=officer)
    services.issue_invoice(db_session, draft_a, actor=officer)
    first = int(draft_b.number.split("-")[1])
    assert int(draft_a.number.split("-")[1]) == first + 1
    # a refused issue does not burn a number
    empty = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    with pytest.raises(DomainError, match="at least one line"):
        services.issue_invoice(db_session, empty, actor=officer)
    third = make_invoice(party)
    assert int(third.number.split("-")[1]) == first + 2


def test_issue_posts_receivable_revenue_and_tax(db_session, make_party, make_invoice):
    party = make_party(terms=14)
    invoice = make_invoice(party, ("Photography", Decimal("1.5"), 10_001, 2000),
                           ("Licence", 1, 5_000, 0), kind="reproduction",
                           issue_date=date(2026, 3, 1))
    assert invoice.net_minor == 15_002 + 5_000
    assert invoice.tax_minor == 3_000
    assert invoice.total_minor == 23_002
    assert invoice.due_date == date(2026, 3, 15)
    assert invoice.status == "issued"
    assert ledger.invoice_balance(db_session, invoice.id) == 23_002
    assert ledger.invoice_balance(db_session, invoice.id, as_of=date(2026, 2, 28)) == 0
    assert ledger.party_receivable(db_session, party.id, "GBP") == 23_002


def test_issued_invoice_cannot_be_edited_by_the_service_or_the_database(
        db_session, make_party, make_invoice, officer):
    invoice = make_invoice(make_party())
    with pytest.raises(InvalidTransition, match="credit note"):
        services.add_line(db_session, invoice, description="More", quantity=1,
                          unit_price_minor=1, actor=officer)
    with pytest.raises(InvalidTransition):
        services.remove_line(db_session, invoice, invoice.lines[0].id, actor=officer)
    refused = "issued invoices cannot be changed"
    assert refused in db_refusal(db_session, sa.update(Invoice).where(Invoice.id == invoice.id)
                                 .values(total_minor=1))
    assert refused in db_refusal(db_session, sa.update(InvoiceLine).where(
        InvoiceLine.invoice_id == invoice.id).values(unit_price_minor=1))
    assert refused in db_refusal(db_session, sa.insert(InvoiceLine).values(
        invoice_id=invoice.id, position=9, description="x", quantity=1,
        unit_price_minor=1, tax_rate_bp=0, net_minor=1, tax_minor=0))
    assert refused in db_refusal(db_session, sa.delete(InvoiceLine).where(
        InvoiceLine.invoice_id == invoice.id))
    # the status may still move on (that is how paid and void are recorded)
    assert db_refusal(db_session, sa.update(Invoice).where(Invoice.id == invoice.id)
                      .values(status="partly_paid")) == ""


@pytest.mark.parametrize(("quantity", "price", "tax", "message"), [
    (-1, 100, 0, "more than zero"),
    (0, 100, 0, "more than zero"),
    ("abc", 100, 0, "not a quantity"),
    (1, -5, 0, "cannot be negative"),
    (1, 100, 10_001, "between 0 and 100"),
])
def test_bad_lines_are_refused(db_session, make_party, make_invoice, officer, quantity, price,
                               tax, message):
    invoice = make_invoice(make_party(), issue=False)
    count = len(invoice.lines)
    with pytest.raises(ValidationError, match=message):
        services.add_line(db_session, invoice, description="Bad", quantity=quantity,
                          unit_price_minor=price, tax_rate_bp=tax, actor=officer)
    assert len(invoice.lines) == count


def test_credit_hold_blocks_issue(db_session, make_party, make_invoice, officer):
    party = make_party()
    services.get_account(db_session, party).credit_hold = True
    invoice = make_invoice(party, issue=False)
    with pytest.raises(DomainError, match="credit hold"):
        services.issue_invoice(db_session, invoice, actor=officer)


def test_partial_then_full_credit_note_voids_the_invoice(db_session, make_party, make_invoice,
                                                         officer):
    party = make_party()
    invoice = make_invoice(party, ("Storage", 1, 10_000, 2000), kind="storage")
    note = services.create_credit_note(db_session, invoice, reason="Discount agreed",
                                       amount_minor=3_000, actor=officer)
    assert note.number.startswith("CN-")
    assert note.invoice_id == invoice.id
    assert note.tax_minor == 500
    assert note.net_minor == 2_500
    assert ledger.invoice_balance(db_session, invoice.id) == 9_000
    assert invoice.status == "issued"
    with pytest.raises(ValidationError, match="left to credit"):
        services.create_credit_note(db_session, invoice, reason="x", amount_minor=9_001,
                                    actor=officer)
    services.create_credit_note(db_session, invoice, reason="Cancelled", actor=officer)
    assert invoice.status == "void"
    assert ledger.invoice_balance(db_session, invoice.id) == 0
    # revenue and tax are back to zero
    balances = {n: b for n, _, c, b in ledger.account_balances(db_session) if c == "GBP"}
    assert balances.get("4300", 0) == 0
    assert balances.get("2200", 0) == 0


def test_credit_note_on_paid_invoice_leaves_unapplied_cash(db_session, make_party, make_invoice,
                                                           officer):
    party = make_party()
    invoice = make_invoice(party)
    services.record_payment(db_session, party=party, amount_minor=10_000, currency="GBP",
                            received_on=date(2026, 6, 1), method="card", reference=None,
                            actor=officer)
    services.create_credit_note(db_session, invoice, reason="Refund", actor=officer)
    assert invoice.status == "void"
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 10_000


class FakeLoan(SimpleNamespace):
    pass


def test_invoice_loan_fee(db_session, make_party, officer):
    party = make_party()
    loan = FakeLoan(id=4242, fee_minor=75_000, fee_currency="EUR", borrower_id=party.id,
                    number="L-2026-001")
    invoice = services.invoice_loan_fee(db_session, loan=loan, actor=officer)
    assert invoice.status == "issued"
    assert invoice.kind == "loan_fee"
    assert (invoice.source_type, invoice.source_id) == ("loan", 4242)
    assert invoice.currency == "EUR"
    assert invoice.total_minor == 75_000
    with pytest.raises(DomainError, match="already has invoice"):
        services.invoice_loan_fee(db_session, loan=loan, actor=officer)
    with pytest.raises(ValidationError, match="fee_currency"):
        services.invoice_loan_fee(db_session, loan=FakeLoan(id=1, fee_minor=5, borrower_id=1),
                                  actor=officer)


def test_viewer_cannot_create_invoices(db_session, make_party, make_user):
    viewer = make_user("viewer")
    with pytest.raises(DomainError, match="permission"):
        services.create_invoice(db_session, party=make_party(), kind="other", actor=viewer)


def test_fee_invoice_from_a_real_loan(db_session, officer):
    from catalog.core.money import Money
    from catalog.loans.finance_link import raise_fee_invoice
    from tests.loans.factories import make_loan

    loan = make_loan(db_session, fee=Money(1_234_50, "EUR"))
    invoice = raise_fee_invoice(db_session, loan=loan, actor=officer)
    assert (invoice.source_type, invoice.source_id) == ("loan", loan.id)
    assert invoice.party_id == loan.party_id
    assert invoice.currency == "EUR"
    assert invoice.total_minor == 123_450
    assert loan.number in invoice.lines[0].description
    assert loan.fee_invoice_number == invoice.number
    assert ledger.invoice_balance(db_session, invoice.id) == 123_450


def test_drafts_can_be_deleted_issued_invoices_cannot(db_session, make_party, make_invoice,
                                                     officer):
    party = make_party()
    draft = make_invoice(party, issue=False)
    draft_id = draft.id
    services.delete_draft(db_session, draft, actor=officer)
    assert db_session.get(Invoice, draft_id) is None
    issued = make_invoice(party)
    with pytest.raises(InvalidTransition, match="credit note"):
        services.delete_draft(db_session, issued, actor=officer)
    assert "issued invoices cannot be changed" in db_refusal(
        db_session, sa.delete(Invoice).where(Invoice.id == issued.id))
