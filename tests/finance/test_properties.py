"""Property tests: allocation never creates or loses money; the invoice view, the party view
and the ledger always agree."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.core.errors import DomainError
from catalog.finance import ledger, services
from catalog.finance.models import Allocation, Invoice, Payment, WriteOff
from catalog.finance.services import OpenItem, allocate_oldest_first

amounts = st.integers(min_value=0, max_value=10**12)


@given(amount=amounts, opens=st.lists(st.integers(min_value=-10**6, max_value=10**9),
                                      max_size=12))
def test_oldest_first_allocation_conserves_money(amount, opens):
    items = [OpenItem(i, o) for i, o in enumerate(opens)]
    plan = allocate_oldest_first(amount, items)
    allocated = sum(plan.values())
    assert 0 <= allocated <= amount
    assert all(0 < plan[i] <= max(o, 0) for i, o in enumerate(opens) if i in plan)
    # nothing is left unpaid while money stays unapplied
    if allocated < amount:
        assert all(plan.get(i, 0) == max(o, 0) for i, o in enumerate(opens))
    # oldest first: an item only gets money when every older item is settled
    seen_partial = False
    for i, o in enumerate(opens):
        if seen_partial:
            assert plan.get(i, 0) == 0
        if plan.get(i, 0) < max(o, 0):
            seen_partial = True


operations = st.lists(st.one_of(
    st.tuples(st.just("invoice"), st.integers(1, 50_000), st.sampled_from([0, 500, 2000])),
    st.tuples(st.just("pay"), st.integers(1, 60_000), st.just(0)),
    st.tuples(st.just("credit"), st.integers(1, 20_000), st.just(0)),
    st.tuples(st.just("apply"), st.just(0), st.just(0)),
    st.tuples(st.just("write_off"), st.integers(1, 60_000), st.just(0)),
    st.tuples(st.just("recover"), st.just(0), st.just(0)),
    st.tuples(st.just("reverse"), st.just(0), st.just(0)),
), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_ledger_views_agree(db_session, make_party, officer, ops):
    party = make_party()
    received = 0
    for kind, amount, tax in ops:
        if kind == "invoice":
            invoice = services.create_invoice(db_session, party=party, kind="other",
                                              actor=officer)
            services.add_line(db_session, invoice, description="x", quantity=1,
                              unit_price_minor=amount, tax_rate_bp=tax, actor=officer)
            services.issue_invoice(db_session, invoice, actor=officer)
        elif kind == "pay":
            services.record_payment(db_session, party=party, amount_minor=amount,
                                    currency="GBP", received_on=date(2026, 1, 1),
                                    method="card", reference=None, actor=officer)
            received += amount
        elif kind == "credit":
            open_ones = services.open_invoices(db_session, party.id, "GBP")
            if open_ones:
                target = open_ones[0]
                left = target.total_minor - sum(c.total_minor for c in target.credit_notes)
                services.create_credit_note(db_session, target, reason="r",
                                            amount_minor=min(amount, left), actor=officer)
        elif kind == "apply" and (ledger.party_unapplied(db_session, party.id, "GBP") > 0
                                  and services.open_invoices(db_session, party.id, "GBP")):
            services.apply_unapplied(db_session, party=party, currency="GBP", actor=officer)
        elif kind == "write_off":
            open_ones = services.open_invoices(db_session, party.id, "GBP")
            if open_ones:
                left = ledger.invoice_balance(db_session, open_ones[0].id)
                pending = sum(w.amount_minor for w in db_session.scalars(sa.select(WriteOff).where(
                    WriteOff.invoice_id == open_ones[0].id, WriteOff.status == "pending")))
                if left - pending > 0:
                    services.request_write_off(db_session, open_ones[0],
                                               amount_minor=min(amount, left - pending),
                                               reason="uncollectable", actor=officer)
        elif kind == "reverse":
            latest = db_session.scalar(sa.select(Payment).where(
                Payment.party_id == party.id, Payment.reversal_entry_id.is_(None))
                .order_by(Payment.id.desc()))
            if latest is not None:
                try:
                    services.reverse_payment(db_session, latest, reason="bounced",
                                             actor=officer)
                except DomainError:
                    pass  # its unapplied cash was spent: refused, nothing posted
                else:
                    received -= latest.amount_minor
        elif kind == "recover":
            posted = db_session.scalar(sa.select(WriteOff).where(
                WriteOff.party_id == party.id, WriteOff.status == "posted"))
            if posted is not None:
                services.recover_write_off(db_session, posted, actor=officer)
    invoices = list(db_session.scalars(sa.select(Invoice).where(Invoice.party_id == party.id)))
    invoice_views = sum(ledger.invoice_balance(db_session, row.id) for row in invoices)
    party_view = ledger.party_receivable(db_session, party.id, "GBP")
    assert invoice_views == party_view
    for row in invoices:
        balance = ledger.invoice_balance(db_session, row.id)
        assert 0 <= balance <= row.total_minor
        paid = sum(a.amount_minor for a in db_session.scalars(sa.select(Allocation).where(
            Allocation.invoice_id == row.id, services.live_allocations())))
        credited = sum(c.total_minor for c in db_session.get(Invoice, row.id).credit_notes)
        written = sum(w.amount_minor for w in db_session.scalars(sa.select(WriteOff).where(
            WriteOff.invoice_id == row.id, WriteOff.status == "posted")))
        # every minor unit of the invoice is open, paid, credited or written off (credit beyond
        # the open amount goes to unapplied cash)
        assert balance + paid + credited + written >= row.total_minor
        assert balance + paid + written <= row.total_minor
    # cash in = allocations + unapplied (+ what credit notes added to unapplied)
    allocated_from_payments = sum(a.amount_minor for a in db_session.scalars(
        sa.select(Allocation).where(Allocation.invoice_id.in_([r.id for r in invoices]),
                                    services.live_allocations())))
    unapplied = ledger.party_unapplied(db_session, party.id, "GBP")
    assert unapplied >= 0
    assert received + sum(
        c.total_minor for r in invoices for c in db_session.get(Invoice, r.id).credit_notes
    ) >= allocated_from_payments + unapplied
    from catalog.finance.models import LedgerLine

    cash = db_session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_minor), 0))
                             .where(LedgerLine.party_id == party.id,
                                    LedgerLine.account_id == ledger.account_id(db_session, "cash")))
    assert cash == received
    totals: dict[str, int] = {}
    for _n, _name, currency, balance in ledger.account_balances(db_session):
        totals[currency] = totals.get(currency, 0) + balance
    assert all(v == 0 for v in totals.values())
