"""Signing in and out: same message for every wrong login, throttling, remember-me, disabling."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from catalog import create_app
from catalog.extensions import db
from tests.conftest import TEST_PASSWORD, test_config

WRONG = "The e-mail address or password is not right."


def _login(client: Any, email: str, password: str, **extra: Any) -> Any:
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_wrong_password_and_unknown_address_give_the_same_message(client, make_user):
    user = make_user("registrar")
    wrong_password = _login(client, user.email, "not-the-password")
    unknown = _login(client, "nobody@example.org", "not-the-password")
    assert wrong_password.status_code == unknown.status_code == 401
    assert WRONG in wrong_password.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_sign_in_is_case_insensitive_and_follows_next(client, make_user):
    user = make_user("registrar")
    response = _login(client, user.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    response = client.get("/logout")  # GET is not a way to sign out
    assert response.status_code == 405


def test_next_only_goes_to_this_site(client, make_user):
    user = make_user("registrar")
    response = client.post("/login?next=https://evil.example/x",
                           data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    client.post("/logout")
    for evil in ("//evil.example/x", "/\\evil.example/x", "javascript:alert(1)"):
        client.post("/logout")
        response = client.post("/login", query_string={"next": evil},
                               data={"email": user.email, "password": TEST_PASSWORD})
        assert response.headers["Location"] == "/", evil
    client.post("/logout")
    response = client.post("/login?next=/profile", data={"email": user.email,
                                                          "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/profile"


def test_disabled_user_cannot_sign_in_and_loses_an_open_session(app, client, make_user):
    admin = make_user("admin")
    user = make_user("registrar")
    assert _login(client, user.email, TEST_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200

    admin_client = app.test_client()
    assert _login(admin_client, admin.email, TEST_PASSWORD).status_code == 302
    assert admin_client.post(f"/admin/users/{user.id}/disable").status_code == 302

    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    refused = _login(client, user.email, TEST_PASSWORD)
    assert refused.status_code == 401
    assert "disabled" in refused.get_data(as_text=True)


def test_remember_me_sets_a_persistent_cookie(client, make_user):
    user = make_user("technician")
    plain = _login(client, user.email, TEST_PASSWORD)
    assert not any("remember_token=" in c for c in plain.headers.getlist("Set-Cookie"))
    client.post("/logout")
    remembered = _login(client, user.email, TEST_PASSWORD, remember="y")
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert "Expires=" in cookie
    assert "HttpOnly" in cookie


def test_remembered_device_stays_signed_in_without_the_session_cookie(client, make_user):
    user = make_user("technician")
    _login(client, user.email, TEST_PASSWORD, remember="y")
    client.delete_cookie("session")
    assert client.get("/").status_code == 200


def test_logout_ends_the_session(client, make_user):
    user = make_user("viewer")
    _login(client, user.email, TEST_PASSWORD, remember="y")
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_signs_out_other_sessions(app, client, make_user):
    user = make_user("registrar")
    other_device = app.test_client()
    _login(client, user.email, TEST_PASSWORD)
    _login(other_device, user.email, TEST_PASSWORD, remember="y")
    response = client.post("/profile", data={
        "current_password": TEST_PASSWORD, "new_password": "a-brand-new-passphrase",
        "confirm": "a-brand-new-passphrase",
    })  # fmt: skip
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this device stays signed in
    assert other_device.get("/").status_code == 302  # the other one is out
    client.post("/logout")
    assert _login(client, user.email, TEST_PASSWORD).status_code == 401
    assert _login(client, user.email, "a-brand-new-passphrase").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client, auth):
    auth.login("registrar")
    response = client.post("/profile", data={
        "current_password": "wrong-wrong-wrong", "new_password": "a-brand-new-passphrase",
        "confirm": "a-brand-new-passphrase",
    })  # fmt: skip
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)
    client.post("/logout")
    assert _login(client, auth.user.email, TEST_PASSWORD).status_code == 302


def test_throttling_holds_across_two_app_instances(app, committed_db, tmp_path):
    """Five failures spread over two processes lock the account for both of them."""
    from catalog.users.services import create_user

    user = create_user(committed_db, email="throttled@example.org", password=TEST_PASSWORD,
                       role_codes=["registrar"])
    email = user.email
    committed_db.commit()
    # Outside a request a SQLite transaction takes the write lock: hold none while the apps run.
    committed_db.close()
    second = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))
    try:
        first_client, second_client = app.test_client(), second.test_client()
        limit = app.config["LOGIN_MAX_FAILURES"]
        for attempt in range(limit):
            client = first_client if attempt % 2 else second_client
            assert _login(client, email, "wrong-password").status_code == 401
        for client in (first_client, second_client):
            refused = _login(client, email, TEST_PASSWORD)
            assert refused.status_code == 429
            assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    finally:
        with second.app_context():
            db.session.remove()
            db.engine.dispose()


def test_successful_sign_in_clears_the_account_failures(client, make_user):
    from catalog.users.models import LoginFailure

    user = make_user("registrar")
    for _ in range(3):
        _login(client, user.email, "wrong-password")
    assert _login(client, user.email, TEST_PASSWORD).status_code == 302
    left = db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)
                             .where(LoginFailure.key == f"email:{user.email}"))
    assert left == 0


def test_behind_a_proxy_throttling_counts_the_client_address(app, db_session, tmp_path):
    """With TRUSTED_PROXIES the address is the client's, not the load balancer's."""
    from catalog.users.models import LoginFailure

    proxied = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path,
                                     TRUSTED_PROXIES=1))
    proxied.test_client().post("/login", data={"email": "x@example.org", "password": "wrong"},
                               headers={"X-Forwarded-For": "203.0.113.7"})
    keys = set(db_session.scalars(sa.select(LoginFailure.key)))
    assert "ip:203.0.113.7" in keys
