"""Security baseline: CSRF, headers, cookies, escaping, friendly error pages, no inline code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import create_app
from catalog.core.permissions import public
from catalog.extensions import db
from catalog.users.models import User
from tests.conftest import REPO, TEST_PASSWORD, test_config

EXPIRED = "This form had expired or was sent from another page, so nothing was saved."


def _second_app(app: Any, tmp_path: Path, **overrides: Any) -> Any:
    """Another app on the same database (inside ``db_session`` it shares the test's connection)."""
    return create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **overrides))


@pytest.fixture
def csrf_app(app: Any, db_session: Any, tmp_path: Path) -> Any:
    application = _second_app(app, tmp_path, WTF_CSRF_ENABLED=True)
    yield application
    with application.app_context():
        db.engine.dispose()


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0


def test_post_without_or_with_a_stale_csrf_token_is_refused_and_changes_nothing(
        csrf_app, db_session, make_user):
    admin = make_user("admin")
    db_session.commit()
    browser = csrf_app.test_client()
    login_page = browser.get("/login").get_data(as_text=True)

    refused = browser.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    assert refused.status_code == 400
    assert EXPIRED in refused.get_data(as_text=True)
    assert browser.get("/").status_code == 302  # not signed in

    signed_in = browser.post("/login", data={"email": admin.email, "password": TEST_PASSWORD,
                                             "csrf_token": _token(login_page)})
    assert signed_in.status_code == 302
    form_page = browser.get("/admin/users/new").get_data(as_text=True)
    before = _count_users()
    new_user = {"email": "csrf@example.org", "roles": ["viewer"], "password": "long-password-1"}

    missing = browser.post("/admin/users/new", data=new_user)
    assert missing.status_code == 400
    assert "Form expired" in missing.get_data(as_text=True)
    assert EXPIRED in missing.get_data(as_text=True)

    # A token from another browser's session (e.g. a page left open before signing in again).
    stranger = csrf_app.test_client()
    stale = _token(stranger.get("/login").get_data(as_text=True))
    refused = browser.post("/admin/users/new", data={**new_user, "csrf_token": stale})
    assert refused.status_code == 400
    assert EXPIRED in refused.get_data(as_text=True)
    assert _count_users() == before

    accepted = browser.post("/admin/users/new",
                            data={**new_user, "csrf_token": _token(form_page)})
    assert accepted.status_code == 302
    assert _count_users() == before + 1


def test_csrf_failure_on_json_answers_json(csrf_app, db_session, make_user):
    browser = csrf_app.test_client()
    response = browser.post("/login", json={}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("This form had expired")


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_same_site(client, make_user):
    user = make_user("viewer")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in the test configuration


def test_https_deployment_marks_cookies_secure_and_sends_hsts(app, db_session, tmp_path):
    secure = _second_app(app, tmp_path, PUBLIC_BASE_URL="https://catalog.example.org")
    assert secure.config["SESSION_COOKIE_SECURE"]
    assert secure.config["REMEMBER_COOKIE_SECURE"]
    response = secure.test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_signed_in_pages_are_not_cached(client, auth):
    auth.login("viewer")
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_a_name_with_markup_is_shown_escaped(client, auth, make_user):
    make_user("viewer", name="<script>alert('x')</script>")
    auth.login("admin", name="<b>Boss</b>")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>Boss</b>" not in page
    assert "&lt;b&gt;Boss&lt;/b&gt;" in page


def test_friendly_404_signed_in_and_out(client, auth):
    signed_out = client.get("/no/such/page")
    assert signed_out.status_code == 404
    assert "Not Found" in signed_out.get_data(as_text=True)
    auth.login("viewer")
    signed_in = client.get("/admin/users/999999")
    assert signed_in.status_code in (403, 404)
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404
    assert api.get_json()["status"] == 404


def test_friendly_500_without_a_stack_trace(app, db_session, tmp_path):
    broken = _second_app(app, tmp_path, TESTING=False)

    def explode() -> Any:
        raise RuntimeError("secret internals: password=hunter2")

    broken.add_url_rule("/test-only/explode", "explode", public(explode))
    broken.add_url_rule("/api/v1/test-only/explode", "api_explode", public(explode))
    response = broken.test_client().get("/test-only/explode")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body
    assert "hunter2" not in body
    api = broken.test_client().get("/api/v1/test-only/explode")
    assert api.status_code == 500
    assert api.get_json()["message"].startswith("Something went wrong")
    assert "hunter2" not in api.get_data(as_text=True)


def test_templates_have_no_inline_scripts_styles_or_handlers():
    """The CSP forbids inline code; this finds it before a browser does."""
    offenders = []
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\sstyle=", r"\son[a-z]+=",
                        r"<style[\s>]", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(REPO)}: {pattern}")
    assert offenders == []


def test_every_post_form_carries_a_csrf_token():
    missing = []
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text()
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", text,
                               re.IGNORECASE | re.DOTALL):
            if "csrf_token" not in form:
                missing.append(str(path.relative_to(REPO)))
    assert missing == []
