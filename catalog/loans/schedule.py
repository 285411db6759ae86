"""The loan schedule: loans and their objects on a timeline of months, with conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.loans.models import Loan, LoanObject
from catalog.loans.services import Conflict, find_conflicts_many

#: quarter-percent steps, matching static/css/loans.css
STEPS = 400


@dataclass
class Bar:
    left: int
    width: int
    label: str
    clipped_start: bool = False
    clipped_end: bool = False


@dataclass
class ObjectRow:
    loan_object: LoanObject
    bar: Bar
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass
class LoanRow:
    loan: Loan
    bar: Bar
    objects: list[ObjectRow]

    @property
    def has_conflict(self) -> bool:
        return any(row.conflicts for row in self.objects)


@dataclass
class Month:
    start: date
    bar: Bar


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _bar(start: date, end: date, first: date, last: date, label: str) -> Bar:
    """Position of [start, end] (inclusive days) within [first, last) in quarter-percents."""
    total = (last - first).days
    s = max(start, first)
    e = min(end + timedelta(days=1), last)
    left = round((s - first).days * STEPS / total)
    width = max(1, round((e - s).days * STEPS / total))
    width = min(width, STEPS - left)
    return Bar(left, width, label, start < first, end + timedelta(days=1) > last)


def build_schedule(session: Session, *, first_month: date, months: int = 12,
                   direction: str | None = None) -> dict[str, Any]:
    """Rows of loans (and their objects) overlapping ``months`` months from ``first_month``."""
    first = first_month.replace(day=1)
    last = _add_months(first, months)
    query = (sa.select(Loan).where(Loan.start_date < last, Loan.return_due >= first,
                                   Loan.status != "refused")
             .options(selectinload(Loan.loan_objects).joinedload(LoanObject.object))
             .order_by(Loan.start_date, Loan.number))
    if direction in ("in", "out"):
        query = query.where(Loan.direction == direction)
    loans = list(session.scalars(query))
    # Conflicts of every open object in view, gathered in a few queries for the whole page.
    pending = [(lo.object, loan) for loan in loans if loan.is_open
               for lo in loan.loan_objects if lo.returned_on is None]
    found = dict(zip([(obj.id, loan.id) for obj, loan in pending],
                     find_conflicts_many(session, pending), strict=True))
    rows = []
    for loan in loans:
        object_rows = []
        for lo in loan.loan_objects:
            end = lo.returned_on or loan.return_due
            object_rows.append(ObjectRow(
                lo, _bar(loan.start_date, end, first, last, lo.object.object_number),
                found.get((lo.object_id, loan.id), [])))
        rows.append(LoanRow(loan, _bar(loan.start_date, loan.return_due, first, last,
                                       loan.number), object_rows))
    month_cells = []
    for i in range(months):
        start = _add_months(first, i)
        end = _add_months(first, i + 1) - timedelta(days=1)
        month_cells.append(Month(start, _bar(start, end, first, last, f"{start:%b %Y}")))
    today = date.today()  # noqa: DTZ011
    today_bar = _bar(today, today, first, last, "today") if first <= today < last else None
    return {"rows": rows, "months": month_cells, "first": first, "last": last,
            "last_day": last - timedelta(days=1),
            "previous": _add_months(first, -3), "next": _add_months(first, 3),
            "today": today_bar}
