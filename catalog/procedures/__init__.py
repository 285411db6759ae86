"""Procedures: object entry, acquisition & accessioning, deaccession & disposal."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("procedures", __name__, url_prefix="/procedures")


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.procedures import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Procedures", "procedures.index", "objects.view", order=12)
