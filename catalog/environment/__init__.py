"""Environmental monitoring: sensors, readings, alerts and charts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("environment", __name__, url_prefix="/environment")


def init_app(app: Any) -> None:
    """Register the blueprint, API, navigation, dashboard panel and CLI."""
    from catalog import api as api_registry
    from catalog.core.nav import add_nav
    from catalog.dashboard import add_panel
    from catalog.environment import api, cli, views

    app.config.setdefault("ENVIRONMENT_EXCURSION_MINUTES", 120)
    app.config.setdefault("ENVIRONMENT_SILENT_HOURS", 24)
    app.register_blueprint(bp)
    api_registry.register(app, api.blp, "environment")
    add_nav(app, "Environment", "environment.index", "environment.view", order=45)
    add_panel(app, "environment/_panel.html", views.panel_context, "environment.view")
    app.cli.add_command(cli.environment_group)
