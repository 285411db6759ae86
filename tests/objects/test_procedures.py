"""Procedures: object entry (with receipt), acquisition & accessioning, deaccession."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.core.errors import PermissionDenied, ValidationError
from catalog.objects.models import CatalogueObject
from catalog.parties.services import create_party
from catalog.procedures import services
from catalog.procedures.models import Acquisition, Deaccession


@pytest.fixture
def donor(db_session, registrar):
    return create_party(db_session, actor=registrar, name="Margaret Hale", roles=["donor"],
                        email="m.hale@example.org", address="1 Milton Road\nDarkshire")


@pytest.fixture
def entry(db_session, registrar, donor):
    return services.create_entry(
        db_session, actor=registrar, depositor_id=donor.id, reason="acquisition",
        entry_date=date(2026, 4, 2), return_date=date(2026, 7, 1),
        objects=[services.ReceivedObject(brief_description="Brass carriage clock",
                                         object_name="clock"),
                 services.ReceivedObject(brief_description="Pair of silver spoons",
                                         object_name="spoon", number_of_objects=2)])


def test_entry_numbers_itself_and_its_objects(entry, donor):
    assert entry.number == "IN2026.1"
    assert [o.object_number for o in entry.objects] == ["IN2026.1.1", "IN2026.1.2"]
    assert all(o.status == "entry" for o in entry.objects)
    assert "depositor" in donor.role_codes


def test_entry_needs_objects_and_sane_dates(db_session, registrar):
    with pytest.raises(ValidationError, match="at least one object"):
        services.create_entry(db_session, actor=registrar, depositor_id=None,
                              reason="enquiry", entry_date=date(2026, 1, 1), objects=[])
    with pytest.raises(ValidationError, match="before the entry date"):
        services.create_entry(db_session, actor=registrar, depositor_id=None, reason="enquiry",
                              entry_date=date(2026, 1, 2), return_date=date(2026, 1, 1),
                              objects=[services.ReceivedObject(brief_description="x")])


def test_receipt_is_exact_a4(entry, client, auth):
    import pypdfium2

    auth.login("registrar")
    response = client.get(f"/procedures/entries/{entry.id}/receipt.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.data)
    width, height = pdf[0].get_size()
    assert (round(width, 1), round(height, 1)) == (595.3, 841.9)  # 210 × 297 mm in points
    text = pdf[0].get_textpage().get_text_range()
    assert "IN2026.1.2" in text
    assert "Margaret Hale" in text
    assert "Darkshire" in text
    pdf.close()


def test_receipt_omits_address_without_personal_permission(entry, client, auth):
    import pypdfium2

    auth.login("technician")  # reads objects, no parties.personal
    pdf = pypdfium2.PdfDocument(client.get(f"/procedures/entries/{entry.id}/receipt.pdf").data)
    text = pdf[0].get_textpage().get_text_range()
    assert "Margaret Hale" in text
    assert "Darkshire" not in text
    pdf.close()


def test_acquisition_accessions_entry_objects(db_session, registrar, entry, donor):
    ids = [o.id for o in entry.objects]
    acquisition = services.create_acquisition(
        db_session, actor=registrar, method="gift", acquisition_date=date(2026, 5, 1),
        object_ids=ids, source_id=donor.id, credit_line="Given by Margaret Hale, 2026",
        title_transferred_on=date(2026, 5, 1), authoriser="Collections Committee",
        authorised_on=date(2026, 4, 28))
    assert acquisition.number == "ACQ2026.1"
    objects = db_session.scalars(sa.select(CatalogueObject).where(CatalogueObject.id.in_(ids))
                                 .order_by(CatalogueObject.id)).all()
    assert [o.object_number for o in objects] == ["2026.1.1", "2026.1.2"]  # one lot together
    assert all(o.status == "accessioned" for o in objects)
    assert objects[0].other_numbers[0].number == "IN2026.1.1"
    assert objects[0].other_numbers[0].kind == "entry"
    assert objects[0].credit_line == "Given by Margaret Hale, 2026"
    with pytest.raises(ValidationError, match="only objects in entry"):
        services.create_acquisition(db_session, actor=registrar, method="gift",
                                    acquisition_date=date(2026, 5, 2), object_ids=ids[:1])


def test_accessioning_needs_the_inventory_minimum(db_session, registrar):
    entry = services.create_entry(
        db_session, actor=registrar, depositor_id=None, reason="acquisition",
        entry_date=date(2026, 4, 2), objects=[services.ReceivedObject(brief_description="?")])
    with pytest.raises(ValidationError, match="needs an object name"):
        services.create_acquisition(db_session, actor=registrar, method="purchase",
                                    acquisition_date=date(2026, 5, 1),
                                    object_ids=[entry.objects[0].id])


def test_price_needs_valuation_permission(db_session, make_user, entry):
    manager = make_user("collections_manager")  # edits objects, sees valuations
    acquisition = services.create_acquisition(
        db_session, actor=manager, method="purchase", acquisition_date=date(2026, 5, 1),
        object_ids=[entry.objects[0].id], price_minor=125_000, price_currency="GBP")
    assert acquisition.price_minor == 125_000
    from catalog.core.permissions import has_permission

    no_prices = make_user("registrar")
    # take valuations.view away from this user's role for the test
    role = no_prices.roles[0]
    role.permissions = [p for p in role.permissions if p.code != "valuations.view"]
    db_session.flush()
    assert not has_permission(no_prices, "valuations.view")
    with pytest.raises(PermissionDenied):
        services.create_acquisition(
            db_session, actor=no_prices, method="purchase", acquisition_date=date(2026, 5, 1),
            object_ids=[entry.objects[1].id], price_minor=100, price_currency="GBP")


def test_price_hidden_from_viewers(db_session, client, auth, make_user, entry):
    manager = make_user("collections_manager")
    acquisition = services.create_acquisition(
        db_session, actor=manager, method="purchase", acquisition_date=date(2026, 5, 1),
        object_ids=[entry.objects[0].id], price_minor=987_654, price_currency="GBP")
    auth.login("viewer")
    page = client.get(f"/procedures/acquisitions/{acquisition.id}").get_data(as_text=True)
    assert "9,876.54" not in page
    assert "987654" not in page
    auth.logout()
    auth.login("collections_manager")
    page = client.get(f"/procedures/acquisitions/{acquisition.id}").get_data(as_text=True)
    assert "9,876.54" in page


def test_deaccession_keeps_the_record(db_session, registrar, make_object):
    obj = make_object()
    record = services.create_deaccession(
        db_session, actor=registrar, object_ids=[obj.id], reason="Duplicate, poor condition",
        authorised_by="Board of Trustees, minute 14/2026", authorised_on=date(2026, 6, 1),
        disposal_method="transfer")
    assert record.number == "D2026.1"
    assert obj.status == "deaccessioned"
    assert db_session.get(CatalogueObject, obj.id) is not None
    with pytest.raises(ValidationError, match="not an accessioned"):
        services.create_deaccession(
            db_session, actor=registrar, object_ids=[obj.id], reason="again",
            authorised_by="Board", authorised_on=date(2026, 6, 2), disposal_method="sale")


def test_deaccession_permission_checked_in_the_service(db_session, make_user, make_object):
    obj = make_object()
    with pytest.raises(PermissionDenied):
        services.create_deaccession(
            db_session, actor=make_user("collections_manager"), object_ids=[obj.id],
            reason="x", authorised_by="Board", authorised_on=date(2026, 6, 1),
            disposal_method="sale")


def test_procedure_pages_and_record_links(db_session, client, auth, entry, donor):
    auth.login("registrar")
    response = client.get(f"/procedures/acquisitions/new?entry={entry.id}")
    assert response.status_code == 200
    assert b"checked" in response.data
    data = {"method": "gift", "acquisition_date": "2026-05-01", "source": "margaret hale",
            "price": "", "price_currency": "GBP",
            "objects": [str(o.id) for o in entry.objects]}
    created = client.post("/procedures/acquisitions/new", data=data)
    assert created.status_code == 302, created.get_data(as_text=True)[:3000]
    obj = entry.objects[0]
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert entry.number in page
    assert "ACQ2026.1" in page
    # deaccession through the form
    form = client.get(f"/procedures/deaccessions/new?object={obj.id}")
    assert obj.object_number.encode() in form.data
    done = client.post("/procedures/deaccessions/new", data={
        "object_numbers": obj.object_number, "reason": "Transferred to a sister museum",
        "authorised_by": "Trustees", "authorised_on": "2026-06-01",
        "disposal_method": "transfer", "recipient": ""})
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Deaccession)) == 1
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Acquisition)) == 1
    assert client.get("/procedures/").status_code == 200


def test_entry_form(client, auth, db_session, donor):
    auth.login("registrar")
    assert client.get("/procedures/entries/new").status_code == 200
    response = client.post("/procedures/entries/new", data={
        "depositor": "Margaret Hale", "reason": "enquiry", "entry_date": "2026-02-03",
        "objects-0-object_name": "coin", "objects-0-brief_description": "Roman coin",
        "objects-0-number_of_objects": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    unknown = client.post("/procedures/entries/new", data={
        "depositor": "Nobody Known", "reason": "enquiry", "entry_date": "2026-02-03",
        "objects-0-brief_description": "Roman coin"})
    assert unknown.status_code == 422
    assert "no person or organisation called" in unknown.get_data(as_text=True)


def test_viewer_cannot_deaccession_or_enter(client, auth):
    auth.login("viewer")
    assert client.get("/procedures/deaccessions/new").status_code == 403
    assert client.get("/procedures/entries/new").status_code == 403
    assert client.get("/procedures/").status_code == 200


def test_correct_an_entry_and_complete_an_acquisition(db_session, client, auth, entry, donor,
                                                      registrar):
    acquisition = services.create_acquisition(
        db_session, actor=registrar, method="gift", acquisition_date=date(2026, 5, 1),
        object_ids=[entry.objects[0].id])
    db_session.commit()
    auth.login("registrar")
    assert client.get(f"/procedures/entries/{entry.id}/edit").status_code == 200
    saved = client.post(f"/procedures/entries/{entry.id}/edit", data={
        "depositor": "Margaret Hale", "reason": "acquisition", "entry_date": "2026-04-02",
        "return_date": "2026-08-01", "note": "Extended to August"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    db_session.refresh(entry)
    assert entry.return_date == date(2026, 8, 1)
    assert client.get(f"/procedures/acquisitions/{acquisition.id}/edit").status_code == 200
    done = client.post(f"/procedures/acquisitions/{acquisition.id}/edit", data={
        "method": "gift", "acquisition_date": "2026-05-01", "source": "Margaret Hale",
        "title_transferred_on": "2026-05-20", "credit_line": "Given by Margaret Hale",
        "price": "12.50", "price_currency": "GBP"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    db_session.refresh(acquisition)
    assert acquisition.title_transferred_on == date(2026, 5, 20)
    assert acquisition.source_id == donor.id
    assert acquisition.price_minor == 1250
    auth.logout()
    auth.login("viewer")
    assert client.get(f"/procedures/acquisitions/{acquisition.id}/edit").status_code == 403


def test_accession_button_on_an_entry_object(client, auth, entry):
    obj = entry.objects[0]
    auth.login("registrar")
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert f"/procedures/acquisitions/new?object={obj.id}" in page
    assert "Deaccession</a>" not in page  # only accessioned objects can be deaccessioned
    form = client.get(f"/procedures/acquisitions/new?object={obj.id}").get_data(as_text=True)
    import re

    checked = re.findall(r'<input([^>]*)type="checkbox"([^>]*)>', form)
    chosen = [a + b for a, b in checked if "checked" in a + b]
    assert len(chosen) == 1
    assert f'value="{obj.id}"' in chosen[0]
