"""Finance fixtures: parties with accounts, a finance officer, invoice factories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from catalog.finance import services
from catalog.parties.models import Party


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    """A finance officer with a GBP 500.00 authority limit."""
    return make_user("finance_officer", authority_limit_minor=50_000, authority_currency="GBP")


@pytest.fixture
def make_party(db_session: Any) -> Callable[..., Party]:
    counter = iter(range(1, 10_000))

    def factory(name: str | None = None, *, kind: str = "organisation", currency: str = "GBP",
                terms: int = 30, email: str | None = "accounts@example.org") -> Party:
        party = Party(name=name or f"Borrower {next(counter)}", sort_name=name or "Borrower",
                      kind=kind, email=email)
        db_session.add(party)
        db_session.flush()
        account = services.get_account(db_session, party)
        account.currency = currency
        account.payment_terms_days = terms
        db_session.flush()
        return party

    return factory


@pytest.fixture
def make_invoice(db_session: Any, officer: Any) -> Callable[..., Any]:
    def factory(party: Party, *lines: tuple[str, Any, int, int], kind: str = "other",
                issue: bool = True, currency: str | None = None,
                issue_date: date | None = None) -> Any:
        invoice = services.create_invoice(db_session, party=party, kind=kind, actor=officer,
                                          currency=currency)
        for description, qty, price, tax in lines or (("Fee", 1, 10_000, 0),):
            services.add_line(db_session, invoice, description=description, quantity=qty,
                              unit_price_minor=price, tax_rate_bp=tax, actor=officer)
        if issue:
            services.issue_invoice(db_session, invoice, actor=officer, issue_date=issue_date)
        return invoice

    return factory


def db_refusal(session: Any, statement: Any) -> str:
    """Run ``statement`` in a savepoint and return the database's refusal message."""
    import sqlalchemy as sa

    try:
        with session.begin_nested():
            session.execute(statement)
            if session.bind.dialect.name == "postgresql":
                session.execute(sa.text("SET CONSTRAINTS ALL IMMEDIATE"))
    except sa.exc.DBAPIError as exc:
        return str(exc.orig)
    return ""
