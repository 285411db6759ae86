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


def test_grouped_balances_agree_with_single_balances(db_session, make_party, make_invoice,
                                                     officer):
    from catalog.finance import services

    party = make_party()
    a = make_invoice(party, ("A", 1, 1_000, 0), issue_date=date(2026, 1, 1))
    b = make_invoice(party, ("B", 1, 2_000, 0), issue_date=date(2026, 2, 1))
    services.record_payment(db_session, party=party, amount_minor=1_500, currency="GBP",
                            received_on=date(2026, 3, 1), method="card", reference=None,
                            actor=officer)
    for as_of in (date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15), None):
        grouped = ledger.invoice_balances(db_session, [a.id, b.id], as_of=as_of)
        assert {i: grouped.get(i, 0) for i in (a.id, b.id)} == {
            i: ledger.invoice_balance(db_session, i, as_of=as_of) for i in (a.id, b.id)}
    assert ledger.invoice_balances(db_session, party_id=party.id) == {a.id: 0, b.id: 1_500}
    assert ledger.invoice_balances(db_session, [a.id, b.id], as_of=date(2026, 2, 15)) == {
        a.id: 1_000, b.id: 2_000}
