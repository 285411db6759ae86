"""Inventory pages and API, through HTTP."""

from __future__ import annotations

import uuid

import pytest

from catalog.scanning import codes


@pytest.fixture
def store(make_location, make_object):
    room = make_location("INV-R", name="Inventory room")
    shelf = make_location("INV-R-1", parent=room, name="Shelf 1")
    other = make_location("INV-X", name="Elsewhere")
    a = make_object("2025.1.1", title="Spoon", location=shelf)
    b = make_object("2025.1.2", title="Fork", location=shelf)
    c = make_object("2025.1.3", title="Knife", location=other)
    return room, shelf, other, (a, b, c)


def test_inventory_through_the_pages(auth, client, store):
    auth.login("technician")
    _, _, _, (a, _, c) = store
    response = client.post("/inventory/start", data={"location": "INV-R",
                                                      "include_sublocations": "y"})
    assert response.status_code == 302
    detail_url = response.headers["Location"]
    page = client.get(detail_url)
    assert b"2025.1.1" in page.data
    assert b"0</span> found" in page.data
    inventory_id = int(detail_url.rstrip("/").rsplit("/", 1)[1])
    client.post(f"/inventory/{inventory_id}/found", data={"object_id": [str(a.id)]})
    client.post("/api/v1/scans/", json={"client_id": str(uuid.uuid4()), "mode": "inventory",
                                        "code": codes.object_code(c.id),
                                        "inventory_id": inventory_id, "location_code": "INV-R-1"})
    finish = client.post(f"/inventory/{inventory_id}/finish", data={})
    assert finish.status_code == 302
    report = client.get(f"/inventory/{inventory_id}/report").get_data(as_text=True)
    assert "1 missing" in report
    assert "1 unexpected" in report
    assert "Fork" in report
    again = client.post("/inventory/start", data={"location": "NOWHERE"})
    assert again.status_code == 422


def test_inventory_api_start_resume_and_finish(auth, client, store):
    auth.login("technician")
    started = client.post("/api/v1/inventories/", json={"location_code": "INV-R"})
    assert started.status_code == 201
    body = started.json
    assert body["expected_count"] == 2
    assert codes.location_code(store[1].id) in body["sublocation_scan_codes"]
    resumed = client.post("/api/v1/inventories/", json={"location_code": "INV-R"})
    assert resumed.status_code == 200
    assert resumed.json["id"] == body["id"]
    found = client.post(f"/api/v1/inventories/{body['id']}/findings",
                        json={"object_code": "2025.1.1"})
    assert found.json["found_count"] == 1
    result = client.post(f"/api/v1/inventories/{body['id']}/finish", json={})
    assert result.json == {"missing": 1, "unexpected": 0, "misplaced": 0, "found": 1}
    closed = client.post(f"/api/v1/inventories/{body['id']}/findings",
                         json={"object_code": "2025.1.2"})
    assert closed.status_code == 409


def test_schedule_and_overdue_pages(auth, client, store):
    auth.login("collections_manager")
    response = client.post("/inventory/schedule", data={"location": "INV-X",
                                                        "interval_days": "30"})
    assert response.status_code == 302
    overdue = client.get("/inventory/overdue")
    assert overdue.status_code == 200
    assert b"INV-X" in overdue.data  # listed with its dates
    bad = client.post("/inventory/schedule", data={"location": "INV-X", "interval_days": "0"})
    assert bad.status_code == 422
    assert b"Inventory" in client.get("/").data


def test_viewer_cannot_open_inventory(auth, client):
    auth.login("viewer")
    assert client.get("/inventory/").status_code == 403
