"""Locations: the storage hierarchy, environmental targets, movements and salvage lists."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("locations", __name__, url_prefix="/locations")


def init_app(app: Any) -> None:
    """Register the blueprint, navigation and the ``catalog locations`` commands."""
    from catalog.core.nav import add_nav
    from catalog.locations import cli, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Locations", "locations.index", "locations.view", order=40)
    app.cli.add_command(cli.locations_group)
