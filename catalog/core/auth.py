"""Flask-Login wiring: session users, bearer-token users, and the audit actor."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, g, redirect, request, url_for

from catalog.core import audit
from catalog.extensions import db, login_manager


def init_app(app: Flask) -> None:
    from catalog.users.models import User
    from catalog.users.services import user_for_token

    login_manager.login_view = "users.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    # "basic" keeps remembered tablets signed in when their address changes between stores.
    login_manager.session_protection = "basic"

    @app.before_request
    def forget_the_previous_request() -> None:
        # ``g`` belongs to the application context, and a caller that keeps one context open
        # across requests (the test client inside a test's context, a script) would otherwise
        # see the previous request's user, token flag and pending side effects.
        for key in ("_login_user", "api_token_auth", "_after_commit", "_audit_token"):
            g.pop(key, None)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        raw_id, _, token = user_id.partition(":")
        if not raw_id.isdigit():
            return None
        user = db.session.get(User, int(raw_id))
        if user is None or user.session_token != token or user.is_disabled:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_bearer(req: Any) -> User | None:
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        user = user_for_token(db.session, header[7:].strip())
        if user is not None:
            g.api_token_auth = True
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            abort(401)
        return redirect(url_for("users.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def name_the_actor() -> None:
        from flask_login import current_user

        if current_user.is_authenticated:
            g._audit_token = audit.set_actor(current_user.id, current_user.email)

    @app.teardown_request
    def forget_the_actor(exc: BaseException | None) -> None:
        token = g.pop("_audit_token", None)
        if token is not None:
            audit.reset_actor(token)
