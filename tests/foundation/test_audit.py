"""The audit trail: automatic, attributed, append-only, searchable and exportable."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask import render_template

from catalog.core.audit import AuditLog, acting_as, history, reason
from catalog.users.models import Role


def _history(record_type: str, record_id: object, db_session) -> list[AuditLog]:
    return list(db_session.scalars(history(record_type, record_id)))


def test_insert_update_delete_are_logged_with_who_what_and_why(db_session, make_user):
    clerk = make_user("registrar")
    with acting_as(clerk):
        role = Role(code="volunteer", name="Volunteer")
        db_session.add(role)
        db_session.flush()
        with reason("Renamed at the trustees' request"):
            role.name = "Volunteer guide"
            db_session.flush()
        role_id = role.id
        db_session.delete(role)
        db_session.flush()

    delete, update, insert = _history("roles", role_id, db_session)
    assert insert.action == "insert"
    assert insert.changes["name"] == [None, "Volunteer"]
    assert insert.changes["code"] == [None, "volunteer"]
    assert update.action == "update"
    assert update.changes == {"name": ["Volunteer", "Volunteer guide"]}
    assert update.reason == "Renamed at the trustees' request"
    assert insert.reason is None
    assert delete.action == "delete"
    assert delete.changes["name"] == ["Volunteer guide", None]
    for row in (insert, update, delete):
        assert row.actor_id == clerk.id
        assert row.actor_label == clerk.email
        assert row.occurred_at.tzinfo is not None


def test_changes_by_the_system_are_attributed_to_system(db_session):
    with acting_as(None):
        db_session.add(Role(code="guest", name="Guest"))
        db_session.flush()
    row = db_session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "roles")
                             .order_by(AuditLog.id.desc())).first()
    assert row.actor_label == "system"
    assert row.actor_id is None


def test_secrets_are_never_written_to_the_trail(db_session, make_user):
    user = make_user("viewer")
    (row,) = _history("users", user.id, db_session)
    assert "password_hash" not in row.changes
    assert "session_token" not in row.changes
    assert row.changes["email"] == [None, user.email]


def test_a_web_change_is_attributed_to_the_signed_in_user(client, auth, make_user, db_session):
    admin = auth.login("admin")
    target = make_user("viewer")
    client.post(f"/admin/users/{target.id}", data={
        "email": target.email, "name": "Renamed", "roles": ["viewer"], "authority_currency": "GBP",
    })  # fmt: skip
    latest = _history("users", target.id, db_session)[0]
    assert latest.action == "update"
    assert latest.actor_label == admin.email
    assert latest.changes["name"] == ["", "Renamed"]


def test_a_refused_request_leaves_no_audit_rows(client, auth, db_session):
    auth.login("admin")
    before = db_session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    response = client.post("/admin/users/new", data={"email": "half@example.org",
                                                     "roles": ["viewer"], "password": "short"})
    assert response.status_code == 422
    after = db_session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    assert after == before


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET reason = 'rewritten'",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_to_rewrite_the_trail(db_session, make_user, statement):
    make_user("viewer")
    db_session.flush()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.text(statement))
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) > 0


def test_history_partial_renders_the_changes(app, db_session, make_user):
    user = make_user("viewer", name="Ann <Example>")
    with app.test_request_context():
        html = render_template("_partials/history.html",
                               changes=_history("users", user.id, db_session))
    assert "History" in html
    assert "insert" in html
    assert "Ann &lt;Example&gt;" in html
    with app.test_request_context():
        empty = render_template("_partials/history.html", changes=[])
    assert "No recorded changes." in empty


def _make_changes(db_session, actor) -> int:
    with acting_as(actor):
        role = Role(code="friends", name="Friends")
        db_session.add(role)
        db_session.flush()
        with reason("typo"):
            role.name = "Friends of the museum"
            db_session.flush()
    db_session.commit()
    return role.id


def test_admin_audit_search_filters(client, auth, db_session, make_user):
    auth.login("admin")
    someone = make_user("registrar", email="someone@example.org")
    role_id = _make_changes(db_session, someone)

    page = client.get("/admin/audit", query_string={"record_type": "roles", "action": "update"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Friends of the museum" in text
    assert "typo" in text
    assert "users #" not in text  # only roles were asked for

    by_actor = client.get("/admin/audit", query_string={"actor": "someone@"}).get_data(
        as_text=True)
    assert f"roles #{role_id}" in by_actor
    by_record = client.get("/admin/audit", query_string={
        "record_type": "roles", "record_id": str(role_id)}).get_data(as_text=True)
    assert by_record.count(f"roles #{role_id}") == 2
    nothing = client.get("/admin/audit", query_string={"actor": "nobody-at-all"}).get_data(
        as_text=True)
    assert "No recorded changes." in nothing
    bad_date = client.get("/admin/audit", query_string={"since": "last tuesday"})
    assert bad_date.status_code == 409
    assert "is not a date" in bad_date.get_data(as_text=True)
    dated = client.get("/admin/audit", query_string={"since": "2000-01-01", "until": "2999-12-31",
                                                     "record_type": "roles"})
    assert "Friends of the museum" in dated.get_data(as_text=True)


def test_admin_audit_csv_export(client, auth, db_session, make_user):
    auth.login("admin")
    someone = make_user("registrar")
    role_id = _make_changes(db_session, someone)
    response = client.get("/admin/audit.csv", query_string={"record_type": "roles",
                                                            "record_id": str(role_id)})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    update = [r for r in rows if r["action"] == "update"]
    assert update == [{
        "id": update[0]["id"], "occurred_at_utc": update[0]["occurred_at_utc"],
        "actor": someone.email, "record_type": "roles", "record_id": str(role_id),
        "action": "update", "field": "name", "old_value": "Friends",
        "new_value": "Friends of the museum", "reason": "typo",
    }]  # fmt: skip
    assert {r["field"] for r in rows if r["action"] == "insert"} >= {"code", "name"}


def test_csv_export_defuses_spreadsheet_formulas(client, auth, db_session, make_user):
    auth.login("admin")
    make_user("viewer", name="=HYPERLINK(\"http://evil.example\")")
    db_session.commit()
    body = client.get("/admin/audit.csv", query_string={"record_type": "users"}).get_data(
        as_text=True)
    assert ",=HYPERLINK" not in body
    assert "'=HYPERLINK" in body


def test_viewer_cannot_search_the_trail(client, auth):
    auth.login("viewer")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_role_and_permission_changes_are_in_the_trail(client, auth, db_session, make_user):
    """Who may do what is itself audited: a user's roles and a role's permissions."""
    auth.login("admin")
    target = make_user("viewer")
    client.post(f"/admin/users/{target.id}", data={
        "email": target.email, "name": "", "roles": ["viewer", "conservator"],
        "authority_currency": "GBP",
    })  # fmt: skip
    latest = _history("users", target.id, db_session)[0]
    assert latest.changes["roles"] == ["viewer", "conservator, viewer"]

    role = db_session.scalar(sa.select(Role).where(Role.code == "viewer"))
    granted = sorted(role.permission_codes | {"audit.view"})
    client.post(f"/admin/roles/{role.id}", data={"permissions": granted})
    row = _history("roles", role.id, db_session)[0]
    assert row.actor_label == auth.user.email
    old, new = row.changes["permissions"]
    assert "audit.view" not in old.split(", ")
    assert "audit.view" in new.split(", ")
