"""Condition reports (with photos) and conservation treatments."""

from __future__ import annotations

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("conditions", __name__, url_prefix="/conditions")


def init_app(app: Flask) -> None:
    from catalog.conditions import views  # noqa: F401

    app.register_blueprint(bp)
    add_nav(app, "Condition", "conditions.index", "conditions.view", order=42)
