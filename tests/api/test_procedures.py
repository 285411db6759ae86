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
    assert manager.post("/api/v1/payments", json={}).status_code == 405
    assert registrar.get("/api/v1/loans", query_string={"status": "lost"}).status_code == 422
