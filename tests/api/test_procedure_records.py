"""``/api/v1`` for loans, condition reports, invoices and payments, as a client sees them:
cursor pages, read, create, change (where the record allows it), 401 / 403 / 422, and the
OpenAPI document describing each endpoint."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from catalog.core.money import Money
from catalog.loans import services as loans
from tests.api.conftest import ApiClient
from tests.loans.factories import make_party, stored_object


def _all_pages(client: ApiClient, path: str, **query: Any) -> list[list[Any]]:
    pages, cursor = [], None
    while True:
        args = {**query, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, query_string=args).json
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def _refusals(client: ApiClient, anon: ApiClient, denied: ApiClient, path: str,
              valid: dict[str, Any]) -> None:
    """401 without a token, 403 without the permission, 422 for an unknown field."""
    assert anon.get(path).status_code == 401
    assert anon.post(path, json=valid).status_code == 401
    assert denied.post(path, json=valid).status_code == 403
    unknown = client.post(path, json={**valid, "colour": "red"})
    assert unknown.status_code == 422
    assert "colour" in unknown.json["errors"]


# Loans ------------------------------------------------------------------------------------------
def test_loans_pages_read_create_update_and_steps(db_session: Any, client: Any, anon: ApiClient,
                                                  token_for: Any) -> None:
    party = make_party(db_session, "Kunsthalle Nord")
    obj = stored_object(db_session)
    first = loans.create_loan(db_session, direction="out", party=party, actor=None,
                              start_date=date(2027, 3, 1), end_date=date(2027, 6, 30))
    loans.add_object(db_session, first, obj, actor=None,
                     insurance_value=Money(250_000_00, "EUR"))
    db_session.commit()
    manager = ApiClient(client, token_for("collections_manager"))
    conservator = ApiClient(client, token_for("conservator"))

    for month in (4, 5):
        created = manager.post("/api/v1/loans", json={
            "direction": "out", "party_id": party.id, "start_date": f"2027-0{month}-01",
            "end_date": f"2027-0{month}-28", "exhibition_title": f"Show {month}"})
        assert created.status_code == 201, created.json
        assert created.json["status"] == "requested"
    pages = _all_pages(manager, "/api/v1/loans", limit=2)
    assert [len(page) for page in pages] == [2, 1]
    assert len({item["id"] for page in pages for item in page}) == 3

    # Insurance values are valuations: shown to the manager, not to the conservator.
    seen = manager.get(f"/api/v1/loans/{first.id}").json
    assert seen["loan_objects"][0]["insurance_value_minor"] == 250_000_00
    hidden = conservator.get(f"/api/v1/loans/{first.id}").json
    assert hidden["loan_objects"][0]["object_number"] == obj.object_number
    assert "insurance_value_minor" not in hidden["loan_objects"][0]

    changed = manager.patch(f"/api/v1/loans/{first.id}", json={"notes": "Courier needed."})
    assert changed.status_code == 200, changed.json
    assert changed.json["notes"] == "Courier needed."
    approved = manager.post(f"/api/v1/loans/{first.id}/steps", json={"action": "approve"})
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    again = manager.post(f"/api/v1/loans/{first.id}/steps", json={"action": "close"})
    assert again.status_code == 409
    assert again.json["message"]

    valid = {"direction": "out", "party_id": party.id, "start_date": "2027-04-01",
             "end_date": "2027-05-01"}
    _refusals(manager, anon, conservator, "/api/v1/loans", valid)
    assert conservator.patch(f"/api/v1/loans/{first.id}", json={"notes": "x"}).status_code == 403
    bad = manager.post("/api/v1/loans", json={**valid, "start_date": "soon", "party_id": "1"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"start_date", "party_id"}
    assert manager.post("/api/v1/loans", json={**valid, "party_id": 2**31 - 1}
                        ).status_code == 422
    assert manager.get("/api/v1/loans", query_string={"cursor": "garbage"}).status_code == 422


# Condition reports --------------------------------------------------------------------------------
def test_condition_reports_pages_read_and_create(db_session: Any, client: Any, anon: ApiClient,
                                                 token_for: Any) -> None:
    obj = stored_object(db_session)
    db_session.commit()
    conservator = ApiClient(client, token_for("conservator"))
    registrar = ApiClient(client, token_for("registrar"))
    valid = {"object": obj.object_number, "context": "routine", "examiner_name": "C. Keeper",
             "examined_on": "2026-01-10", "overall": "fair"}
    ids = []
    for overall in ("good", "fair", "poor"):
        created = conservator.post("/api/v1/condition-reports", json={
            **valid, "overall": overall, "areas": [{"area": "Surface", "note": "Crazing."}]})
        assert created.status_code == 201, created.json
        ids.append(created.json["id"])
    pages = _all_pages(registrar, "/api/v1/condition-reports", limit=2, object_id=obj.id)
    assert [[r["overall"] for r in page] for page in pages] == [["good", "fair"], ["poor"]]
    read = registrar.get(f"/api/v1/condition-reports/{ids[0]}").json
    assert read["object_id"] == obj.id
    assert read["areas"] == [{"area": "Surface", "note": "Crazing."}]

    _refusals(conservator, anon, registrar, "/api/v1/condition-reports", valid)
    future = conservator.post("/api/v1/condition-reports",
                              json={**valid, "examined_on": "2999-01-01"})
    assert future.status_code == 422
    assert "examined_on" in future.json["errors"]
    nowhere = conservator.post("/api/v1/condition-reports", json={**valid, "object": "NO.1"})
    assert nowhere.status_code == 422
    assert "object" in nowhere.json["errors"]
    # A report records one examination: it is never edited, a new one is written.
    assert conservator.patch(f"/api/v1/condition-reports/{ids[0]}",
                             json={"overall": "good"}).status_code == 405


# Invoices and payments ----------------------------------------------------------------------------
def test_invoices_drafted_with_lines_issued_and_paid(db_session: Any, client: Any,
                                                     anon: ApiClient, token_for: Any) -> None:
    party = make_party(db_session, "Friends of the Museum", role="donor")
    db_session.commit()
    officer = ApiClient(client, token_for("finance_officer"))
    registrar = ApiClient(client, token_for("registrar"))

    draft = officer.post("/api/v1/invoices", json={
        "party_id": party.id, "kind": "reproduction", "currency": "GBP", "reference": "PO 17",
        "lines": [{"description": "Photography", "quantity": "2", "unit_price_minor": 5_000,
                   "tax_rate_bp": 2000}]})
    assert draft.status_code == 201, draft.json
    invoice = draft.json
    assert (invoice["status"], invoice["number"], invoice["open_minor"]) == ("draft", None, None)
    assert (invoice["net_minor"], invoice["tax_minor"], invoice["total_minor"]) == (
        10_000, 2_000, 12_000)
    line = officer.post(f"/api/v1/invoices/{invoice['id']}/lines", json={
        "description": "Licence", "quantity": 1, "unit_price_minor": 3_000})
    assert line.status_code == 201, line.json
    assert [x["description"] for x in line.json["lines"]] == ["Photography", "Licence"]
    assert line.json["total_minor"] == 15_000

    issued = officer.post(f"/api/v1/invoices/{invoice['id']}/issue", json={
        "issue_date": "2026-04-01", "due_date": "2026-05-01"})
    assert issued.status_code == 200, issued.json
    assert issued.json["status"] == "issued"
    assert issued.json["number"]
    assert issued.json["open_minor"] == 15_000
    twice = officer.post(f"/api/v1/invoices/{invoice['id']}/issue", json={})
    assert twice.status_code == 409
    locked = officer.post(f"/api/v1/invoices/{invoice['id']}/lines", json={
        "description": "More", "quantity": 1, "unit_price_minor": 1})
    assert locked.status_code == 409

    second = officer.post("/api/v1/invoices", json={
        "party_id": party.id, "kind": "other", "currency": "GBP",
        "lines": [{"description": "Hire", "quantity": "1.5", "unit_price_minor": 10_000}]})
    officer.post(f"/api/v1/invoices/{second.json['id']}/issue",
                 json={"issue_date": "2026-04-10"})
    empty = officer.post("/api/v1/invoices", json={"party_id": party.id, "kind": "other",
                                                   "currency": "GBP", "lines": [
        {"description": "Mistake", "quantity": 1, "unit_price_minor": 100}]})
    mistake = empty.json["lines"][0]["id"]
    assert anon.post(f"/api/v1/invoices/{empty.json['id']}/issue", json={}).status_code == 401
    assert registrar.post(f"/api/v1/invoices/{empty.json['id']}/issue",
                          json={}).status_code == 403
    assert registrar.delete(f"/api/v1/invoices/{empty.json['id']}/lines/{mistake}"
                            ).status_code == 403
    removed = officer.delete(f"/api/v1/invoices/{empty.json['id']}/lines/{mistake}")
    assert removed.status_code == 200, removed.json
    assert (removed.json["lines"], removed.json["total_minor"]) == ([], 0)
    assert officer.delete(f"/api/v1/invoices/{empty.json['id']}/lines/{mistake}"
                          ).status_code == 404
    assert officer.post(f"/api/v1/invoices/{empty.json['id']}/issue", json={}).status_code == 409
    assert officer.post(f"/api/v1/invoices/{empty.json['id']}/issue",
                        json={"issue_date": "9999-12-31"}).status_code == 422

    pages = _all_pages(officer, "/api/v1/invoices", limit=2, party_id=party.id)
    assert [len(page) for page in pages] == [2, 1]
    listed = officer.get("/api/v1/invoices", query_string={"status": "issued"}).json["items"]
    assert [i["open_minor"] for i in listed] == [15_000, 15_000]

    # Oldest first: the first invoice is paid, the second in part.
    paid = officer.post("/api/v1/payments", json={
        "party_id": party.id, "amount_minor": 20_000, "currency": "GBP",
        "received_on": "2026-05-02", "method": "bank_transfer", "reference": "BACS 991"})
    assert paid.status_code == 201, paid.json
    assert [(a["invoice_id"], a["amount_minor"]) for a in paid.json["allocations"]] == [
        (invoice["id"], 15_000), (second.json["id"], 5_000)]
    assert paid.json["unapplied_minor"] == 0
    assert officer.get(f"/api/v1/invoices/{invoice['id']}").json["status"] == "paid"
    assert officer.get(f"/api/v1/invoices/{second.json['id']}").json["open_minor"] == 10_000

    # Explicit allocation; the rest is kept as unapplied cash.
    explicit = officer.post("/api/v1/payments", json={
        "party_id": party.id, "amount_minor": 12_000, "currency": "GBP",
        "received_on": "2026-05-03", "method": "cheque",
        "allocations": [{"invoice_id": second.json["id"], "amount_minor": 4_000}]})
    assert explicit.status_code == 201, explicit.json
    assert explicit.json["unapplied_minor"] == 8_000
    over = officer.post("/api/v1/payments", json={
        "party_id": party.id, "amount_minor": 50_000, "currency": "GBP",
        "received_on": "2026-05-03", "method": "cheque",
        "allocations": [{"invoice_id": second.json["id"], "amount_minor": 40_000}]})
    assert over.status_code == 422
    assert officer.get(f"/api/v1/invoices/{second.json['id']}").json["open_minor"] == 6_000

    pages = _all_pages(officer, "/api/v1/payments", limit=1, party_id=party.id)
    assert [p[0]["amount_minor"] for p in pages] == [20_000, 12_000]
    read = officer.get(f"/api/v1/payments/{paid.json['id']}").json
    assert read["party_name"] == "Friends of the Museum"
    assert officer.patch(f"/api/v1/payments/{paid.json['id']}", json={}).status_code == 405

    # A bounced payment is reversed: the invoices it paid are open again.
    assert registrar.post(f"/api/v1/payments/{paid.json['id']}/reversal",
                          json={"reason": "Bounced"}).status_code == 403
    assert officer.post(f"/api/v1/payments/{paid.json['id']}/reversal",
                        json={}).status_code == 422
    reversed_ = officer.post(f"/api/v1/payments/{paid.json['id']}/reversal",
                             json={"reason": "Bounced", "on": "2026-05-10"})
    assert reversed_.status_code == 200, reversed_.json
    assert (reversed_.json["is_reversed"], reversed_.json["reversal_reason"]) == (True, "Bounced")
    assert officer.get(f"/api/v1/invoices/{invoice['id']}").json["open_minor"] == 15_000
    assert officer.post(f"/api/v1/payments/{paid.json['id']}/reversal",
                        json={"reason": "Again"}).status_code == 409

    valid_invoice = {"party_id": party.id, "kind": "other"}
    _refusals(officer, anon, registrar, "/api/v1/invoices", valid_invoice)
    assert registrar.get("/api/v1/invoices").status_code == 403
    valid_payment = {"party_id": party.id, "amount_minor": 1, "currency": "GBP",
                     "received_on": "2026-05-03", "method": "cash"}
    _refusals(officer, anon, registrar, "/api/v1/payments", valid_payment)
    assert registrar.get(f"/api/v1/payments/{paid.json['id']}").status_code == 403


@pytest.mark.parametrize(("path", "body", "fields"), [
    ("/api/v1/invoices", {"party_id": 0, "kind": "gift"}, {"party_id", "kind"}),
    ("/api/v1/invoices", {"party_id": 1, "kind": "other", "currency": "pounds"}, {"currency"}),
    ("/api/v1/invoices", {"party_id": 1, "kind": "other", "lines": [
        {"description": "", "quantity": "0", "unit_price_minor": -1, "tax_rate_bp": 10_001}]},
     {"lines"}),
    ("/api/v1/invoices", {"party_id": 2**31 - 1, "kind": "other"}, {"party_id"}),
    ("/api/v1/payments", {"party_id": 1, "amount_minor": 0, "currency": "GBP",
                          "received_on": "2026-13-01", "method": "barter"},
     {"amount_minor", "received_on", "method"}),
    ("/api/v1/payments", {"party_id": 2**31 - 1, "amount_minor": 5, "currency": "GBP",
                          "received_on": "2026-01-01", "method": "cash"}, {"party_id"}),
])
def test_bad_finance_input_is_a_422_naming_the_fields(
        db_session: Any, client: Any, token_for: Any, path: str, body: dict[str, Any],
        fields: set[str]) -> None:
    officer = ApiClient(client, token_for("finance_officer"))
    response = officer.post(path, json=body)
    assert response.status_code == 422, response.json
    assert fields <= set(response.json["errors"])


def test_new_endpoints_are_in_the_openapi_document(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    expected = {
        "/api/v1/loans/": ("get", "post"), "/api/v1/loans/{record_id}": ("get", "patch"),
        "/api/v1/loans/{record_id}/steps": ("post",),
        "/api/v1/condition-reports/": ("get", "post"),
        "/api/v1/condition-reports/{record_id}": ("get",),
        "/api/v1/invoices/": ("get", "post"), "/api/v1/invoices/{record_id}": ("get",),
        "/api/v1/invoices/{record_id}/lines": ("post",),
        "/api/v1/invoices/{record_id}/issue": ("post",),
        "/api/v1/invoices/{record_id}/lines/{line_id}": ("delete",),
        "/api/v1/payments/": ("get", "post"), "/api/v1/payments/{record_id}": ("get",),
        "/api/v1/payments/{record_id}/reversal": ("post",),
    }
    for listed, methods in expected.items():
        path = listed if listed in paths else listed.rstrip("/")
        assert path in paths, listed
        for method in methods:
            operation = paths[path][method]
            ok = next(code for code in operation["responses"] if code.startswith("2"))
            assert "schema" in operation["responses"][ok]["content"]["application/json"]
            if method in ("post", "patch"):
                assert "schema" in operation["requestBody"]["content"]["application/json"]
    assert "patch" not in paths["/api/v1/payments/{record_id}"]
    assert "open_minor" in schemas["InvoiceRecord"]["properties"]
    assert "allocations" in schemas["Payment"]["properties"]
    assert "insurance_value_minor" in schemas["LoanObject"]["properties"]
