"""``/api/v1/loans`` and ``/api/v1/condition-reports`` as a client sees them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import g

from catalog.loans import services
from tests.loans.factories import make_party, stored_object


@pytest.fixture
def bearer(db_session, make_user):
    from catalog.users.services import create_token

    def factory(role: str) -> dict[str, str]:
        _, plain = create_token(db_session, make_user(role), name="test")
        db_session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return factory


def _call(client: Any, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    g.pop("_login_user", None)  # requests share the test's app context
    return getattr(client, method)(path, headers=headers, **kw)


def test_loan_create_read_list_and_update(client, db_session, bearer):
    manager = bearer("collections_manager")
    party = make_party(db_session, "Rijksmuseum")
    db_session.commit()
    response = _call(client, "post", "/api/v1/loans", manager, json={
        "direction": "out", "party_id": party.id, "start_date": "2027-03-01",
        "end_date": "2027-06-30", "exhibition_title": "Sea", "fee_minor": 150000,
        "fee_currency": "EUR"})
    assert response.status_code == 201, response.json
    loan = response.json
    assert loan["number"] == "LO.2027.1"
    assert loan["status"] == "requested"
    assert loan["return_due"] == "2027-06-30"
    assert loan["party_name"] == "Rijksmuseum"
    read = _call(client, "get", f"/api/v1/loans/{loan['id']}", manager).json
    assert read["fee_minor"] == 150000
    listed = _call(client, "get", "/api/v1/loans", manager,
                   query_string={"direction": "out"}).json
    assert [item["number"] for item in listed["items"]] == ["LO.2027.1"]
    changed = _call(client, "patch", f"/api/v1/loans/{loan['id']}", manager,
                    json={"end_date": "2027-07-31", "return_due": "2027-08-15"})
    assert changed.status_code == 200, changed.json
    assert changed.json["end_date"] == "2027-07-31"


def test_loan_bad_input_is_a_json_4xx(client, db_session, bearer):
    manager = bearer("collections_manager")
    party = make_party(db_session)
    db_session.commit()
    base = {"direction": "out", "party_id": party.id, "start_date": "2027-06-01",
            "end_date": "2027-03-01"}
    response = _call(client, "post", "/api/v1/loans", manager, json=base)
    assert response.status_code == 422
    assert "before the start date" in response.json["message"]
    response = _call(client, "post", "/api/v1/loans", manager,
                     json={**base, "end_date": "2027-07-01", "party_id": 999999})
    assert response.status_code == 422
    assert "party_id" in response.json["errors"]
    response = _call(client, "post", "/api/v1/loans", manager,
                     json={**base, "end_date": "2027-07-01", "fee_minor": 5,
                           "fee_currency": "pounds"})
    assert response.status_code == 422
    viewer = bearer("viewer")
    assert _call(client, "post", "/api/v1/loans", viewer, json=base).status_code == 403


def test_condition_report_through_the_api(client, db_session, bearer):
    conservator = bearer("conservator")
    obj = stored_object(db_session)
    loan = services.create_loan(db_session, direction="out", party=make_party(db_session),
                                start_date=date(2027, 3, 1),
                                end_date=date(2027, 4, 1), actor=None)
    db_session.commit()
    response = _call(client, "post", "/api/v1/condition-reports", conservator, json={
        "object": obj.object_number, "context": "loan_out", "loan_id": loan.id,
        "examiner_name": "Connie", "examined_on": "2026-10-01", "overall": "fair",
        "areas": [{"area": "Frame / mount", "note": "Chip lower left"}]})
    assert response.status_code == 201, response.json
    report = response.json
    assert report["object"] == obj.object_number
    assert report["areas"] == [{"area": "Frame / mount", "note": "Chip lower left"}]
    listed = _call(client, "get", "/api/v1/condition-reports", conservator,
                   query_string={"loan_id": loan.id}).json
    assert [r["id"] for r in listed["items"]] == [report["id"]]
    bad = _call(client, "post", "/api/v1/condition-reports", conservator, json={
        "object": "NOPE-1", "context": "routine", "examiner_name": "C",
        "examined_on": "2026-10-01", "overall": "good"})
    assert bad.status_code == 422
    assert "object" in bad.json["errors"]
    manager = bearer("collections_manager")
    assert _call(client, "post", "/api/v1/condition-reports", manager, json={
        "object": obj.object_number, "context": "routine", "examiner_name": "C",
        "examined_on": "2026-10-01", "overall": "good"}).status_code == 403


def test_workflow_steps_through_the_api(client, db_session, bearer):
    manager = bearer("collections_manager")
    obj = stored_object(db_session)
    loan = services.create_loan(db_session, direction="out", party=make_party(db_session),
                                start_date=date(2027, 3, 1), end_date=date(2027, 4, 1),
                                actor=None)
    services.add_object(db_session, loan, obj, actor=None)
    db_session.commit()
    path = f"/api/v1/loans/{loan.id}/steps"
    refused = _call(client, "post", path, manager, json={"action": "dispatch"})
    assert refused.status_code == 409
    assert "approve (or refuse) the request first" in refused.json["message"]
    for action in ("approve", "sign_agreement"):
        assert _call(client, "post", path, manager, json={"action": action}).status_code == 200
    done = _call(client, "post", path, manager, json={"action": "dispatch", "on": "2027-02-27"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "dispatched"
    bad = _call(client, "post", path, manager, json={"action": "return", "on": "2027-01-01"})
    assert bad.status_code == 422
    assert "before the dispatch" in bad.json["message"]
    assert _call(client, "post", path, manager, json={"action": "fly"}).status_code == 422
    assert _call(client, "post", "/api/v1/loans/999999/steps", manager,
                 json={"action": "approve"}).status_code == 404
