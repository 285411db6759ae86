"""Read-only API resources of loans, condition reports, invoices and payments."""

from __future__ import annotations

from datetime import date
from typing import Any

from catalog.conditions.models import ConditionArea, ConditionReport
from catalog.finance.models.invoices import Invoice
from catalog.finance.models.payments import Payment
from catalog.loans.models import Loan, LoanObject, LoanVenue
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party
from tests.api.conftest import ApiClient


def test_procedure_records_are_listed_and_read(db_session: Any, client: Any,
                                               token_for: Any) -> None:
    borrower = Party(name="Kunsthalle Nord", sort_name="Kunsthalle Nord", kind="organisation")
    obj = CatalogueObject(object_number="L.1", number_key="l.1", sort_key="l.1",
                          object_name="painting", brief_description="A loaned painting.")
    db_session.add_all([borrower, obj])
    db_session.flush()
    loan = Loan(number="LO.2026.1", direction="out", status="approved", party_id=borrower.id,
                exhibition_title="Northern Light", start_date=date(2026, 3, 1),
                end_date=date(2026, 6, 30), return_due=date(2026, 7, 15))
    loan.venues = [LoanVenue(name="Kunsthalle Nord", start_date=date(2026, 3, 1))]
    loan.loan_objects = [LoanObject(object_id=obj.id, insurance_value_minor=250_000_00,
                                    insurance_currency="EUR")]
    db_session.add(loan)
    db_session.flush()
    report = ConditionReport(object_id=obj.id, context="loan_out", loan_id=loan.id,
                             examiner_name="C. Conservator", examined_on=date(2026, 2, 20),
                             overall="good", summary="Stable.")
    report.areas = [ConditionArea(area="Frame / mount", note="Minor abrasion, lower edge.")]
    invoice = Invoice(kind="loan_fee", party_id=borrower.id, currency="EUR", status="draft",
                      total_minor=150_000)
    payment = Payment(party_id=borrower.id, currency="EUR", amount_minor=150_000,
                      received_on=date(2026, 3, 5), method="bank_transfer")
    db_session.add_all([report, invoice, payment])
    db_session.commit()

    manager = ApiClient(client, token_for("finance_manager"))
    conservator = ApiClient(client, token_for("conservator"))
    registrar = ApiClient(client, token_for("registrar"))

    loans = registrar.get("/api/v1/loans", query_string={"status": "approved"}).json["items"]
    assert [item["number"] for item in loans] == ["LO.2026.1"]
    assert loans[0]["objects"][0]["insurance_value_minor"] == 250_000_00
    assert loans[0]["venues"][0]["name"] == "Kunsthalle Nord"
    # Insurance values are valuations: a conservator sees the loan without them.
    seen = conservator.get(f"/api/v1/loans/{loan.id}").json
    assert seen["objects"] == [{"object_id": obj.id, "object_number": "L.1",
                                "dispatched_on": None, "returned_on": None}]

    reports = conservator.get("/api/v1/condition-reports",
                              query_string={"loan_id": loan.id}).json["items"]
    assert [(r["overall"], r["areas"][0]["area"]) for r in reports] == [("good", "Frame / mount")]

    assert manager.get(f"/api/v1/invoices/{invoice.id}").json["total_minor"] == 150_000
    payments = manager.get("/api/v1/payments",
                           query_string={"party": borrower.id,
                                         "received_since": "2026-03-01"}).json["items"]
    assert [p["amount_minor"] for p in payments] == [150_000]
    # Finance records need finance permissions; these resources are read-only.
    assert conservator.get("/api/v1/invoices").status_code == 403
    assert registrar.post("/api/v1/payments", json={}).status_code == 403
    assert manager.patch(f"/api/v1/payments/{payment.id}", json={}).status_code == 405
    assert registrar.get("/api/v1/loans", query_string={"status": "lost"}).status_code == 422


def test_condition_reports_and_payments_are_created_through_their_services(
        db_session: Any, client: Any, token_for: Any) -> None:
    from catalog.finance.services import add_line, create_invoice, issue_invoice
    from catalog.users.models import User

    donor = Party(name="Friends of the Museum", sort_name="Friends", kind="organisation")
    obj = CatalogueObject(object_number="C.1", number_key="c.1", sort_key="c.1",
                          object_name="vase", brief_description="A vase.")
    db_session.add_all([donor, obj])
    db_session.commit()
    conservator = ApiClient(client, token_for("conservator"))
    report = conservator.post("/api/v1/condition-reports", json={
        "object_id": obj.id, "context": "routine", "examined_on": "2026-01-10",
        "overall": "fair", "areas": [{"area": "Surface", "note": "Crazing on the glaze."}]})
    assert report.status_code == 201, report.json
    assert report.json["examiner_name"].startswith("conservator")
    assert report.json["areas"] == [{"area": "Surface", "note": "Crazing on the glaze."}]
    future = conservator.post("/api/v1/condition-reports", json={
        "object_id": obj.id, "context": "routine", "examined_on": "2999-01-01",
        "overall": "good"})
    assert future.status_code == 422
    assert "examined_on" in future.json["errors"]

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


def test_loan_requests_are_created_with_their_own_number(db_session: Any, client: Any,
                                                         token_for: Any) -> None:
    borrower = Party(name="City Gallery", sort_name="City Gallery", kind="organisation")
    db_session.add(borrower)
    db_session.commit()
    manager = ApiClient(client, token_for("collections_manager"))
    created = manager.post("/api/v1/loans", json={
        "direction": "out", "party": borrower.id, "start_date": "2026-04-01",
        "end_date": "2026-08-31", "exhibition_title": "Summer Light",
        "fee_minor": 50_000, "fee_currency": "GBP"})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "requested"
    assert created.json["number"]
    assert created.json["return_due"] == "2026-08-31"
    backwards = manager.post("/api/v1/loans", json={
        "direction": "out", "party": borrower.id, "start_date": "2026-04-01",
        "end_date": "2026-03-01"})
    assert backwards.status_code == 422
    half_fee = manager.post("/api/v1/loans", json={
        "direction": "in", "party": borrower.id, "start_date": "2026-04-01",
        "end_date": "2026-05-01", "fee_minor": 100})
    assert half_fee.status_code == 422
    assert "fee_currency" in half_fee.json["errors"]
    viewer = ApiClient(client, token_for("viewer"))
    assert viewer.post("/api/v1/loans", json={}).status_code == 403


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
