"""Controlled vocabularies, editable by admins."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("vocabularies", __name__, url_prefix="/vocabularies")


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.vocabularies import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Vocabularies", "vocabularies.index", "objects.view", order=16)
