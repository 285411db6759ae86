"""Parties: one authority of people and organisations."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("parties", __name__, url_prefix="/parties")


def init_app(app: Flask) -> None:
    from catalog import api
    from catalog.core.nav import add_nav
    from catalog.parties import views  # noqa: F401  (routes register on import)
    from catalog.parties.api import api_bp

    app.register_blueprint(bp)
    api.register(app, api_bp, "parties")
    add_nav(app, "Parties", "parties.index", "parties.view", order=14)
