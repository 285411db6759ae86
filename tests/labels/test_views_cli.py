"""Label pages and ``catalog labels``: the PDF for a selection, a search or everything."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp

from catalog.scanning import codes


def qr_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for index in range(len(document)):
            image = document[index].render(scale=300 / 72, grayscale=True).to_pil()
            texts.extend(r.text for r in zxingcpp.read_barcodes(image))
        return texts
    finally:
        document.close()


@pytest.fixture
def records(make_location, make_object):
    room = make_location("STORE-B", name="Store B")
    objects = [make_object(f"2024.8.{n}", title=f"Teacup {n}", location=room) for n in (1, 2, 3)]
    return room, objects


def test_labels_page_and_pdf_for_a_selection(auth, client, records):
    auth.login("technician")
    _, objects = records
    ids = ",".join(str(o.id) for o in objects[:2])
    page = client.get(f"/labels/?kind=objects&ids={ids}&layout=L7163")
    assert page.status_code == 200
    assert b"2</strong> selected" in page.data
    assert page.data.count(b'name="start"') == 14  # the L7163 sheet has 14 labels
    response = client.get(f"/labels/labels.pdf?kind=objects&ids={ids}&layout=roll-62x29"
                          "&copies=2&start=1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    expected = [codes.payload("http://catalog.test", codes.object_code(o.id)) for o in objects[:2]]
    assert sorted(qr_texts(response.data)) == sorted(expected * 2)


def test_labels_from_typed_numbers_search_and_for_locations(auth, client, records):
    auth.login("registrar")
    room, _ = records
    typed = client.get("/labels/labels.pdf", query_string={
        "kind": "objects", "identifiers": "2024.8.3\n2024.8.1", "layout": "5160"})
    assert typed.status_code == 200
    assert len(qr_texts(typed.data)) == 2
    search = client.get("/labels/labels.pdf", query_string={"kind": "objects", "q": "teacup",
                                                           "layout": "L7160", "start": 20})
    document = pdfium.PdfDocument(search.data)
    assert len(document) == 2  # cells 20 and 21, then the third teacup on a new sheet
    document.close()
    location = client.get("/labels/labels.pdf", query_string={
        "kind": "locations", "identifiers": "STORE-B", "layout": "roll-2x1"})
    assert qr_texts(location.data) == [codes.payload("http://catalog.test",
                                                     codes.location_code(room.id))]


def test_bad_label_requests_explain_themselves(auth, client, records):
    auth.login("technician")
    unknown = client.get("/labels/labels.pdf", query_string={
        "kind": "objects", "identifiers": "2024.8.1, NOPE-1"})
    assert unknown.status_code == 422
    assert b"NOPE-1" in unknown.data
    empty = client.get("/labels/labels.pdf", query_string={"kind": "objects"})
    assert empty.status_code == 422
    bad_start = client.get("/labels/labels.pdf", query_string={
        "kind": "objects", "identifiers": "2024.8.1", "layout": "L7163", "start": 15})
    assert bad_start.status_code == 422
    assert b"between 1 and 14" in bad_start.data


def test_labels_need_the_permission(auth, client):
    auth.login("viewer")
    assert client.get("/labels/").status_code == 403


def test_cli_writes_the_pdf(app, records, tmp_path):
    room, _ = records
    target = tmp_path / "labels.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["labels", "objects", "--all", "--layout", "L7160",
                                 "--start", "3", "--copies", "2", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "6 label(s) for 3 objects" in result.output
    assert len(qr_texts(target.read_bytes())) == 6
    result = runner.invoke(args=["labels", "locations", "STORE-B", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert qr_texts(target.read_bytes()) == [
        codes.payload("http://catalog.test", codes.location_code(room.id))]


def test_cli_bad_input_is_one_line_and_writes_nothing(app, records, tmp_path):
    target = tmp_path / "nothing.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["labels", "objects", "2024.8.1", "NOPE-9", "-o", str(target)])
    assert result.exit_code == 1
    assert "NOPE-9" in result.output
    assert not target.exists()
    result = runner.invoke(args=["labels", "objects", "--all", "--layout", "A9", "-o",
                                 str(target)])
    assert result.exit_code == 1
    assert "Unknown label layout" in result.output
    assert not target.exists()
    assert not list(tmp_path.glob("*.part"))


def test_labels_for_the_search_selection(auth, client, records, db_session):
    from catalog.search.services import select_objects

    user = auth.login("registrar")
    _, objects = records
    select_objects(db_session, user, [objects[0].id, objects[2].id])
    db_session.commit()
    page = client.get("/labels/?kind=objects&selection=1")
    assert b"<strong>2</strong> object(s) in your search selection" in page.data
    response = client.get("/labels/labels.pdf?kind=objects&selection=1&layout=L7160")
    assert response.status_code == 200
    expected = [codes.payload("http://catalog.test", codes.object_code(o.id))
                for o in (objects[0], objects[2])]
    assert sorted(qr_texts(response.data)) == sorted(expected)
    assert b"Print labels" in client.get("/search/selection").data
