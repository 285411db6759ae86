"""User administration in the browser: users, roles and their permissions."""

from __future__ import annotations

import sqlalchemy as sa

from catalog.extensions import db
from catalog.users.models import Role, User
from tests.conftest import TEST_PASSWORD


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_admin_creates_a_user_who_can_then_sign_in(app, client, auth):
    auth.login("admin")
    response = client.post("/admin/users/new", data={
        "email": "New.Person@Example.org", "name": "New Person", "roles": ["registrar"],
        "authority_limit": "250.00", "authority_currency": "GBP",
        "password": "a-good-long-password",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    user = _user("new.person@example.org")
    assert user is not None
    assert [r.code for r in user.roles] == ["registrar"]
    assert (user.authority_limit_minor, user.authority_currency) == (25000, "GBP")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "new.person@example.org" in listing

    newcomer = app.test_client()
    signed_in = newcomer.post("/login", data={"email": "new.person@example.org",
                                              "password": "a-good-long-password"})
    assert signed_in.status_code == 302


def test_creating_a_user_with_bad_input_says_why_and_saves_nothing(client, auth):
    auth.login("admin")
    response = client.post("/admin/users/new", data={
        "email": auth.user.email, "roles": ["viewer"], "password": "short",
    })  # fmt: skip
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Field must be at least 10 characters long." in body
    response = client.post("/admin/users/new", data={
        "email": auth.user.email, "roles": ["viewer"], "password": "long-enough-password",
    })  # fmt: skip
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={"email": "x@example.org", "roles": ["viewer"]})
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert _user("x@example.org") is None


def test_admin_edits_a_users_name_roles_and_limit(client, auth, make_user):
    auth.login("admin")
    target = make_user("viewer", name="Old Name")
    page = client.get(f"/admin/users/{target.id}")
    assert page.status_code == 200
    response = client.post(f"/admin/users/{target.id}", data={
        "email": target.email, "name": "New Name", "roles": ["finance_officer", "viewer"],
        "authority_limit": "1000", "authority_currency": "EUR",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(target)
    assert target.name == "New Name"
    assert {r.code for r in target.roles} == {"finance_officer", "viewer"}
    assert (target.authority_limit_minor, target.authority_currency) == (100000, "EUR")
    history = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert "History" in history
    assert "Old Name" in history
    assert "New Name" in history


def test_admin_cannot_remove_their_own_admin_role_or_disable_themselves(client, auth):
    admin = auth.login("admin")
    response = client.post(f"/admin/users/{admin.id}", data={
        "email": admin.email, "name": "Me", "roles": ["viewer"], "authority_currency": "GBP",
    })  # fmt: skip
    assert response.status_code == 422
    assert "cannot remove the administrator role from yourself" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}/disable", follow_redirects=True)
    assert "cannot disable your own account" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert not admin.is_disabled


def test_admin_disables_and_enables_a_user(app, client, auth, make_user):
    auth.login("admin")
    target = make_user("registrar")
    assert client.post(f"/admin/users/{target.id}/disable").status_code == 302
    db.session.refresh(target)
    assert target.is_disabled
    assert "disabled" in client.get("/admin/users").get_data(as_text=True)
    other = app.test_client()
    assert other.post("/login", data={"email": target.email,
                                      "password": TEST_PASSWORD}).status_code == 401
    assert client.post(f"/admin/users/{target.id}/enable").status_code == 302
    db.session.refresh(target)
    assert not target.is_disabled
    assert other.post("/login", data={"email": target.email,
                                      "password": TEST_PASSWORD}).status_code == 302


def test_editing_role_permissions_in_the_ui_changes_what_users_can_do(app, client, auth,
                                                                      make_user):
    auth.login("admin")
    viewer = make_user("viewer")
    viewer_client = app.test_client()
    viewer_client.post("/login", data={"email": viewer.email, "password": TEST_PASSWORD})
    assert viewer_client.get("/admin/audit").status_code == 403

    role = db.session.scalar(sa.select(Role).where(Role.code == "viewer"))
    page = client.get(f"/admin/roles/{role.id}").get_data(as_text=True)
    assert 'value="objects.view" checked' in page or "objects.view" in page
    granted = sorted(role.permission_codes | {"audit.view"})
    response = client.post(f"/admin/roles/{role.id}", data={"permissions": granted})
    assert response.status_code == 302
    assert viewer_client.get("/admin/audit").status_code == 200
    nav = viewer_client.get("/").get_data(as_text=True)
    assert 'href="/admin/audit"' in nav

    response = client.post(f"/admin/roles/{role.id}",
                           data={"permissions": sorted(set(granted) - {"audit.view"})})
    assert response.status_code == 302
    assert viewer_client.get("/admin/audit").status_code == 403


def test_the_admin_role_keeps_user_management(client, auth):
    auth.login("admin")
    role = db.session.scalar(sa.select(Role).where(Role.code == "admin"))
    response = client.post(f"/admin/roles/{role.id}", data={"permissions": ["objects.view"]})
    assert response.status_code == 422
    assert "must keep" in response.get_data(as_text=True)
    db.session.refresh(role)
    assert "admin.users" in role.permission_codes


def test_roles_page_lists_every_role(client, auth):
    auth.login("admin")
    page = client.get("/admin/roles").get_data(as_text=True)
    for name in ("Administrator", "Registrar", "Collections manager", "Conservator",
                 "Technician (scanning staff)", "Finance officer", "Finance manager", "Viewer"):
        assert name in page
