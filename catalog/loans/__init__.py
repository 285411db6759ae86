"""Loans in and out: numbers, venues, objects, conflicts, the workflow, schedule and documents."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("loans", __name__, url_prefix="/loans")


def init_app(app: Flask) -> None:
    from catalog.loans import views  # noqa: F401

    app.register_blueprint(bp)
    add_nav(app, "Loans", "loans.index", "loans.view", order=40)
    from catalog.dashboard import add_panel

    add_panel(app, "loans/_panel.html", _panel, "loans.view")


def _panel() -> dict[str, Any]:
    """Loans whose objects are due back within 30 days, and loans waiting for a decision."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from catalog.extensions import db
    from catalog.loans.models import Loan

    today = date.today()  # noqa: DTZ011
    due = db.session.scalars(
        sa.select(Loan).where(Loan.status.in_(("dispatched", "on_display")),
                              Loan.return_due <= today + timedelta(days=30))
        .order_by(Loan.return_due).limit(10)).all()
    requested = db.session.scalar(
        sa.select(sa.func.count()).select_from(Loan).where(Loan.status == "requested")) or 0
    return {"due": due, "requested": requested, "today": today}
