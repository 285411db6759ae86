"""Parties: one authority of people and organisations."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("parties", __name__, url_prefix="/parties")


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.parties import views  # noqa: F401  (routes register on import)

    # The JSON API for parties lives with the other record APIs in catalog.api.records.
    app.register_blueprint(bp)
    add_nav(app, "Parties", "parties.index", "parties.view", order=14)
