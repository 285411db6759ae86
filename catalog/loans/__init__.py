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
    """Loans, condition, conservation and (when allowed) valuation of one object.

    Two queries in all: the object page has a query budget.
    """
    from types import SimpleNamespace

    import sqlalchemy as sa
    from flask_login import current_user

    from catalog.conditions.models import OPEN_TREATMENT, ConditionReport, ConservationTreatment
    from catalog.core.money import Money
    from catalog.extensions import db
    from catalog.loans.models import Loan, LoanObject
    from catalog.valuations.models import Valuation

    can = current_user.can
    summary: dict[str, Any] = {"can_loans": can("loans.view"),
                               "can_conditions": can("conditions.view"),
                               "can_values": can("valuations.view"), "status": None}
    if summary["can_loans"]:
        rows = db.session.execute(
            sa.select(Loan, LoanObject).join(LoanObject, LoanObject.loan_id == Loan.id)
            .where(LoanObject.object_id == obj.id).order_by(Loan.start_date.desc())
            .limit(20)).all()
        summary["loans"] = rows
        for loan, lo in rows:
            if loan.status in ("dispatched", "on_display") and lo.returned_on is None:
                verb = "On loan to" if loan.is_out else "On loan from"
                summary["status"] = (f"{verb} {loan.party.name} ({loan.number}) until "
                                     f"{loan.return_due:%d %b %Y}")
    if summary["can_conditions"] or summary["can_values"]:
        def latest(column: Any, model: Any, *order: Any) -> Any:
            return (sa.select(column).where(model.object_id == obj.id).order_by(*order)
                    .limit(1).scalar_subquery())

        report_order = (ConditionReport.examined_on.desc(), ConditionReport.id.desc())
        value_order = (Valuation.valued_on.desc(), Valuation.id.desc())
        row = db.session.execute(sa.select(
            latest(ConditionReport.id, ConditionReport, *report_order),
            latest(ConditionReport.overall, ConditionReport, *report_order),
            latest(ConditionReport.examined_on, ConditionReport, *report_order),
            latest(ConditionReport.next_check_on, ConditionReport, *report_order),
            sa.select(ConservationTreatment.id).where(
                ConservationTreatment.object_id == obj.id,
                ConservationTreatment.status.in_(OPEN_TREATMENT)).limit(1).scalar_subquery(),
            latest(Valuation.amount_minor, Valuation, *value_order),
            latest(Valuation.currency, Valuation, *value_order),
            latest(Valuation.valued_on, Valuation, *value_order),
        )).one()
        if summary["can_conditions"]:
            summary["report"] = SimpleNamespace(
                id=row[0], overall=row[1], examined_on=row[2], next_check_on=row[3]
            ) if row[0] else None
            summary["treatment_id"] = row[4]
        if summary["can_values"] and row[5] is not None:
            summary["valuation"] = SimpleNamespace(amount=Money(row[5], row[6]),
                                                   valued_on=row[7])
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
