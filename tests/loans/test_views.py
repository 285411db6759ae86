"""Loan pages: the workflow through the browser forms, permissions, schedule, PDFs."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from catalog.core.money import Money
from catalog.loans import services
from catalog.loans.models import Loan
from tests.loans.factories import advance, make_loan, make_location, stored_object


def _loan_with_objects(db_session, actor, *, values=True):
    loan = make_loan(db_session, actor, exhibition_title="Turner and the Sea")
    objs = [stored_object(db_session, title="Seascape"), stored_object(db_session)]
    for obj in objs:
        services.add_object(db_session, loan, obj, actor=None,
                            insurance_value=Money(125_000_00, "GBP") if values else None)
    # Commit the set-up: a refused request rolls back everything since the last commit.
    db_session.commit()
    return loan, objs


def test_manager_creates_a_loan_through_the_form(auth, client, db_session):
    auth.login("collections_manager")
    response = client.post("/loans/new", data={
        "direction": "out", "party_name": "Tate Britain", "exhibition_title": "Sea Pictures",
        "purpose": "Exhibition", "start_date": "2027-03-01", "end_date": "2027-06-30",
        "cover_kind": "insurance", "insurance_policy_id": "0", "fee": "1500.00",
        "fee_currency": "GBP"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    loan = db_session.query(Loan).one()
    assert loan.number == "LO.2027.1"
    assert loan.party.name == "Tate Britain"
    assert "borrower" in loan.party.role_codes
    assert loan.fee == Money(1500_00, "GBP")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "LO.2027.1" in page
    assert "Requested" in page


def test_bad_dates_in_the_form_are_shown_and_nothing_is_saved(auth, client, db_session):
    auth.login("collections_manager")
    response = client.post("/loans/new", data={
        "direction": "out", "party_name": "Tate", "start_date": "2027-06-01",
        "end_date": "2027-03-01", "cover_kind": "none", "insurance_policy_id": "0"})
    assert response.status_code == 422
    assert "before the start date" in response.get_data(as_text=True)
    assert db_session.query(Loan).count() == 0


def test_workflow_buttons_and_out_of_order_step(auth, client, db_session):
    user = auth.login("collections_manager")
    loan, objs = _loan_with_objects(db_session, user, values=False)
    response = client.post(f"/loans/{loan.id}/step/dispatch", data={})
    assert response.status_code == 409
    assert "approve (or refuse) the request first" in response.get_data(as_text=True)
    for action in ("approve", "sign_agreement"):
        assert client.post(f"/loans/{loan.id}/step/{action}", data={}).status_code == 302
    assert client.post(f"/loans/{loan.id}/step/dispatch",
                       data={"step-on": "2027-02-27"}).status_code == 302
    db_session.refresh(loan)
    assert loan.status == "dispatched"
    assert all(o.current_location_id is None for o in objs)
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "Record return of the ticked objects" in page
    lo = loan.loan_objects[0]
    response = client.post(f"/loans/{loan.id}/return",
                           data={"ret-on": "2027-01-01", "loan_object": str(lo.id)})
    assert response.status_code == 422
    assert "before the dispatch" in response.get_data(as_text=True)
    response = client.post(f"/loans/{loan.id}/return",
                           data={"ret-on": "2027-07-01", "loan_object": str(lo.id)})
    assert response.status_code == 302
    db_session.refresh(lo)
    assert lo.returned_on == date(2027, 7, 1)


def test_adding_a_conflicting_object_needs_an_override(auth, client, db_session):
    user = auth.login("collections_manager")
    first, objs = _loan_with_objects(db_session, user, values=False)
    second = make_loan(db_session, user, start=date(2027, 5, 1), end=date(2027, 9, 1))
    db_session.commit()
    number = objs[0].object_number
    response = client.post(f"/loans/{second.id}/objects", data={"object_number": number})
    assert response.status_code == 409
    assert f"already committed to loan {first.number}" in response.get_data(as_text=True)
    response = client.post(f"/loans/{second.id}/objects", data={
        "object_number": number, "override": "y", "override_reason": "Agreed with curator"})
    assert response.status_code == 302
    page = client.get(f"/loans/{second.id}").get_data(as_text=True)
    assert "Conflicts" in page
    assert "other loan" in page


def test_viewer_cannot_edit_and_conservator_cannot_run_loans(auth, client, db_session):
    auth.login("viewer")
    assert client.get("/loans/").status_code == 200
    assert client.get("/loans/new").status_code == 403
    auth.logout()
    auth.login("conservator")
    loan = make_loan(db_session)
    db_session.commit()
    assert client.post(f"/loans/{loan.id}/step/approve", data={}).status_code == 403
    assert client.get(f"/loans/{loan.id}").status_code == 200


def test_insurance_values_hidden_without_valuations_view(auth, client, db_session):
    loan, _ = _loan_with_objects(db_session, None)
    auth.login("collections_manager")  # holds valuations.view
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "GBP 125,000.00" in page
    assert "GBP 250,000.00" in page
    auth.logout()
    auth.login("conservator")  # does not
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "125,000" not in page
    assert "Insurance value" not in page


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


@pytest.mark.parametrize("kind", ["agreement", "objects", "receipt-out", "receipt-in",
                                  "courier"])
def test_documents_are_a4_pdfs(auth, client, db_session, kind):
    loan, _ = _loan_with_objects(db_session, None)
    auth.login("collections_manager")
    response = client.get(f"/loans/{loan.id}/{kind}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(response.data)
    width, height = pdf[0].get_size()
    pdf.close()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert loan.number in _pdf_text(response.data)


def test_pdf_object_list_shows_values_only_to_allowed_roles(auth, client, db_session):
    loan, _ = _loan_with_objects(db_session, None)
    auth.login("collections_manager")
    text = _pdf_text(client.get(f"/loans/{loan.id}/objects.pdf").data)
    assert "125,000.00" in text
    assert "Total insured value" in text
    auth.logout()
    auth.login("conservator")
    text = _pdf_text(client.get(f"/loans/{loan.id}/agreement.pdf").data)
    assert "125,000" not in text
    assert "Insurance value" not in text


def test_schedule_shows_loans_objects_and_conflicts(auth, client, db_session):
    user = auth.login("collections_manager")
    first, objs = _loan_with_objects(db_session, user, values=False)
    second = make_loan(db_session, user, start=date(2027, 6, 1), end=date(2027, 8, 1))
    services.add_object(db_session, second, objs[0], actor=user, override_reason="ok")
    page = client.get("/loans/schedule?from=2027-01&months=12").get_data(as_text=True)
    assert first.number in page
    assert second.number in page
    assert objs[0].object_number in page
    assert "tl-conflict" in page
    assert "already committed to loan" in page
    assert "Jan 2027" in page
    assert "Dec 2027" in page
    assert "style=" not in page  # the CSP forbids inline styles: bars are positioned by class
    only_in = client.get("/loans/schedule?from=2027-01&direction=in").get_data(as_text=True)
    assert first.number not in only_in


def test_venue_suitability_flags_mismatches(auth, client, db_session):
    user = auth.login("collections_manager")
    loan = make_loan(db_session, user)
    obj = stored_object(db_session, materials="watercolour on paper")
    services.add_object(db_session, loan, obj, actor=user)
    response = client.post(f"/loans/{loan.id}/venues", data={
        "venue-name": "Harbour Gallery", "venue-temp_min": "18", "venue-temp_max": "24",
        "venue-rh_min": "35", "venue-rh_max": "65", "venue-lux_max": "200"})
    assert response.status_code == 302
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "mismatch" in page
    assert "Light up to 200 lux exceeds 50 lux." in page
    assert "RH 35.0–65.0 % is outside 45–55 %." in page
    venue_id = loan.venues[0].id
    assert client.post(f"/loans/{loan.id}/venues/{venue_id}/remove").status_code == 302
    db_session.refresh(loan)
    assert loan.venues == []
    assert loan.events[-1].action == "remove_venue"


def test_venue_with_min_above_max_is_refused(auth, client, db_session):
    user = auth.login("collections_manager")
    loan = make_loan(db_session, user)
    db_session.commit()
    response = client.post(f"/loans/{loan.id}/venues", data={
        "venue-name": "Hall", "venue-temp_min": "25", "venue-temp_max": "18"})
    assert response.status_code == 422
    assert "swap the two values" in response.get_data(as_text=True)


FINANCE = importlib.util.find_spec("catalog.finance") is not None


@pytest.mark.skipif(FINANCE, reason="the finance module is installed")
def test_invoice_button_explains_when_finance_is_missing(auth, client, db_session):
    loan = make_loan(db_session, fee=Money(1500_00, "GBP"))
    db_session.commit()
    auth.login("admin")
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "The finance module is not installed" in page
    response = client.post(f"/loans/{loan.id}/invoice", data={})
    assert response.status_code == 409
    assert loan.fee_invoice_id is None


@pytest.mark.skipif(not FINANCE, reason="the finance module is not installed")
def test_raise_invoice_for_the_loan_fee(auth, client, db_session):
    from catalog.loans.finance_link import finance_available

    assert finance_available()
    loan = make_loan(db_session, fee=Money(1500_00, "GBP"))
    db_session.commit()
    auth.login("admin")
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "Raise invoice for the loan fee" in page
    response = client.post(f"/loans/{loan.id}/invoice", data={})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.refresh(loan)
    assert loan.fee_invoice_id is not None
    response = client.post(f"/loans/{loan.id}/invoice", data={})
    assert response.status_code == 409  # not twice


def test_loan_in_object_created_from_the_loan_page(auth, client, db_session):
    user = auth.login("collections_manager")
    loan = make_loan(db_session, user, direction="in")
    response = client.post(f"/loans/{loan.id}/objects", data={
        "object_number": "PC-2027-1", "new_title": "Portrait lent by a private collector"})
    assert response.status_code == 302
    advance(db_session, loan, "approve", "sign_agreement", actor=user)
    gallery = make_location(db_session, "GAL-1")
    response = client.post(f"/loans/{loan.id}/step/dispatch",
                           data={"step-location_code": gallery.code})
    assert response.status_code == 302
    db_session.refresh(loan)
    assert loan.loan_objects[0].object.current_location_id == gallery.id


def test_dashboard_panels_for_loans_and_condition_checks(auth, client, db_session):
    from catalog.loans.demo import load_loans

    load_loans(db_session)
    db_session.commit()
    auth.login("collections_manager")
    page = client.get("/").get_data(as_text=True)
    assert "Condition checks due" in page
    assert "VH-1923-4" in page  # the loan-in objects are due a check
    assert "Schedule" in page


def test_object_page_follows_the_loan(auth, client, db_session):
    from catalog.valuations.services import record_valuation

    user = auth.login("collections_manager")
    loan, objs = _loan_with_objects(db_session, user, values=False)
    record_valuation(db_session, obj=objs[0], valued_on=date(2026, 1, 1),
                     amount=Money(90_000_00, "GBP"), actor=None)
    from catalog.conditions.services import create_report, propose_treatment

    create_report(db_session, obj=objs[0], context="loan_out", examiner_name="C",
                  examined_on=date(2026, 10, 1), overall="fair", actor=None,
                  next_check_on=date(2027, 8, 1))
    advance(db_session, loan, "approve", "sign_agreement", "dispatch", actor=None)
    propose_treatment(db_session, obj=objs[0], proposal="Clean", actor=None)
    db_session.commit()
    page = client.get(f"/objects/{objs[0].id}").get_data(as_text=True)
    assert "fair</a> on 01 Oct 2026; next check 01 Aug 2027" in page
    assert "in conservation" in page
    assert f"On loan to {loan.party.name} ({loan.number})" in page
    assert "GBP 90,000.00" in page
    auth.logout()
    auth.login("conservator")
    page = client.get(f"/objects/{objs[0].id}").get_data(as_text=True)
    assert loan.number in page
    assert "90,000" not in page


def test_schedule_query_count_does_not_grow_with_objects(auth, client, db_session,
                                                         count_queries):
    user = auth.login("collections_manager")

    def add_loan(n_objects):
        loan = make_loan(db_session, user, start=date(2027, 2, 1), end=date(2027, 3, 1))
        for _ in range(n_objects):
            services.add_object(db_session, loan, stored_object(db_session), actor=user)
        db_session.commit()

    add_loan(2)
    with count_queries() as few:
        assert client.get("/loans/schedule?from=2027-01").status_code == 200
    for _ in range(3):
        add_loan(5)
    with count_queries() as many:
        assert client.get("/loans/schedule?from=2027-01").status_code == 200
    assert len(many) == len(few), "\n".join(many)


def test_edit_a_loan_and_dates_are_locked_after_dispatch(auth, client, db_session):
    user = auth.login("collections_manager")
    loan, _ = _loan_with_objects(db_session, user, values=False)
    page = client.get(f"/loans/{loan.id}/edit").get_data(as_text=True)
    assert loan.party.name in page
    form = {"party_name": loan.party.name, "exhibition_title": "Renamed show",
            "start_date": "2027-03-01", "end_date": "2027-07-31", "return_due": "",
            "cover_kind": "indemnity",
            "insurance_policy_id": "0", "fee": "250.00", "fee_currency": "GBP"}
    response = client.post(f"/loans/{loan.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-6000:]
    db_session.refresh(loan)
    assert loan.exhibition_title == "Renamed show"
    assert loan.end_date == date(2027, 7, 31)
    assert loan.fee == Money(250_00, "GBP")
    advance(db_session, loan, "approve", "sign_agreement", "dispatch", actor=None)
    db_session.commit()
    response = client.post(f"/loans/{loan.id}/edit", data={**form, "end_date": "2027-09-30"})
    assert response.status_code == 422
    assert "Extend the loan" in response.get_data(as_text=True)
    response = client.post(f"/loans/{loan.id}/extend",
                           data={"ext-end_date": "2027-09-30", "ext-note": "Popular show"})
    assert response.status_code == 302
    db_session.refresh(loan)
    assert loan.end_date == date(2027, 9, 30)
    assert loan.original_end_date == date(2027, 7, 31)
