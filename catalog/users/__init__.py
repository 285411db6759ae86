"""Users, roles, permissions, sign-in and API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("users", __name__)


def init_app(app: Any) -> None:
    from catalog import api
    from catalog.users import cli, views  # noqa: F401  (routes register on import)
    from catalog.users.api import api_bp

    app.register_blueprint(bp)
    api.register(app, api_bp, "me")
    cli.register(app)
