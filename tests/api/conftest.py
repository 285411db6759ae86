from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import g


class ApiClient:
    """The test client, with bearer headers on every request.

    The fixtures keep one app context open for the whole test, and requests reuse it, so
    Flask-Login's per-request user cache (``g._login_user``) would leak from one request to the
    next; a real server has one context per request, so we clear it before each call.
    """

    def __init__(self, client: Any, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def __getattr__(self, method: str) -> Callable[..., Any]:
        def call(path: str, **kw: Any) -> Any:
            g.pop("_login_user", None)
            kw["headers"] = {**self.headers, **kw.get("headers", {})}
            return getattr(self.client, method)(path, **kw)

        return call


@pytest.fixture
def token_for(db_session: Any, make_user: Callable[..., Any]) -> Callable[[str], dict[str, str]]:
    """Headers with a bearer token of a new user holding ``role``."""
    from catalog.users.services import create_token

    def factory(role: str = "registrar") -> dict[str, str]:
        user = make_user(role)
        _, plain = create_token(db_session, user, name="test")
        db_session.commit()  # a refused request rolls back; the user must outlive it
        return {"Authorization": f"Bearer {plain}"}

    return factory


@pytest.fixture
def anon(client: Any) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def api(client: Any, token_for: Callable[[str], dict[str, str]]) -> ApiClient:
    """The test client with an admin's bearer token on every request."""
    return ApiClient(client, token_for("admin"))
