"""Batch edit of a selection: preview, one audit entry per record, permission, size cap."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from catalog.core.audit import AuditLog
from catalog.core.errors import PermissionDenied, ValidationError
from catalog.objects.models import CatalogueObject
from catalog.search import batch
from catalog.search.services import select_objects
from tests.search.factories import make_object


@pytest.fixture
def selection(db_session: Any, make_user: Any) -> tuple[Any, list[CatalogueObject]]:
    user = make_user("registrar")
    objects = [make_object(db_session, "B.1", title="Vase", keywords="ceramic"),
               make_object(db_session, "B.2", title="Bowl"),
               make_object(db_session, "B.3", title="Jug", status="deaccessioned")]
    select_objects(db_session, user, [o.id for o in objects])
    return user, objects


def test_preview_shows_before_and_after_and_changes_nothing(db_session: Any,
                                                            selection: Any) -> None:
    user, objects = selection
    changes = batch.preview(db_session, user=user, field="keywords", mode="append",
                            value="Greek")
    assert [(c.object_number, c.before, c.after) for c in changes] == [
        ("B.1", "ceramic", "ceramic; Greek"), ("B.2", None, "Greek"), ("B.3", None, "Greek")]
    db_session.expire_all()
    assert db_session.get(CatalogueObject, objects[0].id).keywords == "ceramic"


def test_apply_writes_one_audit_entry_per_record_with_the_reason(db_session: Any,
                                                                 selection: Any) -> None:
    user, objects = selection
    changed = batch.apply(db_session, user=user, field="department", mode="set",
                          value="Antiquities")
    assert changed == 3
    rows = db_session.scalars(sa.select(AuditLog).where(
        AuditLog.record_type == "objects", AuditLog.action == "update")).all()
    assert sorted(int(r.record_id) for r in rows) == sorted(o.id for o in objects)
    assert all(r.changes == {"department": [None, "Antiquities"]} for r in rows)
    assert all(r.reason.startswith("batch edit: replace with department") for r in rows)


def test_status_cannot_be_set_to_deaccessioned_nor_changed_on_deaccessioned(
        db_session: Any, selection: Any) -> None:
    user, objects = selection
    with pytest.raises(ValidationError, match="Deaccession is a procedure"):
        batch.preview(db_session, user=user, field="status", mode="set", value="deaccessioned")
    assert batch.apply(db_session, user=user, field="status", mode="set", value="entry") == 2
    assert objects[2].status == "deaccessioned"


def test_batch_edit_needs_the_permission_in_the_service(db_session: Any,
                                                        make_user: Any) -> None:
    viewer = make_user("viewer")
    with pytest.raises(PermissionDenied):
        batch.apply(db_session, user=viewer, field="title", mode="set", value="x")


def test_selection_above_the_cap_is_refused(db_session: Any, selection: Any,
                                            monkeypatch: Any) -> None:
    user, _ = selection
    monkeypatch.setattr(batch, "BATCH_LIMIT", 2)
    with pytest.raises(ValidationError, match="at most 2"):
        batch.preview(db_session, user=user, field="title", mode="set", value="x")


def test_batch_pages_preview_then_apply(client: Any, auth: Any, db_session: Any) -> None:
    user = auth.login("registrar")
    objects = [make_object(db_session, f"P.{i}", title=f"Plate {i}") for i in (1, 2)]
    select_objects(db_session, user, [o.id for o in objects])
    html = client.post("/search/batch", data={"field": "credit_line", "mode": "set",
                                              "value": "Gift of A. Donor"}).get_data(as_text=True)
    assert "2 of 2 record(s) will change" in html
    assert "Gift of A. Donor" in html
    db_session.expire_all()
    assert db_session.get(CatalogueObject, objects[0].id).credit_line is None
    response = client.post("/search/batch/apply", data={"field": "credit_line", "mode": "set",
                                                        "value": "Gift of A. Donor"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(CatalogueObject, objects[1].id).credit_line == "Gift of A. Donor"
    refused = client.post("/search/batch", data={"field": "status", "mode": "append",
                                                 "value": "entry"})
    assert refused.status_code == 422
    auth.logout()
    auth.login("viewer")
    assert client.get("/search/batch").status_code == 403
