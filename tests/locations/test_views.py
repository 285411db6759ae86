"""Location pages: browsing, forms, moves, refusals and permissions as a user sees them."""

from __future__ import annotations

from catalog.locations import services
from tests.locations.factories import make_object, small_tree


def test_browse_tree_and_location_page(auth, client, db_session):
    tree = small_tree(db_session)
    auth.login("viewer")
    page = client.get("/locations/").get_data(as_text=True)
    assert "SITE" in page
    page = client.get(f"/locations/{tree['store'].id}").get_data(as_text=True)
    assert "UNIT-1" in page
    assert "Bizot 2023" in page
    page = client.get(f"/locations/{tree['box'].id}").get_data(as_text=True)
    assert "inherited from STORE" in page
    assert client.get("/locations/?code=shelf-b").headers["Location"].endswith(
        f"/locations/{tree['shelf_b'].id}")


def test_manager_creates_location_and_sets_target(auth, client, db_session):
    tree = small_tree(db_session)
    auth.login("collections_manager")
    response = client.post(f"/locations/new?parent={tree['unit'].id}", data={
        "code": "SHELF-C", "name": "Shelf C", "kind": "shelf", "capacity": "10",
        "security_level": "2"})
    assert response.status_code == 302
    response = client.post(f"/locations/new?parent={tree['unit'].id}", data={
        "code": "shelf-c", "name": "Duplicate", "kind": "shelf", "security_level": "0"})
    assert response.status_code == 422
    assert "already used" in response.get_data(as_text=True)
    response = client.post(f"/locations/{tree['shelf_b'].id}/target", data={
        "preset": "custom", "temp_min": "18", "temp_max": "21", "rh_min": "45", "rh_max": "55"})
    assert response.status_code == 302
    assert tree["shelf_b"].target_temp_max == 2100


def test_technician_cannot_edit_locations_or_targets(auth, client, db_session):
    tree = small_tree(db_session)
    auth.login("technician")
    assert client.get(f"/locations/{tree['store'].id}/target").status_code == 403
    assert client.post(f"/locations/{tree['store'].id}/target",
                       data={"preset": ""}).status_code == 403
    assert client.get("/locations/new").status_code == 403
    assert tree["store"].target_preset == "bizot2023"


def test_viewer_cannot_move(auth, client, db_session):
    small_tree(db_session)
    obj = make_object(db_session, "V.1")
    auth.login("viewer")
    assert client.get("/locations/move").status_code == 403
    response = client.post("/locations/move", data={"objects": "V.1", "location": "SHELF-B",
                                                    "reason": "Storage", "method": "Trolley",
                                                    "status": "done"})
    assert response.status_code == 403
    assert obj.current_location_id is None


def test_move_form_moves_and_refuses_clearly(auth, client, db_session):
    tree = small_tree(db_session)
    objs = [make_object(db_session, f"M.{i}") for i in range(1, 5)]
    auth.login("technician")
    form = {"objects": "M.1, M.2\nM.3\nM.4", "location": "SHELF-A", "reason": "Storage",
            "method": "Trolley", "status": "done"}
    response = client.post("/locations/move", data=form)
    assert response.status_code == 422
    assert "SHELF-A holds 0 of 3 objects; 4 more do not fit" in response.get_data(as_text=True)
    response = client.post("/locations/move", data={**form, "location": "NOPE"})
    assert response.status_code == 422
    assert "There is no location with the code" in response.get_data(as_text=True)
    response = client.post("/locations/move", data={**form, "location": "SHELF-B",
                                                     "moved_at": "2025-03-01T10:30"})
    assert response.status_code == 302
    assert all(o.current_location_id == tree["shelf_b"].id for o in objs)
    page = client.get(f"/locations/objects/{objs[0].id}/movements?on=2025-03-01")
    text = page.get_data(as_text=True)
    assert "SHELF-B" in text
    assert "On 01 Mar 2025" in text
    assert (auth.user.name or auth.user.email) in text  # who moved it
    text = client.get(f"/locations/objects/{objs[0].id}/movements?on=2025-02-28").get_data(
        as_text=True)
    assert "There is no record of where M.1 was on 28 Feb 2025" in text


def test_move_selection_page(auth, client, db_session):
    tree = small_tree(db_session)
    a, b = make_object(db_session, "SEL.1"), make_object(db_session, "SEL.2")
    auth.login("technician")
    page = client.post("/locations/move-selection", data={"object_ids": [a.id, b.id]})
    assert page.status_code == 200
    assert "Move 2 selected object(s)" in page.get_data(as_text=True)
    response = client.post("/locations/move-selection", data={
        "object_ids": [a.id, b.id], "location": "SHELF-B", "reason": "Storage",
        "method": "Trolley", "status": "done"})
    assert response.status_code == 302
    assert a.current_location_id == b.current_location_id == tree["shelf_b"].id


def test_container_move_page_and_away_list(auth, client, db_session, make_user):
    tree = small_tree(db_session)
    obj = make_object(db_session, "BOXED.1")
    services.move_objects(db_session, objects=[obj], to_location=tree["box"],
                          actor=make_user("technician"))
    auth.login("technician")
    response = client.post(f"/locations/{tree['box'].id}/move", data={
        "location": "SHELF-B", "reason": "Storage", "method": "Trolley"})
    assert response.status_code == 302
    text = client.get(f"/locations/objects/{obj.id}/movements").get_data(as_text=True)
    assert "moved with container BOX-1" in text
    text = client.get(f"/locations/objects/{obj.id}/movements?on=2020-01-01").get_data(
        as_text=True)
    assert "There is no record" in text
    response = client.post(f"/locations/{tree['box'].id}/move", data={
        "location": "BOX-1", "reason": "Storage", "method": "Trolley"})
    assert response.status_code == 422
    assert "cannot go inside itself" in response.get_data(as_text=True)
    services.move_objects(db_session, objects=[obj], to_location=tree["shelf_a"],
                          actor=auth.user)
    assert "BOXED.1" in client.get("/locations/away").get_data(as_text=True)


def test_salvage_list_pdf(auth, client, db_session, make_user):
    tree = small_tree(db_session)
    obj = make_object(db_session, "PDF.1", title="Portrait <of> a lady & child")
    services.move_objects(db_session, objects=[obj], to_location=tree["shelf_b"],
                          actor=make_user("technician"))
    auth.login("collections_manager")
    response = client.post(f"/locations/objects/{obj.id}/salvage",
                           data={"salvage_priority": "1"})
    assert response.status_code == 302
    assert obj.salvage_priority == 1
    assert "PDF.1" in client.get(f"/locations/{tree['store'].id}/salvage").get_data(as_text=True)
    pdf = client.get(f"/locations/{tree['store'].id}/salvage.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf.data)
    width, height = doc[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "PDF.1" in doc[0].get_textpage().get_text_range()


def test_move_the_search_selection(auth, client, db_session):
    from catalog.search.services import select_objects

    tree = small_tree(db_session)
    a, b = make_object(db_session, "SRCH.1"), make_object(db_session, "SRCH.2")
    user = auth.login("registrar")
    select_objects(db_session, user, [a.id, b.id])
    db_session.commit()
    assert "Move selection" in client.get("/search/selection").get_data(as_text=True)
    page = client.post("/locations/move-selection", data={"source": "selection"})
    assert "Move 2 selected object(s)" in page.get_data(as_text=True)
    response = client.post("/locations/move-selection", data={
        "object_ids": [a.id, b.id], "location": "SHELF-A", "reason": "Storage",
        "method": "Trolley", "status": "done"})
    assert response.status_code == 302
    assert a.current_location_id == tree["shelf_a"].id


def test_object_record_shows_location_partial(auth, client, db_session, make_user):
    tree = small_tree(db_session)
    obj = make_object(db_session, "REC.1")
    services.move_objects(db_session, objects=[obj], to_location=tree["shelf_b"],
                          actor=make_user("technician"), reason="Storage")
    auth.login("registrar")
    text = client.get(f"/objects/{obj.id}").get_data(as_text=True)
    assert "Location history" in text
    assert "/locations/move?objects=REC.1" in text


def test_where_was_it_warns_when_its_container_moved_since(auth, client, db_session,
                                                           make_user):
    from datetime import UTC, datetime

    tree = small_tree(db_session)
    obj = make_object(db_session, "OLD.1")
    tech = make_user("technician")
    services.move_objects(db_session, objects=[obj], to_location=tree["box"], actor=tech,
                          moved_at=datetime(2025, 1, 1, 12, tzinfo=UTC))
    services.move_container(db_session, container=tree["box"], to_parent=tree["shelf_b"],
                            actor=tech)
    auth.login("viewer")
    text = client.get(f"/locations/objects/{obj.id}/movements?on=2025-06-01").get_data(
        as_text=True)
    assert "OLD.1 was in" in text
    assert "BOX-1" in text
    assert "Its container has moved since then" in text
