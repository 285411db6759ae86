"""The loans demo loader: loads once, changes nothing the second time."""

from __future__ import annotations

import sqlalchemy as sa

from catalog.conditions.models import ConditionReport
from catalog.loans.demo import load_loans
from catalog.loans.models import Loan


def test_demo_loans_are_idempotent(db_session):
    first = load_loans(db_session)
    assert "created" in first[0]
    loans = db_session.scalars(sa.select(Loan).order_by(Loan.id)).all()
    assert [(loan.direction, loan.status) for loan in loans] == [("out", "on_display"),
                                                                ("in", "approved")]
    reports = db_session.scalar(sa.select(sa.func.count()).select_from(ConditionReport))
    assert reports >= 4
    assert load_loans(db_session) == ["loans: demo loans already there"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Loan)) == 2
