"""The JSON API of objects, parties, locations and movements, as a client sees it."""

from __future__ import annotations

from typing import Any

MINIMUM = {"object_name": "print", "brief_description": "A print."}


def make_object(api: Any, number: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/v1/objects", json={"object_number": number, **MINIMUM, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_object_create_read_update(api: Any) -> None:
    maker = api.post("/api/v1/parties", json={"name": "J. M. W. Turner", "roles": ["maker"]}).json
    created = make_object(api, "T03868", title="Norham Castle, Sunrise", earliest_year=1845,
                          latest_year=1845, makers=[{"party": maker["id"], "role": "painter"}],
                          other_numbers=[{"number": "TG 1234", "kind": "previous"}],
                          dimensions=[{"dimension": "height", "value": "908.5", "unit": "mm"}],
                          is_published=True)
    assert created["dimensions"] == [{"part": None, "dimension": "height", "value": "908.500",
                                      "unit": "mm"}]
    assert created["is_published"] is True
    assert created["images"] == []
    assert created["makers"] == [{"party": maker["id"], "party_name": "J. M. W. Turner",
                                  "role": "painter"}]
    assert created["status"] == "accessioned"

    read = api.get(f"/api/v1/objects/{created['id']}").json
    assert read["title"] == "Norham Castle, Sunrise"
    assert read["other_numbers"] == [{"number": "TG 1234", "kind": "previous", "note": None}]

    changed = api.patch(f"/api/v1/objects/{created['id']}", json={"title": "Norham Castle"})
    assert changed.status_code == 200
    assert changed.json["title"] == "Norham Castle"
    assert changed.json["makers"][0]["role"] == "painter"  # untouched fields stay


def test_duplicate_number_is_refused(api: Any) -> None:
    make_object(api, "2024.2.10")
    response = api.post("/api/v1/objects", json={"object_number": " 2024.2.10 ", **MINIMUM})
    assert response.status_code == 422
    assert "object_number" in response.json["errors"]
    # The inventory minimum holds on the API as in the forms.
    bare = api.post("/api/v1/objects", json={"object_number": "2024.2.11"})
    assert bare.status_code == 422
    assert "object_name" in bare.json["errors"]


def test_list_pages_with_a_cursor_and_filters(api: Any) -> None:
    for n in range(5):
        make_object(api, f"P.{n}", department="Prints" if n % 2 else "Paintings")
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/objects", query_string=query).json
        seen += [o["object_number"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"P.{n}" for n in range(5)]
    prints = api.get("/api/v1/objects", query_string={"department": "prints"}).json["items"]
    assert [o["object_number"] for o in prints] == ["P.1", "P.3"]


def test_bad_input_is_answered_as_json_4xx(api: Any) -> None:
    unknown = api.post("/api/v1/objects", json={"object_number": "X.1", "colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json["errors"] == {"colour": ["Unknown field."]}

    wrong_type = api.post("/api/v1/objects", json={"object_number": 12, "number_of_objects": "3"})
    assert wrong_type.status_code == 422
    assert set(wrong_type.json["errors"]) == {"object_number", "number_of_objects"}

    malformed = api.post("/api/v1/objects", data="{not json",
                         headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.json["message"] == "The request body is not valid JSON."

    oversized = api.get("/api/v1/objects", query_string={"limit": 201})
    assert oversized.status_code == 422
    assert "limit" in oversized.json["errors"]

    bad_cursor = api.get("/api/v1/objects", query_string={"cursor": "bm90IGEgY3Vyc29y"})
    assert bad_cursor.status_code == 422
    assert "cursor" in bad_cursor.json["errors"]

    nul = api.post("/api/v1/objects", json={"object_number": "A\x00B"})
    assert nul.status_code == 422

    too_big = api.get("/api/v1/objects/99999999999")
    assert too_big.status_code == 404
    assert api.get("/api/v1/objects/123456").status_code == 404

    years = api.post("/api/v1/objects", json={"object_number": "Y.1", "earliest_year": 1900,
                                              "latest_year": 1800})
    assert years.status_code == 422
    assert "latest_year" in years.json["errors"]


def test_tokens_carry_their_users_permissions(anon: Any, token_for: Any) -> None:
    assert anon.get("/api/v1/objects").status_code == 401
    bogus = anon.get("/api/v1/objects", headers={"Authorization": "Bearer cat_nonsense"})
    assert bogus.status_code == 401
    viewer = token_for("viewer")
    assert anon.get("/api/v1/objects", headers=viewer).status_code == 200
    refused = anon.post("/api/v1/objects", json={"object_number": "V.1"}, headers=viewer)
    assert refused.status_code == 403
    assert refused.json["status"] == 403
    # Deaccessioning is its own permission, whichever path it takes.
    manager = token_for("collections_manager")
    created = anon.post("/api/v1/objects", json={"object_number": "D.1", **MINIMUM},
                        headers=manager)
    assert created.status_code == 201
    deaccession = anon.patch(f"/api/v1/objects/{created.json['id']}",
                               json={"status": "deaccessioned"}, headers=manager)
    assert deaccession.status_code == 403


def test_personal_details_need_their_permission(anon: Any, token_for: Any, api: Any) -> None:
    donor = api.post("/api/v1/parties", json={"name": "Ada Donor", "email": "ada@example.org",
                                              "roles": ["donor"]}).json
    assert donor["email"] == "ada@example.org"
    conservator = token_for("conservator")
    seen = anon.get(f"/api/v1/parties/{donor['id']}", headers=conservator).json
    assert seen["name"] == "Ada Donor"
    assert "email" not in seen
    donors = api.get("/api/v1/parties", query_string={"role": "donor"}).json["items"]
    assert [p["name"] for p in donors] == ["Ada Donor"]


def test_locations_by_code_and_movements(api: Any) -> None:
    site = api.post("/api/v1/locations", json={"code": "MAIN", "name": "Main site",
                                               "kind": "site"}).json
    store = api.post("/api/v1/locations", json={"code": "MAIN-S1", "name": "Store 1",
                                                "parent": "main", "capacity": 1})
    assert store.status_code == 201
    assert store.json["parent"] == "MAIN"
    loop = api.patch(f"/api/v1/locations/{site['id']}", json={"parent": "MAIN-S1"})
    assert loop.status_code == 422
    assert "parent" in loop.json["errors"]
    missing = api.post("/api/v1/locations", json={"code": "X", "name": "X", "parent": "NOPE"})
    assert missing.status_code == 422
    children = api.get("/api/v1/locations", query_string={"parent": "MAIN"}).json["items"]
    assert [loc["code"] for loc in children] == ["MAIN-S1"]

    first = make_object(api, "M.1")
    make_object(api, "M.2")
    moved = api.post("/api/v1/movements", json={"object": "m.1", "to_location": "MAIN-S1",
                                                "reason": "storage"})
    assert moved.status_code == 201, moved.json
    assert moved.json["from_location"] is None
    assert moved.json["to_location"] == "MAIN-S1"
    assert api.get(f"/api/v1/objects/{first['id']}").json["current_location"] == "MAIN-S1"
    full = api.post("/api/v1/movements", json={"object": "M.2", "to_location": "MAIN-S1"})
    assert full.status_code == 422
    assert "location" in full.json["errors"]
    listed = api.get("/api/v1/movements", query_string={"object_id": first["id"]}).json
    assert [m["to_location"] for m in listed["items"]] == ["MAIN-S1"]
    # Movements are history: there is no PATCH.
    assert api.patch(f"/api/v1/movements/{moved.json['id']}", json={"note": "x"}).status_code == 405


def test_html_pages_keep_their_own_error_pages(client: Any) -> None:
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code in (302, 404)
    assert response.content_type.startswith("text/html")
