"""Users, roles, permissions, sign-in and API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("users", __name__)


def init_app(app: Any) -> None:
    from catalog.users import cli, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    cli.register(app)
