"""The scans API and the scanning pages, through HTTP."""

from __future__ import annotations

import uuid

import pytest

from catalog.scanning import codes


@pytest.fixture
def shelf_and_jug(make_location, make_object):
    room = make_location("ROOM-1", name="Room 1")
    shelf = make_location("SHELF-2", parent=room, name="Shelf 2")
    jug = make_object("2024.7.1", title="Stoneware jug", location=room)
    return room, shelf, jug


def test_post_scan_is_idempotent_on_client_id(auth, client, shelf_and_jug):
    auth.login("technician")
    room, shelf, jug = shelf_and_jug
    body = {"client_id": str(uuid.uuid4()), "code": f"http://catalog.test/s/"
            f"{codes.object_code(jug.id)}", "mode": "move",
            "location_code": codes.location_code(shelf.id),
            "scanned_at": "2030-01-01T10:00:00Z"}
    first = client.post("/api/v1/scans/", json=body)
    assert first.status_code == 201, first.json
    assert first.json["status"] == "recorded"
    assert first.json["record"]["location_code"] == "SHELF-2"
    assert first.json["location_code"] == "SHELF-2"
    second = client.post("/api/v1/scans/", json=body)
    assert second.status_code == 200
    assert second.json["id"] == first.json["id"]
    assert second.json["repeated"] is True
    listed = client.get("/api/v1/scans/").json
    assert [s["id"] for s in listed] == [first.json["id"]]
    undone = client.post(f"/api/v1/scans/{first.json['id']}/undo", json={"reason": "wrong box"})
    assert undone.json["status"] == "undone"
    assert "wrong box" in undone.json["message"]
    assert jug.current_location_id == room.id


def test_bad_input_is_a_json_4xx(auth, client):
    auth.login("technician")
    response = client.post("/api/v1/scans/", json={"client_id": "x", "mode": "fly"})
    assert response.status_code == 422
    assert "client_id" in response.json["errors"]
    missing = client.get("/api/v1/scans/resolve", query_string={"code": "NOPE"})
    assert missing.status_code == 404
    assert "NOPE" in missing.json["message"]
    assert client.get("/api/v1/scans/12345").status_code == 404


def test_resolve_and_context(auth, client, shelf_and_jug):
    auth.login("technician")
    _, _, jug = shelf_and_jug
    record = client.get("/api/v1/scans/resolve", query_string={"code": "2024.7.1"}).json
    assert record["kind"] == "object"
    assert record["scan_code"] == codes.object_code(jug.id)
    assert record["title"] == "Stoneware jug"
    context = client.get("/api/v1/scans/context").json
    assert context["can_move"]
    assert context["csrf_token"]


def test_api_needs_sign_in_and_permission(auth, client):
    assert client.get("/api/v1/scans/").status_code == 401
    auth.login("viewer")
    response = client.post("/api/v1/scans/", json={"client_id": str(uuid.uuid4()),
                                                   "code": "x", "mode": "lookup"})
    assert response.status_code == 403


def test_openapi_documents_the_scans_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/scans/" in spec["paths"]
    post = spec["paths"]["/api/v1/scans/"]["post"]
    assert "ScanCreate" in str(post["requestBody"])
    assert "client_id" in spec["components"]["schemas"]["ScanCreate"]["required"]
    assert "/api/v1/inventories/{inventory_id}/finish" in spec["paths"]


def test_label_url_opens_the_record_after_sign_in(auth, client, shelf_and_jug):
    _, shelf, jug = shelf_and_jug
    url = f"/s/{codes.object_code(jug.id)}"
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    auth.login("technician")
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, (response.request.path, response.history)
    assert b"2024.7.1" in response.data
    assert b"Stoneware jug" in response.data
    assert b"Print label" in response.data
    response = client.get(f"/s/{codes.location_code(shelf.id)}")
    assert response.headers["Location"].endswith(f"/locations/{shelf.id}")
    response = client.get(response.headers["Location"])
    assert b"SHELF-2" in response.data
    assert b"Print label" in response.data
    assert client.get("/s/O16JW").status_code == 404


def test_scan_page_service_worker_and_manifest(auth, client):
    sw = client.get("/sw.js")  # public: the browser fetches it without cookies at times
    assert sw.status_code == 200
    assert sw.headers["Service-Worker-Allowed"] == "/"
    assert "javascript" in sw.headers["Content-Type"]
    manifest = client.get("/manifest.webmanifest")
    assert manifest.json["start_url"] == "/scan"
    auth.login("technician")
    page = client.get("/scan")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "vendor/jsqr/jsQR.js" in text
    assert "js/scan.js" in text
    assert 'rel="manifest"' in text
    assert "<script>" not in text
    assert b"Scan" in client.get("/").data  # nav entry


def test_history_conflicts_and_legacy_barcodes(auth, client, shelf_and_jug):
    auth.login("collections_manager")
    _, _, jug = shelf_and_jug
    assert client.get("/scan/history?status=conflict").status_code == 200
    response = client.post("/scan/barcodes", data={"barcode": "OLD-0001", "target": "2024.7.1"})
    assert response.status_code == 302
    record = client.get("/api/v1/scans/resolve", query_string={"code": "old-0001"}).json
    assert record["id"] == jug.id
    assert record["matched_by"] == "legacy_barcode"
    again = client.post("/scan/barcodes", data={"barcode": "OLD-0001", "target": "ROOM-1"})
    assert again.status_code == 422
    assert b"already linked" in again.data


def test_condition_notes_page(auth, client, shelf_and_jug):
    auth.login("conservator")
    _, _, jug = shelf_and_jug
    response = client.post("/api/v1/scans/", json={
        "client_id": str(uuid.uuid4()), "mode": "condition", "code": "2024.7.1",
        "note": "Handle cracked"})
    assert response.json["status"] == "recorded"
    page = client.get("/scan/notes")
    assert b"Handle cracked" in page.data
    assert jug.object_number.encode() in page.data
