"""The ledger: balanced postings only, append-only, reversals, balances as of a date."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.finance import ledger
from catalog.finance.ledger import Line, UnbalancedEntryError, post_entry
from catalog.finance.models import JournalEntry, LedgerLine
from tests.finance.conftest import db_refusal


def test_unbalanced_entry_is_refused_and_nothing_is_written(db_session, make_party):
    party = make_party()
    before = db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine))
    with pytest.raises(UnbalancedEntryError, match="does not balance"):
        post_entry(db_session, [Line("receivable", 1000, "GBP", party.id),
                                Line("revenue_other", -999, "GBP", party.id)],
                   entry_date=date(2026, 1, 1), memo="wrong", source_type="test")
    # balanced in total but not per currency
    with pytest.raises(UnbalancedEntryError):
        post_entry(db_session, [Line("cash", 1000, "GBP"), Line("cash", -1000, "EUR")],
                   entry_date=date(2026, 1, 1), memo="wrong", source_type="test")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LedgerLine)) == before


def test_database_refuses_updates_and_deletes_of_the_ledger(db_session, make_party):
    entry = post_entry(db_session, [Line("cash", 500, "GBP"), Line("unapplied", -500, "GBP")],
                       entry_date=date(2026, 1, 1), memo="ok", source_type="test")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.update(LedgerLine).where(LedgerLine.entry_id == entry.id)
                           .values(amount_minor=1))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(sa.delete(JournalEntry).where(JournalEntry.id == entry.id))


def test_postgresql_refuses_an_unbalanced_entry_at_commit(db_session, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no deferred triggers; post_entry is the check there")
    entry = post_entry(db_session, [Line("cash", 500, "GBP"), Line("unapplied", -500, "GBP")],
                       entry_date=date(2026, 1, 1), memo="ok", source_type="test")
    account = ledger.account_id(db_session, "cash")
    assert "does not balance" in db_refusal(db_session, sa.insert(LedgerLine).values(
        entry_id=entry.id, account_id=account, entry_date=date(2026, 1, 1),
        amount_minor=7, currency="GBP"))


def test_reversal_mirrors_the_entry_and_only_once(db_session, make_party, officer):
    party = make_party()
    entry = post_entry(db_session, [Line("cash", 700, "GBP", party.id),
                                    Line("unapplied", -700, "GBP", party.id)],
                       entry_date=date(2026, 1, 1), memo="x", source_type="test")
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 700
    reversal = ledger.reverse_entry(db_session, entry, entry_date=date(2026, 2, 1), memo="undo")
    assert reversal.reverses_id == entry.id
    assert ledger.party_unapplied(db_session, party.id, "GBP") == 0
    assert ledger.party_unapplied(db_session, party.id, "GBP", as_of=date(2026, 1, 15)) == 700
    with pytest.raises(Exception, match="already been reversed"):
        ledger.reverse_entry(db_session, entry, entry_date=date(2026, 2, 1), memo="again")


def test_trial_balance_sums_to_zero(db_session, make_party, make_invoice):
    party = make_party()
    make_invoice(party, ("Loan fee", 1, 12_345, 2000))
    totals: dict[str, int] = {}
    for _number, _name, currency, balance in ledger.account_balances(db_session):
        totals[currency] = totals.get(currency, 0) + balance
    assert all(v == 0 for v in totals.values())
