"""Every route needs sign-in (except a short public list), and viewers cannot reach edit routes.

The tests walk ``app.url_map``, so routes that other domains add are covered automatically.
"""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.routing import FloatConverter, IntegerConverter

from catalog.core.permissions import ROLES

#: endpoints anyone may reach without signing in; everything else must refuse
PUBLIC_ENDPOINTS = {
    "users.login", "static", "dashboard.health", "api-docs.openapi_json",
    # The scanning app's web manifest and service worker: browsers fetch them without the
    # session (manifests are fetched without credentials); they hold no data.
    "scanning.manifest", "scanning.service_worker",
    # The opt-out link in every reminder e-mail: signed per recipient, works without an account.
    "receivables.opt_out",
}
#: blueprints that are public as a whole (OAI-PMH harvesting is anonymous by design, and so is
#: fetching the medium-size images of published objects that LIDO records link to)
PUBLIC_BLUEPRINTS = {"oai", "oai_images"}
#: routes any signed-in user may post to: their own session, password and tokens
SELF_SERVICE_ENDPOINTS = {"users.login", "users.logout", "users.profile", "users.create_token",
                          "users.revoke_token"}
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".", maxsplit=1)[0] in PUBLIC_BLUEPRINTS


def _sample_url(app: Any, rule: Any) -> str:
    """Build the rule's URL with a plausible value for every argument."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = converter.__class__.__name__
        # (isinstance: the API's record-id converter is an IntegerConverter subclass)
        if isinstance(converter, (IntegerConverter, FloatConverter)):
            values[name] = 1
        elif kind == "UUIDConverter":
            values[name] = "00000000-0000-4000-8000-000000000001"
        elif kind == "AnyConverter":
            values[name] = min(converter.items)
        else:
            values[name] = "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _rules(app: Any) -> list[tuple[Any, str]]:
    return [(rule, method) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def test_every_route_refuses_a_signed_out_visitor(app, client):
    checked = 0
    for rule, method in _rules(app):
        if _is_public(rule.endpoint):
            continue
        url = _sample_url(app, rule)
        response = client.open(url, method=method)
        checked += 1
        if url.startswith("/api/"):
            assert response.status_code == 401, f"{method} {url} answered {response.status_code}"
        else:
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert response.headers["Location"].startswith("/login"), f"{method} {url}"
    assert checked >= 10


def test_the_public_list_is_exactly_what_is_public(app):
    """A view marked @public that is not in the list above is a mistake to look at."""
    public = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "_public", False)}
    public |= app.extensions["catalog_public_endpoints"]
    unexpected = {e for e in public if not _is_public(e)}
    assert unexpected == set(), f"public without being on the allowlist: {unexpected}"


def test_public_pages_answer_without_sign_in(client):
    assert client.get("/login").status_code == 200
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200
    with client.get("/static/css/app.css") as css:
        assert css.status_code == 200


def test_every_browser_edit_route_declares_a_permission(app):
    """House rule: views that change things say which permission they need (@require)."""
    missing = []
    for rule, method in _rules(app):
        if (method in _UNSAFE and not rule.rule.startswith("/api/")
                and rule.endpoint not in SELF_SERVICE_ENDPOINTS and not _is_public(rule.endpoint)):
            view = app.view_functions[rule.endpoint]
            if not getattr(view, "_required_permissions", None):
                missing.append(f"{method} {rule.rule}")
    assert missing == [], f"edit routes without @require(...): {missing}"


def test_viewer_gets_403_on_every_route_needing_a_permission_viewers_lack(app, client, auth):
    auth.login("viewer")
    viewer_permissions = ROLES["viewer"][1]
    checked = 0
    for rule, method in _rules(app):
        view = app.view_functions[rule.endpoint]
        needed = set(getattr(view, "_required_permissions", ()) or ())
        if not needed or needed <= viewer_permissions:
            continue
        url = _sample_url(app, rule)
        response = client.open(url, method=method)
        checked += 1
        assert response.status_code == 403, f"viewer: {method} {url} -> {response.status_code}"
    assert checked >= 8


def test_viewer_sees_a_friendly_403(client, auth):
    auth.login("viewer")
    response = client.post("/admin/users/new", data={"email": "x@example.org"})
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Your role does not allow this" in body
    assert "Traceback" not in body


@pytest.mark.parametrize("path", ["/admin/users", "/admin/roles", "/admin/audit"])
def test_admin_pages_are_hidden_from_the_navigation_of_viewers(client, auth, path):
    auth.login("viewer")
    page = client.get("/").get_data(as_text=True)
    assert f'href="{path}"' not in page
