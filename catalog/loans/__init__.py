"""Loans in and out: numbers, venues, objects, conflicts, the workflow, schedule and documents."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("loans", __name__, url_prefix="/loans")


def init_app(app: Flask) -> None:
    from catalog import api
    from catalog.loans import api as loans_api
    from catalog.loans import views  # noqa: F401

    app.register_blueprint(bp)
    api.register(app, loans_api.blp, "loans")
    add_nav(app, "Loans", "loans.index", "loans.view", order=40)
    from catalog.dashboard import add_panel

    add_panel(app, "loans/_panel.html", _panel, "loans.view")
    # The object page includes loans/_object_panel.html, which asks for this summary.
    app.add_template_global(object_summary, "loans_object_summary")


def object_summary(obj: Any) -> dict[str, Any]:
    """Loans, condition, conservation and (when allowed) valuation of one object."""
    import sqlalchemy as sa
    from flask_login import current_user

    from catalog.conditions.services import latest_report, open_treatment
    from catalog.extensions import db
    from catalog.loans.models import Loan, LoanObject
    from catalog.loans.services import object_loan_status

    can = current_user.can
    summary: dict[str, Any] = {"can_loans": can("loans.view"),
                               "can_conditions": can("conditions.view"),
                               "can_values": can("valuations.view")}
    if summary["can_loans"]:
        summary["status"] = object_loan_status(db.session, obj)
        summary["loans"] = db.session.execute(
            sa.select(Loan, LoanObject).join(LoanObject, LoanObject.loan_id == Loan.id)
            .where(LoanObject.object_id == obj.id).order_by(Loan.start_date.desc())
            .limit(20)).all()
    if summary["can_conditions"]:
        summary["report"] = latest_report(db.session, obj)
        summary["treatment"] = open_treatment(db.session, obj)
    if summary["can_values"]:
        from catalog.valuations.services import latest_valuation

        summary["valuation"] = latest_valuation(db.session, obj)
    return summary


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
