from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.core.errors import DomainError
from catalog.core.outbox import OutboxMessage
from catalog.finance.ledger import invoice_balance
from catalog.finance.models import Invoice
from catalog.receivables import stops
from catalog.receivables.dunning import approve_run, start_run
from catalog.receivables.models import DunningLine, LevelReached
from tests.receivables.conftest import APPROVE, TODAY


def _lines(run, status="proposed"):
    return [line for line in run.lines if line.status == status]


def test_one_consolidated_reminder_per_party(db_session, make_party, overdue, collector):
    party = make_party("Borrowing Museum")
    first = overdue(party, 10_000, days=10)
    second = overdue(party, 7_000, days=8)
    run = start_run(db_session, as_of=TODAY, actor=collector)
    (line,) = _lines(run)
    assert line.party_id == party.id
    assert line.level.name == "First reminder"
    assert {item.invoice_id for item in line.items} == {first.id, second.id}
    assert line.overdue_minor == 17_000


def test_a_run_is_idempotent_and_never_sends_twice(db_session, make_party, overdue, collector):
    party = make_party("Twice Gallery")
    overdue(party, 10_000, days=10)
    run = start_run(db_session, as_of=TODAY, actor=collector)
    assert start_run(db_session, as_of=TODAY, actor=collector).id == run.id
    sent = approve_run(db_session, run, actor=collector, **APPROVE)
    assert len(sent) == 1
    assert approve_run(db_session, run, actor=collector, **APPROVE) == []
    messages = db_session.scalars(sa.select(OutboxMessage)).all()
    assert len(messages) == 1
    assert messages[0].to_addr == "accounts@example.org"
    assert "Overdue" in messages[0].subject
    assert messages[0].attachments[0].content.startswith(b"%PDF")
    # The next day the same invoice is not reminded again at the same level.
    next_day = start_run(db_session, as_of=TODAY + timedelta(days=1), actor=collector)
    assert _lines(next_day) == []


def test_the_database_refuses_a_level_twice(db_session, make_party, overdue, collector):
    party = make_party("Guarded")
    invoice = overdue(party, 10_000, days=10)
    run = start_run(db_session, as_of=TODAY, actor=collector)
    approve_run(db_session, run, actor=collector, **APPROVE)
    line = db_session.scalars(sa.select(DunningLine)).first()
    nested = db_session.begin_nested()
    db_session.add(LevelReached(invoice_id=invoice.id, level_id=line.level_id, line_id=line.id))
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()
    nested.rollback()


def test_levels_escalate_and_fees_never_change_the_invoice(
    db_session, make_party, overdue, collector
):
    party = make_party("Slow Payer Ltd")
    invoice = overdue(party, 100_000, days=10)
    approve_run(
        db_session, start_run(db_session, as_of=TODAY, actor=collector), actor=collector, **APPROVE
    )
    later = TODAY + timedelta(days=40)  # 50 days overdue: the final notice with fee and interest
    run = start_run(db_session, as_of=later, actor=collector)
    (line,) = _lines(run)
    assert line.level.name == "Final notice"
    assert line.channel == "letter"
    assert line.fee_minor == 4_000
    # statutory B2B: (4 % reference + 8 points) on 1,000.00 for 50 days = 16.44
    assert line.interest_minor == 1_644
    total_before = invoice.total_minor
    approve_run(db_session, run, actor=collector, **APPROVE)
    db_session.refresh(invoice)
    assert invoice.total_minor == total_before
    assert invoice_balance(db_session, invoice.id) == 100_000
    charge = db_session.get(Invoice, line.charge_invoice_id)
    assert charge.status == "issued"
    assert charge.total_minor == 5_644
    assert charge.source_type == "dunning_line"


def test_payment_stops_dunning_at_once(db_session, make_party, overdue, pay, collector):
    party = make_party("Paid Up")
    overdue(party, 10_000, days=10)
    run = start_run(db_session, as_of=TODAY, actor=collector)
    pay(party, 10_000)
    assert approve_run(db_session, run, actor=collector, **APPROVE) == []
    assert run.lines[0].status == "cancelled"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_disputed_invoice_is_left_out_but_stays_in_aging(
    db_session, make_party, overdue, collector
):
    from catalog.receivables.aging import aging

    party = make_party("Disputing Trust")
    disputed = overdue(party, 10_000, days=10)
    other = overdue(party, 5_000, days=10)
    stops.open_dispute(
        db_session,
        invoice=disputed,
        reason_code="wrong_amount",
        amount_minor=None,
        owner=collector,
        note="Fee not agreed",
        actor=collector,
        on=TODAY,
    )
    (line,) = _lines(start_run(db_session, as_of=TODAY, actor=collector))
    assert [item.invoice_id for item in line.items] == [other.id]
    assert aging(db_session, as_of=TODAY).parties[0].total_minor == 15_000


def test_a_promise_pauses_then_is_broken(db_session, make_party, overdue, collector):
    party = make_party("Promising Ltd")
    overdue(party, 10_000, days=10)
    stops.record_promise(
        db_session,
        party=party,
        amount_minor=10_000,
        currency="GBP",
        promised_on=TODAY + timedelta(days=5),
        grace_days=2,
        actor=collector,
        on=TODAY,
    )
    (line,) = start_run(db_session, as_of=TODAY, actor=collector).lines
    assert line.status == "skipped"
    assert "promise to pay" in line.skip_reason
    run = start_run(db_session, as_of=TODAY + timedelta(days=8), actor=collector)
    assert len(_lines(run)) == 1
    from catalog.receivables.models import Promise

    assert db_session.scalars(sa.select(Promise)).one().status == "broken"


def test_a_kept_promise_is_recorded(db_session, make_party, overdue, pay, collector):
    from catalog.receivables.models import Promise

    party = make_party("Keeper")
    overdue(party, 10_000, days=10)
    stops.record_promise(
        db_session,
        party=party,
        amount_minor=10_000,
        currency="GBP",
        promised_on=TODAY + timedelta(days=5),
        grace_days=2,
        actor=collector,
        on=TODAY,
    )
    pay(party, 10_000, on=TODAY + timedelta(days=3))
    stops.refresh_stops(db_session, TODAY + timedelta(days=4))
    assert db_session.scalars(sa.select(Promise)).one().status == "kept"


def test_a_plan_pauses_while_kept_and_accelerates_on_default(
    db_session, make_party, overdue, pay, collector
):
    party = make_party("Instalments plc")
    overdue(party, 30_000, days=10)
    plan = stops.create_plan(
        db_session,
        party=party,
        currency="GBP",
        instalments=[(TODAY + timedelta(days=7), 10_000), (TODAY + timedelta(days=37), 20_000)],
        default_after_missed=1,
        grace_days=3,
        on_default="accelerate",
        actor=collector,
        on=TODAY,
    )
    pay(party, 10_000, on=TODAY + timedelta(days=6))
    (line,) = start_run(db_session, as_of=TODAY + timedelta(days=20), actor=collector).lines
    assert line.status == "skipped"
    assert "payment plan" in line.skip_reason
    run = start_run(db_session, as_of=TODAY + timedelta(days=45), actor=collector)
    assert plan.status == "defaulted"
    (line,) = _lines(run)
    assert line.level.name == "Final notice"  # accelerated to the last level


def test_manual_pause_and_agency_placement_pause_dunning(
    db_session, make_party, overdue, collector
):
    from catalog.parties.models import Party, PartyRole

    paused = make_party("Paused Co")
    placed = make_party("Placed Co")
    overdue(paused, 10_000, days=10)
    overdue(placed, 10_000, days=10)
    stops.pause_dunning(
        db_session,
        party=paused,
        until=TODAY + timedelta(days=10),
        reason="Director in hospital",
        actor=collector,
        on=TODAY,
    )
    agency = Party(
        name="Recover-All Agency",
        sort_name="Recover-All",
        kind="organisation",
        roles=[PartyRole(role="agency")],
    )
    db_session.add(agency)
    db_session.flush()
    placement = stops.place_with_agency(
        db_session,
        party=placed,
        agency=agency,
        currency="GBP",
        commission_bp=2_500,
        actor=collector,
        on=TODAY,
    )
    assert placement.placed_minor == 10_000
    run = start_run(db_session, as_of=TODAY, actor=collector)
    reasons = {line.party_id: line.skip_reason for line in run.lines}
    assert "paused until" in reasons[paused.id]
    assert "placed with Recover-All Agency" in reasons[placed.id]
    recovery = stops.record_recovery(
        db_session, placement, amount_minor=4_000, actor=collector, on=TODAY
    )
    assert recovery.commission_minor == 1_000


def test_settlement_within_authority_and_paid_writes_off_the_rest(
    db_session, make_party, overdue, pay, collector
):
    party = make_party("Settling Ltd")
    invoice = overdue(party, 100_000, days=60)
    settlement = stops.offer_settlement(
        db_session,
        party=party,
        currency="GBP",
        accept_minor=60_000,
        expires_on=TODAY + timedelta(days=30),
        note=None,
        actor=collector,
        on=TODAY,
    )
    assert settlement.status == "agreed"  # discount 400.00 within the 500.00 limit
    pay(party, 60_000, on=TODAY + timedelta(days=5))
    stops.refresh_stops(db_session, TODAY + timedelta(days=6))
    assert settlement.status == "paid"
    assert invoice_balance(db_session, invoice.id) == 0
    from catalog.finance.models import WriteOff

    write_off = db_session.scalars(sa.select(WriteOff)).one()
    assert write_off.reason == "settlement"
    assert write_off.amount_minor == 40_000


def test_settlement_above_authority_waits_and_lapses(
    db_session, make_party, overdue, collector, make_user
):
    party = make_party("Big Debt Ltd")
    invoice = overdue(party, 500_000, days=60)
    settlement = stops.offer_settlement(
        db_session,
        party=party,
        currency="GBP",
        accept_minor=300_000,
        expires_on=TODAY + timedelta(days=10),
        note=None,
        actor=collector,
        on=TODAY,
    )
    assert settlement.status == "pending_approval"
    with pytest.raises(DomainError, match="authority limit"):
        stops.approve_settlement(db_session, settlement, actor=collector)
    manager = make_user(
        "finance_manager", authority_limit_minor=1_000_000, authority_currency="GBP"
    )
    stops.approve_settlement(db_session, settlement, actor=manager)
    assert settlement.status == "agreed"
    stops.refresh_stops(db_session, TODAY + timedelta(days=11))
    assert settlement.status == "lapsed"
    assert invoice_balance(db_session, invoice.id) == 500_000


def test_individuals_get_contact_hours_and_a_contact_cap(
    db_session, make_party, overdue, collector
):
    from catalog.core.db import utcnow
    from catalog.finance import services as finance
    from catalog.receivables.dunning import CONTACT_CAP_PER_7_DAYS, _contact_time

    donor = make_party("Jane Donor", kind="person", email="jane@example.org")
    account = finance.get_account(db_session, donor)
    account.time_zone = "America/New_York"
    overdue(donor, 5_000, days=10)
    send_after = _contact_time(account, utcnow().replace(hour=3, minute=0))  # 22:00/23:00 NY
    assert send_after is not None
    from zoneinfo import ZoneInfo

    assert send_after.astimezone(ZoneInfo("America/New_York")).hour == 8
    for _ in range(CONTACT_CAP_PER_7_DAYS):
        stops.log_activity(
            db_session,
            party_id=donor.id,
            kind="call",
            text="Called",
            actor=collector,
            is_contact=True,
        )
    (line,) = start_run(db_session, as_of=TODAY, actor=collector).lines
    assert line.status == "skipped"
    assert "Contact cap" in line.skip_reason


def test_opted_out_contacts_get_a_letter_not_an_email(db_session, make_party, overdue, collector):
    from catalog.finance import services as finance

    party = make_party("Quiet Trust", email=None)
    finance.add_contact(
        db_session,
        party,
        name="Accounts",
        email="ap@quiet.example",
        email_opt_out=True,
        actor=collector,
    )
    overdue(party, 10_000, days=10)
    (line,) = _lines(start_run(db_session, as_of=TODAY, actor=collector))
    assert line.channel == "letter"
