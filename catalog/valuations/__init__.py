"""Valuations and insurance policies (restricted to valuations.view / valuations.edit)."""

from __future__ import annotations

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("valuations", __name__, url_prefix="/valuations")


def init_app(app: Flask) -> None:
    from catalog.valuations import views  # noqa: F401

    app.register_blueprint(bp)
    add_nav(app, "Valuations", "valuations.index", "valuations.view", order=44)
