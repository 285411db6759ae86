"""Inventories of locations (SPECTRUM inventory), inventory intervals and the overdue report."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("inventory", __name__, url_prefix="/inventory")


def init_app(app: Flask) -> None:
    from catalog import api as catalog_api
    from catalog.core.nav import add_nav
    from catalog.inventory import api, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    catalog_api.register(app, api.blp, "inventories")
    add_nav(app, "Inventory", "inventory.index", "inventory.run", order=61)
