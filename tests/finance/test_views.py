"""Finance pages: permissions, issuing and paying through the UI, refusals, PDFs, bank upload."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from catalog.finance import ledger, services
from catalog.finance.models import Invoice, LedgerLine, Payment
from catalog.parties.models import Party


@pytest.fixture
def party(db_session):
    record = Party(name="Whitworth Art Gallery", sort_name="Whitworth", kind="organisation",
                   email="finance@whitworth.example")
    db_session.add(record)
    db_session.flush()
    return record


def test_finance_pages_are_for_finance_roles_only(client, auth, party, db_session, make_user):
    officer = make_user("finance_officer")
    invoice = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    services.add_line(db_session, invoice, description="Fee", quantity=1,
                      unit_price_minor=987_654, actor=officer)
    services.issue_invoice(db_session, invoice, actor=officer)
    auth.login("registrar")
    dashboard = client.get("/").get_data(as_text=True)
    assert ">Finance<" not in dashboard
    assert "9,876.54" not in dashboard
    for url in ("/finance/", "/finance/invoices", f"/finance/parties/{party.id}",
                "/finance/payments", "/finance/bank", "/finance/pledges", "/finance/write-offs",
                "/finance/journal", f"/finance/invoices/{invoice.id}/pdf"):
        assert client.get(url).status_code == 403, url
    auth.logout()
    auth.login("finance_officer")
    dashboard = client.get("/").get_data(as_text=True)
    assert ">Finance<" in dashboard
    assert "GBP 9,876.54 receivable" in dashboard
    for url in ("/finance/", "/finance/invoices", f"/finance/parties/{party.id}",
                "/finance/payments", "/finance/bank", "/finance/bank/review", "/finance/pledges",
                "/finance/write-offs", "/finance/accounts", "/finance/invoices/new",
                "/finance/payments/new", f"/finance/payments/new?party_id={party.id}",
                "/finance/pledges/new", "/finance/journal"):
        assert client.get(url).status_code == 200, url


def test_issue_an_invoice_and_record_a_payment_through_the_pages(client, auth, party,
                                                                 db_session):
    auth.login("finance_officer")
    response = client.post("/finance/invoices/new", data={"party_id": party.id,
                                                          "kind": "reproduction",
                                                          "reference": "Order 77"})
    assert response.status_code == 302
    invoice = db_session.scalar(sa.select(Invoice).where(Invoice.party_id == party.id))
    url = f"/finance/invoices/{invoice.id}"
    response = client.post(f"{url}/lines", data={"line-description": "Photograph of N05123",
                                                 "line-quantity": "2", "line-unit_price": "45.50",
                                                 "line-tax_rate": "20"})
    assert response.status_code == 302
    # a negative quantity is refused on the form, nothing added
    response = client.post(f"{url}/lines", data={"line-description": "Bad",
                                                 "line-quantity": "-1",
                                                 "line-unit_price": "1"})
    assert response.status_code == 422
    assert b"more than zero" in response.data
    assert client.post(f"{url}/issue").status_code == 302
    db_session.refresh(invoice)
    assert invoice.status == "issued"
    assert invoice.total_minor == 10_920
    page = client.get(url).get_data(as_text=True)
    assert invoice.number in page
    assert "GBP 109.20" in page
    # editing an issued invoice is refused with a clear message
    response = client.post(f"{url}/lines", data={"line-description": "More",
                                                 "line-quantity": "1",
                                                 "line-unit_price": "1"})
    assert response.status_code == 422
    assert b"credit note" in response.data
    # a payment above the open amount, allocated by hand, is refused and posts nothing
    lines_before = db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine))
    response = client.post(f"/finance/payments/new?party_id={party.id}", data={
        "party_id": party.id, "amount": "200.00", "currency": "GBP",
        "received_on": "2026-06-01", "method": "bank_transfer", "mode": "manual",
        f"alloc-{invoice.id}": "150.00"})
    assert response.status_code == 422
    assert b"more than the" in response.data
    response = client.post(f"/finance/payments/new?party_id={party.id}", data={
        "party_id": party.id, "amount": "109.20", "currency": "EUR",
        "received_on": "2026-06-01", "method": "bank_transfer", "mode": "manual",
        f"alloc-{invoice.id}": "109.20"})
    assert response.status_code == 422
    assert b"is in GBP" in response.data
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine)) == lines_before
    response = client.post(f"/finance/payments/new?party_id={party.id}", data={
        "party_id": party.id, "amount": "150.00", "currency": "GBP",
        "received_on": "2026-06-01", "method": "bank_transfer", "mode": "oldest",
        "reference": "BACS 1"}, follow_redirects=True)
    assert response.status_code == 200
    assert b"kept as unapplied cash" in response.data
    db_session.refresh(invoice)
    assert invoice.status == "paid"
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 4_080
    # a clerk whose page still showed the invoice open types an amount against it: refused,
    # not quietly recorded as unapplied cash (another clerk has just paid it)
    payments_before = db_session.scalar(sa.select(sa.func.count()).select_from(Payment))
    response = client.post(f"/finance/payments/new?party_id={party.id}", data={
        "party_id": party.id, "amount": "109.20", "currency": "GBP",
        "received_on": "2026-06-01", "method": "card", "mode": "manual",
        f"alloc-{invoice.id}": "109.20"})
    assert response.status_code == 422
    assert b"takes no payment" in response.data
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Payment)) == payments_before
    overdue = client.get("/finance/invoices?overdue=1").get_data(as_text=True)
    assert invoice.number not in overdue  # paid
    party_page = client.get(f"/finance/parties/{party.id}").get_data(as_text=True)
    assert "GBP 40.80" in party_page
    assert "BACS 1" in party_page
    journal = client.get(f"/finance/journal?invoice_id={invoice.id}").get_data(as_text=True)
    assert f"Invoice {invoice.number}" in journal
    assert "1100 Accounts receivable" in journal
    pdf = client.get(f"{url}/pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    statement = client.get(f"/finance/parties/{party.id}/statement.pdf")
    assert statement.data.startswith(b"%PDF")


def test_settings_contacts_and_mail(client, auth, party, db_session):
    from catalog.core.outbox import OutboxMessage

    auth.login("finance_officer")
    response = client.post(f"/finance/parties/{party.id}/settings", data={
        "kind": "institution", "currency": "EUR", "payment_terms_days": "45",
        "time_zone": "Mars/Olympus", "language": "fr"})
    assert response.status_code == 422
    assert b"not a time zone" in response.data
    response = client.post(f"/finance/parties/{party.id}/settings", data={
        "kind": "institution", "currency": "eur", "payment_terms_days": "45",
        "time_zone": "Europe/Paris", "language": "fr"})
    assert response.status_code == 302
    account = services.get_account(db_session, party)
    db_session.refresh(account)
    assert (account.currency, account.payment_terms_days, account.time_zone) == (
        "EUR", 45, "Europe/Paris")
    client.post(f"/finance/parties/{party.id}/contacts", data={
        "contact-name": "Ann Ledger", "contact-email": "ann@whitworth.example"})
    client.post(f"/finance/parties/{party.id}/contacts", data={
        "contact-name": "No Mail", "contact-email": "nomail@whitworth.example",
        "contact-email_opt_out": "y"})
    officer = auth.user
    invoice = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    services.add_line(db_session, invoice, description="Fee", quantity=1,
                      unit_price_minor=5_000, actor=officer)
    services.issue_invoice(db_session, invoice, actor=officer)
    assert invoice.due_date == invoice.issue_date.fromordinal(invoice.issue_date.toordinal() + 45)
    assert client.post(f"/finance/invoices/{invoice.id}/send").status_code == 302
    sent = db_session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.subject == f"Invoice {invoice.number}")).all()
    assert [m.to_addr for m in sent] == ["ann@whitworth.example"]
    assert sent[0].attachments[0].content.startswith(b"%PDF")


def test_write_off_approval_page(client, auth, party, db_session, make_user):
    officer = make_user("finance_officer", authority_limit_minor=1_000, authority_currency="GBP")
    invoice = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    services.add_line(db_session, invoice, description="Fee", quantity=1,
                      unit_price_minor=5_000, actor=officer)
    services.issue_invoice(db_session, invoice, actor=officer)
    write_off = services.request_write_off(db_session, invoice, amount_minor=5_000,
                                           reason="Gone away", actor=officer)
    assert write_off.status == "pending"
    auth.login("finance_manager", authority_limit_minor=10_000, authority_currency="GBP")
    assert b"Approve" in client.get("/finance/write-offs").data
    client.post(f"/finance/write-offs/{write_off.id}/approve")
    db_session.refresh(write_off)
    assert write_off.status == "posted"


def test_bank_upload_and_review(client, auth, party, db_session):
    officer = auth.login("finance_officer")
    invoice = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    services.add_line(db_session, invoice, description="Fee", quantity=1,
                      unit_price_minor=5_000, actor=officer)
    services.issue_invoice(db_session, invoice, actor=officer)
    data = (f"date,amount,currency,reference,id\n2026-06-02,30.00,GBP,{invoice.number},B1\n"
            ).encode()
    response = client.post("/finance/bank", data={"file": (io.BytesIO(data), "june.csv"),
                                                  "currency": "GBP"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    review = client.get("/finance/bank/review").get_data(as_text=True)
    assert "amount differs" in review
    response = client.post("/finance/bank", data={"file": (io.BytesIO(data), "june.csv"),
                                                  "currency": "GBP"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert b"already imported" in response.data
    from catalog.finance.models import BankTransaction

    txn = db_session.scalar(sa.select(BankTransaction).where(BankTransaction.bank_ref == "csv:B1"))
    client.post(f"/finance/bank/transactions/{txn.id}/confirm")
    db_session.refresh(invoice)
    assert invoice.status == "partly_paid"
    assert db_session.scalar(sa.select(Payment.amount_minor).where(
        Payment.bank_transaction_id == txn.id)) == 3_000


def test_pledge_pages_and_instalments(client, auth, party, db_session):
    auth.login("finance_officer")
    response = client.post("/finance/pledges/new", data={
        "party_id": party.id, "total": "1000.00", "currency": "GBP",
        "purpose": "Conservation of the Turner sketchbooks", "pledged_on": "2026-01-10",
        "instalments": "3", "first_due": services.today().isoformat(), "every_months": "12"})
    assert response.status_code == 302
    client.post("/finance/pledges/raise")
    invoices = db_session.scalars(sa.select(Invoice).where(
        Invoice.kind == "pledge_instalment", Invoice.party_id == party.id)).all()
    assert len(invoices) == 1
    assert invoices[0].total_minor == 33_333
    client.post("/finance/pledges/raise")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(
        Invoice.kind == "pledge_instalment", Invoice.party_id == party.id)) == 1
    pledge_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/finance/pledges/{pledge_id}/acknowledgement.pdf").data.startswith(b"%PDF")


def test_credit_write_off_apply_and_refund_forms(client, auth, party, db_session):
    officer = auth.login("finance_officer", authority_limit_minor=100_000,
                         authority_currency="GBP")
    first = services.create_invoice(db_session, party=party, kind="storage", actor=officer)
    services.add_line(db_session, first, description="Storage", quantity=1,
                      unit_price_minor=10_000, actor=officer)
    services.issue_invoice(db_session, first, actor=officer)
    url = f"/finance/invoices/{first.id}"
    response = client.post(f"{url}/credit", data={"credit-amount": "200.00",
                                                  "credit-reason": "Too much"})
    assert response.status_code == 422
    assert b"left to credit" in response.data
    assert client.post(f"{url}/credit", data={"credit-amount": "20.00",
                                              "credit-reason": "Discount"}).status_code == 302
    response = client.post(f"{url}/write-off", data={"wo-amount": "90.00", "wo-reason": "x"})
    assert response.status_code == 422
    assert b"is open" in response.data
    assert client.post(f"{url}/write-off", data={"wo-amount": "10.00",
                                                 "wo-reason": "Small balance"}).status_code == 302
    db_session.refresh(first)
    assert ledger.invoice_balance(db_session, first.id) == 7_000
    # an overpayment kept as unapplied cash, applied to a later invoice, the rest refunded
    services.record_payment(db_session, party=party, amount_minor=10_000, currency="GBP",
                            received_on=date(2026, 6, 1), method="cheque", reference="chq 1",
                            actor=officer)
    second = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    services.add_line(db_session, second, description="Copies", quantity=1,
                      unit_price_minor=1_000, actor=officer)
    services.issue_invoice(db_session, second, actor=officer)
    assert client.post(f"/finance/parties/{party.id}/apply",
                       data={"currency": "GBP"}).status_code == 302
    db_session.refresh(second)
    assert second.status == "paid"
    response = client.post(f"/finance/parties/{party.id}/refund", data={
        "refund-amount": "50.00", "refund-currency": "GBP", "refund-method": "bank_transfer"})
    assert response.status_code == 422
    assert b"only GBP 20.00" in response.data
    assert client.post(f"/finance/parties/{party.id}/refund", data={
        "refund-amount": "20.00", "refund-currency": "GBP",
        "refund-method": "bank_transfer"}).status_code == 302
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 0


def test_reverse_a_payment_from_its_page(client, auth, party, db_session):
    officer = auth.login("finance_officer")
    invoice = services.create_invoice(db_session, party=party, kind="other", actor=officer)
    services.add_line(db_session, invoice, description="Fee", quantity=1,
                      unit_price_minor=5_000, actor=officer)
    services.issue_invoice(db_session, invoice, actor=officer)
    payment = services.record_payment(db_session, party=party, amount_minor=5_000,
                                      currency="GBP", received_on=date(2026, 6, 1),
                                      method="cheque", reference="chq 7", actor=officer)
    assert "Reverse this payment" in client.get(f"/finance/payments/{payment.id}").get_data(
        as_text=True)
    response = client.post(f"/finance/payments/{payment.id}/reverse",
                           data={"reason": "Cheque bounced"}, follow_redirects=True)
    assert "Payment reversed" in response.get_data(as_text=True)
    db_session.refresh(invoice)
    assert invoice.status == "issued"
    page = client.get(f"/finance/invoices/{invoice.id}").get_data(as_text=True)
    assert "reversed" in page
