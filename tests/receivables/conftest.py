"""Receivables fixtures, on top of the finance ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from catalog.finance import services as finance
from tests.finance.conftest import make_invoice, make_party, officer  # noqa: F401

TODAY = date(2026, 6, 15)


@pytest.fixture
def collector(make_user: Callable[..., Any]) -> Any:
    """A finance officer (collects, approves within GBP 500.00)."""
    return make_user("finance_officer", authority_limit_minor=50_000, authority_currency="GBP")


@pytest.fixture
def overdue(make_invoice: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    """An issued invoice of ``amount`` that fell due ``days`` before TODAY (30-day terms)."""

    def factory(party: Any, amount: int = 10_000, days: int = 10) -> Any:
        issued = TODAY - timedelta(days=30 + days)
        return make_invoice(party, ("Loan fee", 1, amount, 0), issue_date=issued)

    return factory


@pytest.fixture
def pay(db_session: Any, officer: Any) -> Callable[..., Any]:  # noqa: F811
    def factory(party: Any, amount: int, on: date = TODAY, currency: str = "GBP") -> Any:
        return finance.record_payment(
            db_session,
            party=party,
            amount_minor=amount,
            currency=currency,
            received_on=on,
            method="bank_transfer",
            reference=None,
            actor=officer,
        )

    return factory


APPROVE = {
    "public_base_url": "http://catalog.test",
    "museum_name": "Test Museum",
    "secret_key": "test-secret-key",
}
