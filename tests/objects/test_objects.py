"""Object records: creation, inventory minimum, duplicates, renumbering, the record page."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from catalog.core.audit import history
from catalog.core.errors import PermissionDenied, ValidationError
from catalog.objects import services
from catalog.objects.models import CatalogueObject, OtherNumber


def test_create_with_makers_dimensions_and_display(db_session, registrar):
    obj = services.create_object(
        db_session, actor=registrar, object_number="2024.2.10", object_name="painting",
        title="The Harbour", brief_description="Harbour at dusk", materials="oil paint, canvas",
        makers=[services.MakerInput(name="Joseph Mallord William Turner", role="painter")],
        dimensions=[services.DimensionInput(part="support", dimension="height", value="600",
                                            unit="mm"),
                    services.DimensionInput(part="support", dimension="width", value="400.5",
                                            unit="mm"),
                    services.DimensionInput(dimension="weight", value="2,5", unit="kg")])
    assert obj.number_key == "2024.2.10"
    assert obj.makers[0].party.sort_name == "Turner, Joseph Mallord William"
    assert "maker" in obj.makers[0].party.role_codes
    assert [d.value for d in obj.dimensions] == [Decimal("600.000"), Decimal("400.500"),
                                                 Decimal("2.500")]
    assert obj.dimensions_display == "support: 600 × 400.5 mm; weight 2.5 kg"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("object_name", None, "object name"),
    ("brief_description", "  ", "brief description"),
    ("number_of_objects", 0, "at least 1"),
])
def test_inventory_minimum_is_required_for_accessioned_objects(make_object, field, value,
                                                               message):
    with pytest.raises(ValidationError, match=message):
        make_object(**{field: value})


def test_entry_objects_may_lack_a_name(make_object):
    assert make_object(status="entry", object_name=None).status == "entry"


@pytest.mark.parametrize("variant", ["2024.1.1", " 2024.1.1 ", "2024.1.1".upper(),
                                     "2024\u20131\u20131", "2024-1-1 "])
def test_duplicates_refused_on_the_normalised_form(db_session, make_object, variant):
    make_object(object_number="2024.1.1")
    make_object(object_number="2024-1-1")
    with pytest.raises(ValidationError, match="already used"):
        make_object(object_number=variant)


def test_database_itself_refuses_a_duplicate_key(db_session, make_object):
    from catalog.objects.numbers import natural_sort_key, normalise_number

    make_object(object_number="T03868")
    db_session.add(CatalogueObject(object_number="t03868 ", number_key=normalise_number(
        "t03868 "), sort_key=natural_sort_key("t03868")))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_viewer_cannot_create(db_session, make_user):
    with pytest.raises(PermissionDenied):
        services.create_object(db_session, actor=make_user("viewer"), object_number="X.1",
                               status="entry")


def test_renumber_keeps_old_number_and_history(db_session, make_object, registrar):
    obj = make_object(object_number="TEMP.7")
    services.renumber_object(db_session, obj, actor=registrar, new_number="2024.5.1")
    assert obj.object_number == "2024.5.1"
    assert [(o.number, o.kind) for o in obj.other_numbers] == [("TEMP.7", "previous")]
    rows = db_session.scalars(history("objects", obj.id)).all()
    change = next(r for r in rows if "object_number" in r.changes)
    assert change.changes["object_number"] == ["TEMP.7", "2024.5.1"]
    assert "renumbered" in change.reason
    other = make_object(object_number="2024.5.2")
    with pytest.raises(ValidationError, match="already used"):
        services.renumber_object(db_session, other, actor=registrar, new_number=" 2024.5.1 ")


def test_backlog_counts_missing_fields(db_session, make_object):
    make_object(title="Complete?", production_date="1850", materials="oil")
    make_object(status="entry", object_name=None, brief_description=None)
    counts = services.backlog_counts(db_session)
    assert counts["object_name"] == 1
    assert counts["brief_description"] == 1
    assert counts["title"] == 1
    assert counts["location"] == 2
    assert counts["image"] == 2
    assert services.backlog_total(db_session) == 2
    assert len(services.backlog_objects(db_session, missing="object_name")) == 1


# --- views -----------------------------------------------------------------------------------

def test_create_object_through_the_form(client, auth, db_session):
    auth.login("registrar")
    page = client.get("/objects/new")
    assert page.status_code == 200
    assert b'list="vocab-object_name"' in page.data
    assert b"<option value=\"painting\">" in page.data  # starter vocabulary offered
    response = client.post("/objects/new", data={
        "object_number": "2026.9.1", "status": "accessioned", "object_name": "painting",
        "number_of_objects": "1", "brief_description": "A view of Venice",
        "makers-0-name": "Canaletto", "makers-0-role": "painter",
        "dimensions-0-dimension": "height", "dimensions-0-value": "47", "dimensions-0-unit": "cm",
        "other_numbers-0-number": "L.1999.3", "other_numbers-0-kind": "loan",
    })
    assert response.status_code == 302, response.data[:2000]
    obj = db_session.scalar(sa.select(CatalogueObject).where(
        CatalogueObject.number_key == "2026.9.1"))
    assert obj.makers[0].party.name == "Canaletto"
    assert obj.dimensions_display == "height 47 cm"
    assert obj.other_numbers[0].number == "L.1999.3"
    # the same number again, typed differently: a clear form error, nothing saved
    again = client.post("/objects/new", data={
        "object_number": " 2026.9.1 ", "status": "entry", "number_of_objects": "1"})
    assert again.status_code == 422
    assert b"already used by 2026.9.1" in again.data, again.get_data(as_text=True)


def test_create_object_with_number_from_scheme(client, auth, db_session):
    auth.login("registrar")
    data = {"scheme": "accession", "status": "accessioned", "object_name": "vase",
            "number_of_objects": "2", "parts": "a-b", "brief_description": "Pair of vases"}
    assert client.post("/objects/new", data=data).status_code == 302
    numbers = db_session.scalars(sa.select(CatalogueObject.object_number)).all()
    assert len(numbers) == 1
    assert numbers[0].endswith(".1.1")


def test_check_number_endpoint(client, auth, make_object):
    obj = make_object(object_number="2000.71.36.2.A-B", title="Box")
    auth.login("viewer")
    hit = client.get("/objects/check-number?number=2000.71.36.2.a%E2%80%93b").get_json()
    assert hit["duplicate"] is True
    assert hit["object"]["object_number"] == "2000.71.36.2.A-B"
    miss = client.get("/objects/check-number?number=2000.71.36.2.A-C").get_json()
    assert miss["duplicate"] is False
    own = client.get(f"/objects/check-number?number=2000.71.36.2.A-B&exclude={obj.id}")
    assert own.get_json()["duplicate"] is False


def test_renumber_view(client, auth, make_object, db_session):
    obj = make_object(object_number="TMP.1")
    auth.login("registrar")
    response = client.post(f"/objects/{obj.id}/renumber",
                           data={"new_number": "2026.1.1", "old_kind": "temporary"})
    assert response.status_code == 302
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert "2026.1.1" in page
    assert "TMP.1" in page


def test_viewer_reads_but_cannot_edit(client, auth, make_object):
    obj = make_object()
    auth.login("viewer")
    assert client.get(f"/objects/{obj.id}").status_code == 200
    assert client.get("/objects/").status_code == 200
    assert client.get(f"/objects/{obj.id}/edit").status_code == 403
    assert client.get("/objects/new").status_code == 403
    assert client.post(f"/objects/{obj.id}/renumber", data={"new_number": "x"}).status_code == 403
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert "Renumber" not in page


def test_edit_object(client, auth, make_object, db_session):
    obj = make_object(makers=[services.MakerInput(name="Anon", role="artist")])
    auth.login("registrar")
    form = client.get(f"/objects/{obj.id}/edit")
    assert form.status_code == 200
    assert b'value="Anon"' in form.data
    response = client.post(f"/objects/{obj.id}/edit", data={
        "object_name": "drawing", "number_of_objects": "1", "brief_description": "Pencil study",
        "title": "Study", "makers-0-name": "Anon", "makers-0-role": "artist",
        "makers-1-name": "Second Hand", "makers-1-role": "after"})
    assert response.status_code == 302, response.data[:3000]
    db_session.refresh(obj)
    assert obj.title == "Study"
    assert [m.party.name for m in obj.makers] == ["Anon", "Second Hand"]
    bad = client.post(f"/objects/{obj.id}/edit", data={
        "object_name": "", "number_of_objects": "1", "brief_description": "x"})
    assert bad.status_code == 422
    assert b"needs an object name" in bad.data


def test_record_page_query_count_is_bounded(client, auth, make_object, count_queries,
                                            db_session):
    """No N+1: a record with many makers, dimensions and numbers costs what a bare one does."""
    bare = make_object(makers=[services.MakerInput(name="Solo")],
                       dimensions=[services.DimensionInput(dimension="width", value="1",
                                                           unit="cm")],
                       other_numbers=[("OLD.X", "previous")])
    makers = [services.MakerInput(name=f"Maker {i}") for i in range(6)]
    dims = [services.DimensionInput(dimension="height", value=str(i + 1), unit="cm")
            for i in range(5)]
    rich = make_object(makers=makers, dimensions=dims,
                       other_numbers=[(f"OLD.{i}", "previous") for i in range(5)])
    auth.login("viewer")
    counts = []
    for obj in (bare, rich):
        with count_queries() as statements:
            response = client.get(f"/objects/{obj.id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert "Maker 5" in response.get_data(as_text=True)
    assert counts[0] == counts[1]
    # A fixed budget: this page plus the sections other domains add (location, loans, condition).
    assert counts[1] <= 30, "\n".join(statements)


def test_backlog_page(client, auth, make_object):
    make_object(status="entry", object_name=None)
    auth.login("viewer")
    page = client.get("/objects/backlog")
    assert page.status_code == 200
    assert b'data-field="object_name">1<' in page.data
    listed = client.get("/objects/backlog?missing=object_name")
    assert b"2024.1." in listed.data
    assert client.get("/objects/backlog?missing=nonsense").status_code == 404


def test_dashboard_panel(client, auth, make_object):
    make_object(title="Dashboard piece")
    auth.login("viewer")
    page = client.get("/").get_data(as_text=True)
    assert "Dashboard piece" in page
    assert "missing the inventory minimum" in page


def test_other_numbers_are_kept(db_session, make_object):
    obj = make_object(other_numbers=[("B-100", "previous")])
    assert db_session.scalar(sa.select(OtherNumber.number).where(
        OtherNumber.object_id == obj.id)) == "B-100"


def test_record_page_links_procedures_of_other_domains(client, auth, make_object, db_session):
    from datetime import date

    from catalog.conditions.models import ConditionReport
    from catalog.locations.models import Location
    from catalog.locations.services import move_objects
    from catalog.valuations.models import Valuation

    obj = make_object()
    store = Location(code="ST-A-01", name="Store A, bay 1", kind="unit")
    db_session.add(store)
    db_session.flush()
    move_objects(db_session, objects=[obj], to_location=store, actor=None, reason="new home")
    db_session.add(ConditionReport(object_id=obj.id, context="routine", examiner_name="C. Cons",
                                   examined_on=date(2026, 2, 1), overall="fair"))
    db_session.add(Valuation(object_id=obj.id, valued_on=date(2026, 3, 1), amount_minor=5_000_00,
                             currency="GBP", purpose="insurance"))
    db_session.commit()
    auth.login("registrar")
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert "ST-A-01" in page  # current and home location
    assert "Condition check" in page
    assert "Valuation" in page
    auth.logout()
    auth.login("viewer")  # no valuations.view
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert "Condition check" in page
    assert "Valuation" not in page


def test_record_history_includes_makers_and_numbers(client, auth, make_object, registrar,
                                                    db_session):
    obj = make_object(object_number="H.1", makers=[services.MakerInput(name="Hannah Maker")])
    services.renumber_object(db_session, obj, actor=registrar, new_number="H.2")
    db_session.commit()
    auth.login("viewer")
    page = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert "object_makers #" in page
    assert "object_other_numbers #" in page
    assert "renumbered from H.1" in page


def test_status_deaccessioned_only_through_the_procedure(make_object):
    with pytest.raises(ValidationError, match="deaccession record"):
        make_object(status="deaccessioned")


def test_renumber_from_a_scheme(client, auth, make_object, db_session):
    obj = make_object(object_number="TEMP.99")
    auth.login("registrar")
    page = client.get(f"/objects/{obj.id}/renumber")
    assert b"Accession numbers (next:" in page.data
    response = client.post(f"/objects/{obj.id}/renumber",
                           data={"scheme": "accession", "old_kind": "temporary"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.refresh(obj)
    assert obj.object_number.endswith(".1.1")
    assert [(o.number, o.kind) for o in obj.other_numbers] == [("TEMP.99", "temporary")]
    empty = client.post(f"/objects/{obj.id}/renumber", data={"old_kind": "previous"})
    assert empty.status_code == 422
    assert "Give the object a number" in empty.get_data(as_text=True)


def test_renumbering_through_the_api_keeps_the_old_number(client, db_session, make_object,
                                                          registrar):
    from catalog.users.services import create_token

    obj = make_object(object_number="API.1")
    _, token = create_token(db_session, registrar, name="test")
    db_session.commit()
    response = client.patch(f"/api/v1/objects/{obj.id}", json={"object_number": "API.2"},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    db_session.expire_all()
    assert [(o.number, o.kind) for o in db_session.get(CatalogueObject, obj.id).other_numbers] \
        == [("API.1", "previous")]


def test_saving_unchanged_makers_and_dimensions_writes_no_history(db_session, make_object,
                                                                  registrar):
    from catalog.core.audit import AuditLog

    obj = make_object(makers=[services.MakerInput(name="Same Maker", role="artist")],
                      dimensions=[services.DimensionInput(dimension="height", value="10",
                                                          unit="cm")])
    before = db_session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    services.update_object(
        db_session, obj, actor=registrar, brief_description=obj.brief_description,
        makers=[services.MakerInput(name="same maker", role="artist")],
        dimensions=[services.DimensionInput(dimension="height", value="10.0", unit="cm")])
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before
