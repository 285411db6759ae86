"""Condition reports (with photos) and conservation treatments."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("conditions", __name__, url_prefix="/conditions")


def init_app(app: Flask) -> None:
    from catalog import api
    from catalog.conditions import api as conditions_api
    from catalog.conditions import views  # noqa: F401

    app.register_blueprint(bp)
    api.register(app, conditions_api.blp, "condition-reports")
    add_nav(app, "Condition", "conditions.index", "conditions.view", order=42)
    from catalog.dashboard import add_panel

    add_panel(app, "conditions/_panel.html", _panel, "conditions.view")


def _panel() -> dict[str, Any]:
    """Condition checks due within 30 days (overdue first)."""
    from datetime import date

    from catalog.conditions.services import reports_due
    from catalog.extensions import db

    today = date.today()  # noqa: DTZ011
    return {"due": reports_due(db.session, as_of=today, within_days=30)[:10], "today": today}
