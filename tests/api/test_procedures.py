"""``/api/v1/invoices`` and ``/api/v1/payments``."""

from __future__ import annotations

from datetime import date
from typing import Any

from catalog.finance.models.invoices import Invoice
from catalog.finance.models.payments import Payment
from catalog.parties.models import Party
from tests.api.conftest import ApiClient


def test_invoices_and_payments_are_listed_and_read(db_session: Any, client: Any,
                                                   token_for: Any) -> None:
    borrower = Party(name="Kunsthalle Nord", sort_name="Kunsthalle Nord", kind="organisation")
    db_session.add(borrower)
    db_session.flush()
    invoice = Invoice(kind="loan_fee", party_id=borrower.id, currency="EUR", status="draft",
                      total_minor=150_000)
    payment = Payment(party_id=borrower.id, currency="EUR", amount_minor=150_000,
                      received_on=date(2026, 3, 5), method="bank_transfer")
    db_session.add_all([invoice, payment])
    db_session.commit()

    manager = ApiClient(client, token_for("finance_manager"))
    conservator = ApiClient(client, token_for("conservator"))
    registrar = ApiClient(client, token_for("registrar"))
    assert manager.get(f"/api/v1/invoices/{invoice.id}").json["total_minor"] == 150_000
    drafts = manager.get("/api/v1/invoices", query_string={"status": "draft"}).json["items"]
    assert [i["id"] for i in drafts] == [invoice.id]
    payments = manager.get("/api/v1/payments",
                           query_string={"party": borrower.id,
                                         "received_since": "2026-03-01"}).json["items"]
    assert [p["amount_minor"] for p in payments] == [150_000]
    # Finance records need finance permissions; payments are never changed, only recorded.
    assert conservator.get("/api/v1/invoices").status_code == 403
    assert registrar.post("/api/v1/payments", json={}).status_code == 403
    assert manager.patch(f"/api/v1/payments/{payment.id}", json={}).status_code == 405
    assert manager.get("/api/v1/invoices", query_string={"status": "lost"}).status_code == 422


def test_payments_are_recorded_through_the_finance_service(
        db_session: Any, client: Any, token_for: Any) -> None:
    from catalog.finance.services import add_line, create_invoice, issue_invoice
    from catalog.users.models import User

    donor = Party(name="Friends of the Museum", sort_name="Friends", kind="organisation")
    db_session.add(donor)
    db_session.commit()
    finance = ApiClient(client, token_for("finance_officer"))
    officer = db_session.query(User).filter(User.email.like("finance_officer%")).one()
    invoice = create_invoice(db_session, party=donor, kind="other", actor=officer,
                             currency="GBP")
    add_line(db_session, invoice, description="Reproduction", quantity=1,
             unit_price_minor=12_000, actor=officer)
    issue_invoice(db_session, invoice, actor=officer, issue_date=date(2026, 1, 5),
                  due_date=date(2026, 2, 4))
    db_session.commit()
    paid = finance.post("/api/v1/payments", json={
        "party": donor.id, "amount_minor": 12_000, "currency": "GBP",
        "received_on": "2026-01-20", "method": "bank_transfer", "reference": "BACS 991"})
    assert paid.status_code == 201, paid.json
    assert paid.json["allocations"] == [{"invoice_id": invoice.id, "amount_minor": 12_000,
                                         "currency": "GBP", "allocated_on": "2026-01-20"}]
    assert finance.get(f"/api/v1/invoices/{invoice.id}").json["status"] == "paid"
    zero = finance.post("/api/v1/payments", json={
        "party": donor.id, "amount_minor": 0, "currency": "GBP",
        "received_on": "2026-01-20", "method": "cash"})
    assert zero.status_code == 422


def test_draft_invoices_are_created_with_their_lines(db_session: Any, client: Any,
                                                     token_for: Any) -> None:
    customer = Party(name="Picture Library Ltd", sort_name="Picture Library",
                     kind="organisation")
    db_session.add(customer)
    db_session.commit()
    finance = ApiClient(client, token_for("finance_officer"))
    draft = finance.post("/api/v1/invoices", json={
        "kind": "reproduction", "party": customer.id, "currency": "GBP",
        "reference": "Licence 42",
        "lines": [{"description": "Image licence", "quantity": "2", "unit_price_minor": 4_500,
                   "tax_rate_bp": 2_000}]})
    assert draft.status_code == 201, draft.json
    assert (draft.json["status"], draft.json["number"]) == ("draft", None)
    assert draft.json["net_minor"] == 9_000
    assert draft.json["total_minor"] == 10_800
    assert draft.json["lines"][0]["quantity"] == "2.000"
    ghost = finance.post("/api/v1/invoices", json={
        "kind": "other", "party": customer.id,
        "lines": [{"description": "x", "quantity": "1", "unit_price_minor": 1,
                   "object_id": 999_999}]})
    assert ghost.status_code == 422
    nothing = finance.post("/api/v1/invoices", json={
        "kind": "other", "party": customer.id,
        "lines": [{"description": "x", "quantity": "0", "unit_price_minor": 1}]})
    assert nothing.status_code == 422
