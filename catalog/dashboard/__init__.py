"""The dashboard: the first page after signing in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template

from catalog.core.nav import add_nav

bp = Blueprint("dashboard", __name__)

#: Dashboard panels contributed by domains: (template, context function, permission)
PANELS_KEY = "catalog_dashboard_panels"


@bp.route("/")
def index() -> Any:
    from flask import current_app
    from flask_login import current_user

    panels = []
    for template, context, permission in current_app.extensions[PANELS_KEY]:
        if permission is None or current_user.can(permission):
            panels.append((template, context()))
    return render_template("dashboard/index.html", panels=panels)


@bp.route("/health")
def health() -> Any:
    import sqlalchemy as sa

    from catalog.extensions import db

    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


def add_panel(app: Flask, template: str, context: Any, permission: str | None) -> None:
    """Let a domain show a panel on the dashboard."""
    app.extensions[PANELS_KEY].append((template, context, permission))


def init_app(app: Flask) -> None:
    from catalog.core.permissions import public

    public(health)
    app.extensions[PANELS_KEY] = []
    app.register_blueprint(bp)
    add_nav(app, "Dashboard", "dashboard.index", None, order=0)
