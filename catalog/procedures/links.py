"""Links from an object's record page to the procedures other domains keep about it.

Each provider answers with one query and is shown only when its domain is installed (its endpoint
exists) and the user may see it. A domain can add its own provider with
:func:`add_object_procedures` instead of being listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, url_for
from sqlalchemy.orm import Session

from catalog.core.permissions import has_permission

Provider = Callable[[Session, int, Any], list[dict[str, Any]]]
PROVIDERS_KEY = "catalog_object_procedures"


def add_object_procedures(app: Flask, provider: Provider) -> None:
    """Let a domain list the procedures it records for an object on the object's page."""
    app.extensions.setdefault(PROVIDERS_KEY, []).append(provider)


def _has(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def loans(session: Session, object_id: int, user: Any) -> list[dict[str, Any]]:
    if not _has("loans.detail") or not has_permission(user, "loans.view"):
        return []
    from catalog.loans.models import Loan, LoanObject

    rows = session.scalars(sa.select(Loan).join(LoanObject, LoanObject.loan_id == Loan.id)
                           .where(LoanObject.object_id == object_id)).all()
    return [{"kind": "Loan out" if loan.direction == "out" else "Loan in",
             "number": loan.number, "date": loan.start_date,
             "summary": f"{loan.exhibition_title or loan.purpose or ''} ({loan.status})".strip(),
             "url": url_for("loans.detail", loan_id=loan.id)} for loan in rows]


def condition_reports(session: Session, object_id: int, user: Any) -> list[dict[str, Any]]:
    if not _has("conditions.detail") or not has_permission(user, "conditions.view"):
        return []
    from catalog.conditions.models import ConditionReport

    rows = session.execute(sa.select(ConditionReport.id, ConditionReport.examined_on,
                                      ConditionReport.overall, ConditionReport.context)
                           .where(ConditionReport.object_id == object_id)).all()
    return [{"kind": "Condition check", "number": f"#{row.id}", "date": row.examined_on,
             "summary": f"{row.overall} ({row.context.replace('_', ' ')})",
             "url": url_for("conditions.detail", report_id=row.id)} for row in rows]


def treatments(session: Session, object_id: int, user: Any) -> list[dict[str, Any]]:
    if not _has("conditions.treatment") or not has_permission(user, "conditions.view"):
        return []
    from catalog.conditions.models import ConservationTreatment

    rows = session.execute(sa.select(ConservationTreatment.id, ConservationTreatment.proposed_on,
                                     ConservationTreatment.status)
                           .where(ConservationTreatment.object_id == object_id)).all()
    return [{"kind": "Conservation", "number": f"#{row.id}", "date": row.proposed_on,
             "summary": row.status,
             "url": url_for("conditions.treatment", treatment_id=row.id)} for row in rows]


def valuations(session: Session, object_id: int, user: Any) -> list[dict[str, Any]]:
    # Valuations are restricted: without valuations.view the object page does not even say
    # that a valuation exists.
    if not _has("valuations.index") or not has_permission(user, "valuations.view"):
        return []
    from catalog.valuations.models import Valuation

    rows = session.execute(sa.select(Valuation.id, Valuation.valued_on, Valuation.purpose)
                           .where(Valuation.object_id == object_id)).all()
    return [{"kind": "Valuation", "number": f"#{row.id}", "date": row.valued_on,
             "summary": row.purpose or "", "url": url_for("valuations.index")} for row in rows]


def movements(session: Session, object_id: int, user: Any) -> list[dict[str, Any]]:
    if not has_permission(user, "locations.view"):
        return []
    from sqlalchemy.orm import aliased

    from catalog.locations.models import Location, Movement

    to_location = aliased(Location)
    rows = session.execute(
        sa.select(Movement.id, Movement.moved_at, Movement.status, Movement.reason,
                  to_location.id.label("to_id"), to_location.code.label("to_code"))
        .outerjoin(to_location, to_location.id == Movement.to_location_id)
        .where(Movement.object_id == object_id)
        .order_by(Movement.moved_at.desc()).limit(20)).all()
    linked = _has("locations.show")
    return [{"kind": "Movement" if row.status == "done" else "Planned move",
             "number": f"→ {row.to_code or 'off site'}", "date": row.moved_at.date(),
             "summary": row.reason or "",
             "url": url_for("locations.show", location_id=row.to_id)
             if linked and row.to_id else None} for row in rows]


#: movements are not listed here: the object page's Location section (catalog.locations) shows
#: the full movement history; ``movements`` stays available for pages without that section.
DEFAULT_PROVIDERS: tuple[Provider, ...] = (loans, condition_reports, treatments, valuations)


def other_procedures(session: Session, object_id: int, user: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for provider in (*DEFAULT_PROVIDERS, *current_app.extensions.get(PROVIDERS_KEY, [])):
        found.extend(provider(session, object_id, user))
    return found
