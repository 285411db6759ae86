"""``catalog users create``, ``catalog tokens create`` (with the API), ``catalog demo``."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from catalog.extensions import db
from catalog.users.models import ApiToken, User


def _run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create_with_a_password(app, db_session, client):
    result = _run(app, "users", "create", "--email", "New.Registrar@Example.org",
                  "--role", "registrar", "--role", "viewer", "--password", "long-password-1",
                  "--name", "New Registrar")
    assert result.exit_code == 0, result.output
    assert "Created new.registrar@example.org (Registrar, Viewer)." in result.output
    assert "Password" not in result.output
    user = db_session.scalar(sa.select(User).where(User.email == "new.registrar@example.org"))
    assert user.name == "New Registrar"
    response = client.post("/login", data={"email": "new.registrar@example.org",
                                           "password": "long-password-1"})
    assert response.status_code == 302


def test_users_create_generates_and_prints_a_password(app, db_session, client):
    result = _run(app, "users", "create", "--email", "gen@example.org", "--role", "admin")
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1].removeprefix("Password: ")
    assert len(password) >= 10
    response = client.post("/login", data={"email": "gen@example.org", "password": password})
    assert response.status_code == 302


def test_users_create_refuses_bad_input_in_one_line(app, db_session, make_user):
    taken = make_user("viewer")
    db_session.commit()
    for args, message in [
        (["--email", "x@example.org", "--role", "curator"], "There is no role 'curator'"),
        (["--email", taken.email, "--role", "viewer"], "already exists"),
        (["--email", "x@example.org", "--role", "viewer", "--password", "short"],
         "at least 10 characters"),
        (["--email", "not-an-address", "--role", "viewer"], "valid e-mail address"),
    ]:
        result = _run(app, "users", "create", *args)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert db_session.scalar(sa.select(User.id).where(User.email == "x@example.org")) is None


def test_tokens_create_prints_a_token_that_works_on_the_api(app, db_session, client, make_user):
    user = make_user("collections_manager", name="Colin")
    db_session.commit()
    result = _run(app, "tokens", "create", "--email", user.email, "--name", "scanner")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cat_")
    assert " " not in token

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == user.email
    assert body["roles"] == ["collections_manager"]
    assert "locations.edit" in body["permissions"]
    assert "finance.view" not in body["permissions"]
    stored = db_session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash != token
    assert stored.name == "scanner"


def test_api_refuses_missing_wrong_revoked_and_disabled_tokens(app, db_session, client,
                                                              make_user):
    from catalog.users import services

    assert client.get("/api/v1/me").status_code == 401
    wrong = client.get("/api/v1/me", headers={"Authorization": "Bearer cat_not-a-token"})
    assert wrong.status_code == 401
    assert wrong.get_json()["status"] == 401

    user = make_user("viewer")
    token, plain = services.create_token(db_session, user, name="t")
    db_session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    services.revoke_token(token)
    db_session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401

    _, plain = services.create_token(db_session, user, name="t2")
    admin = make_user("admin")
    services.set_disabled(user, True, actor=admin)
    db_session.commit()
    assert client.get("/api/v1/me",
                      headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_bearer_requests_need_no_csrf_token_but_a_browser_session_does(app, client, auth):
    """The API does not depend on cookies, so it needs no CSRF token; /api/v1/me is read-only."""
    auth.login("viewer")
    assert client.get("/api/v1/me").get_json()["email"] == auth.user.email


def test_tokens_create_for_an_unknown_or_disabled_user_fails(app, db_session, make_user):
    from catalog.users import services

    result = _run(app, "tokens", "create", "--email", "nobody@example.org")
    assert result.exit_code == 1
    assert "no user with the address nobody@example.org" in result.output
    user = make_user("viewer")
    services.set_disabled(user, True, actor=make_user("admin"))
    db_session.commit()
    result = _run(app, "tokens", "create", "--email", user.email)
    assert result.exit_code == 1
    assert "disabled" in result.output


def test_token_created_on_the_profile_page_works(client, auth):
    auth.login("registrar")
    page = client.post("/profile/tokens", data={"token-name": "laptop"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    token = text.split("cat_", 1)[1].split("<", 1)[0].split('"', 1)[0]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer cat_{token}"})
    assert me.get_json()["email"] == auth.user.email


def _counts() -> dict[str, int]:
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for name, table in db.metadata.tables.items()
            if name not in ("audit_log", "login_failures")}


def test_demo_is_idempotent(app, db_session, client):
    first = _run(app, "demo")
    assert first.exit_code == 0, first.output
    assert "Sign in as admin@demo.museum" in first.output
    counts = _counts()
    second = _run(app, "demo")
    assert second.exit_code == 0, second.output
    assert _counts() == counts
    assert "users: 0 created, 8 already there" in second.output

    from catalog.demo import DEMO_PASSWORD, DEMO_USERS

    roles = {role for _, _, role in DEMO_USERS}
    assert roles == {"admin", "registrar", "collections_manager", "conservator", "technician",
                     "finance_officer", "finance_manager", "viewer"}
    response = client.post("/login", data={"email": "admin@demo.museum",
                                           "password": DEMO_PASSWORD})
    assert response.status_code == 302



@pytest.mark.slow
def test_catalog_serve_answers_http(tmp_path):
    """``catalog serve`` (what ``make run`` ends with) really serves the login page."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.conftest import REPO, free_port

    port = free_port()
    env = {**os.environ, "CATALOG_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "catalog.cli", "db", "upgrade"], env=env, cwd=REPO,
                   check=True, capture_output=True, timeout=60)
    server = subprocess.Popen([sys.executable, "-m", "catalog.cli", "serve", "--port", str(port)],
                              env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as page:
                    assert page.status == 200
                    assert b"Sign in" in page.read()
                    break
            except OSError:
                assert server.poll() is None, "catalog serve exited"
                assert time.monotonic() < deadline, "catalog serve did not answer"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_commands_on_an_unmigrated_database_say_what_to_do(tmp_path):
    from catalog import create_app
    from tests.conftest import test_config

    empty = create_app(test_config(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path))
    result = empty.test_cli_runner().invoke(args=["users", "create", "--email", "a@example.org",
                                                 "--role", "admin"])
    assert result.exit_code == 1
    assert "run `catalog db upgrade` first" in result.output
    assert "Traceback" not in result.output
    with empty.app_context():
        db.session.remove()
        db.engine.dispose()
