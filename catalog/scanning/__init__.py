"""Scanning: scan codes, the tablet scanning page (offline-capable), legacy barcodes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("scanning", __name__)


def init_app(app: Flask) -> None:
    from catalog import api as catalog_api
    from catalog.core.nav import add_nav
    from catalog.scanning import api, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    catalog_api.register(app, api.blp, "scans")
    add_nav(app, "Scan", "scanning.scan", "scans.create", order=60)
