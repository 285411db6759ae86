"""Stops and pauses of dunning, each with its own record: disputes, promises to pay, payment
plans, manual pauses, settlements and agency placements — and the daily check that keeps their
state right (promises kept or broken, plans current or defaulted, settlements paid or lapsed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, InvalidTransition, ValidationError
from catalog.core.money import Money
from catalog.core.permissions import check, has_permission
from catalog.finance import services as finance
from catalog.finance.ledger import invoice_balance, party_receivable
from catalog.finance.models import Invoice, Payment
from catalog.finance.services import _actor_check
from catalog.parties.models import Party
from catalog.receivables.models import (
    DISPUTE_REASONS,
    Activity,
    AgencyPlacement,
    AgencyRecovery,
    Dispute,
    DunningPause,
    PaymentPlan,
    PlanInstalment,
    Promise,
    Settlement,
)


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def log_activity(
    session: Session, *, party_id: int, kind: str, text: str, actor: Any, is_contact: bool = False
) -> Activity:
    """Append to the account's activity log (the trail exported for agencies and lawyers)."""
    activity = Activity(
        party_id=party_id,
        kind=kind,
        text=text,
        is_contact=is_contact,
        user_id=getattr(actor, "id", None),
        occurred_at=utcnow(),
    )
    session.add(activity)
    return activity


def paid_since(
    session: Session, party_id: int, currency: str, since: date, until: date | None = None
) -> int:
    """Money received from the party in ``currency`` from ``since`` (inclusive)."""
    query = sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_minor), 0)).where(
        Payment.party_id == party_id,
        Payment.currency == currency,
        Payment.reversal_entry_id.is_(None),
        Payment.received_on >= since,
    )
    if until is not None:
        query = query.where(Payment.received_on <= until)
    return int(session.scalar(query) or 0)


# --- disputes ----------------------------------------------------------------------------------


def open_dispute(
    session: Session,
    *,
    invoice: Invoice,
    reason_code: str,
    amount_minor: int | None,
    owner: Any,
    note: str | None,
    actor: Any,
    on: date,
) -> Dispute:
    """Dispute an invoice (all or part): the disputed amount is not dunned but stays in aging."""
    _actor_check(actor, "finance.collect")
    if reason_code not in DISPUTE_REASONS:
        raise ValidationError("Choose the reason for the dispute.", field="reason_code")
    open_minor = invoice_balance(session, invoice.id)
    if open_minor <= 0:
        raise DomainError(f"Invoice {invoice.label} has nothing open to dispute.")
    amount = open_minor if amount_minor is None else amount_minor
    if amount <= 0 or amount > open_minor:
        raise ValidationError(
            f"The disputed amount must be between 0 and {_money(open_minor, invoice.currency)}.",
            field="amount",
        )
    dispute = Dispute(
        invoice_id=invoice.id,
        party_id=invoice.party_id,
        reason_code=reason_code,
        amount_minor=amount,
        currency=invoice.currency,
        owner_id=getattr(owner, "id", None),
        note=note,
        opened_on=on,
    )
    session.add(dispute)
    log_activity(
        session,
        party_id=invoice.party_id,
        kind="dispute",
        actor=actor,
        text=f"Dispute opened on {invoice.label} for {_money(amount, invoice.currency)}: "
        f"{DISPUTE_REASONS[reason_code]}" + (f" — {note}" if note else ""),
    )
    session.flush()
    return dispute


def resolve_dispute(
    session: Session, dispute: Dispute, *, resolution: str, actor: Any, on: date
) -> Dispute:
    _actor_check(actor, "finance.collect")
    if dispute.status != "open":
        raise InvalidTransition("This dispute is already resolved.")
    if not resolution.strip():
        raise ValidationError("Say how the dispute was resolved.", field="resolution")
    dispute.status = "resolved"
    dispute.resolved_on = on
    dispute.resolution = resolution.strip()
    log_activity(
        session,
        party_id=dispute.party_id,
        kind="dispute",
        actor=actor,
        text=f"Dispute #{dispute.id} resolved: {dispute.resolution}",
    )
    session.flush()
    return dispute


# --- promises ----------------------------------------------------------------------------------


def record_promise(
    session: Session,
    *,
    party: Party,
    amount_minor: int,
    currency: str,
    promised_on: date,
    grace_days: int,
    actor: Any,
    on: date,
) -> Promise:
    """A promise to pay ``amount_minor`` by ``promised_on``: dunning pauses until then + grace."""
    _actor_check(actor, "finance.collect")
    if amount_minor <= 0:
        raise ValidationError("The promised amount must be positive.", field="amount")
    if promised_on < on:
        raise ValidationError("The promised date cannot be in the past.", field="promised_on")
    if not 0 <= grace_days <= 60:
        raise ValidationError("Grace is between 0 and 60 days.", field="grace_days")
    promise = Promise(
        party_id=party.id,
        amount_minor=amount_minor,
        currency=currency,
        promised_on=promised_on,
        grace_days=grace_days,
        made_on=on,
        receivable_at_promise_minor=party_receivable(session, party.id, currency),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(promise)
    log_activity(
        session,
        party_id=party.id,
        kind="promise",
        actor=actor,
        is_contact=True,
        text=f"Promise to pay {_money(amount_minor, currency)} by {promised_on:%d %b %Y}",
    )
    session.flush()
    return promise


# --- payment plans -----------------------------------------------------------------------------


def create_plan(
    session: Session,
    *,
    party: Party,
    currency: str,
    instalments: list[tuple[date, int]],
    default_after_missed: int,
    grace_days: int,
    on_default: str,
    actor: Any,
    on: date,
) -> PaymentPlan:
    """Agree an instalment schedule covering (at most) the party's balance."""
    _actor_check(actor, "finance.collect")
    if not instalments:
        raise ValidationError("A plan needs at least one instalment.", field="instalments")
    if any(amount <= 0 for _, amount in instalments):
        raise ValidationError("Every instalment must be a positive amount.", field="instalments")
    if on_default not in ("resume", "accelerate"):
        raise ValidationError(
            "On default the plan either resumes or accelerates dunning.", field="on_default"
        )
    total = sum(amount for _, amount in instalments)
    balance = party_receivable(session, party.id, currency)
    if total > balance:
        raise ValidationError(
            f"The instalments ({_money(total, currency)}) exceed the balance "
            f"of {_money(balance, currency)}.",
            field="instalments",
        )
    active = session.scalar(
        sa.select(PaymentPlan.id).where(
            PaymentPlan.party_id == party.id,
            PaymentPlan.currency == currency,
            PaymentPlan.status == "active",
        )
    )
    if active is not None:
        raise DomainError("This account already has an active payment plan; cancel it first.")
    plan = PaymentPlan(
        party_id=party.id,
        currency=currency,
        total_minor=total,
        starts_on=on,
        paid_before_minor=0,
        default_after_missed=max(1, default_after_missed),
        grace_days=grace_days,
        on_default=on_default,
        created_by_id=getattr(actor, "id", None),
        instalments=[PlanInstalment(due_on=d, amount_minor=a) for d, a in sorted(instalments)],
    )
    session.add(plan)
    log_activity(
        session,
        party_id=party.id,
        kind="plan",
        actor=actor,
        is_contact=True,
        text=f"Payment plan agreed: {len(instalments)} instalments, "
        f"{_money(total, currency)} in all",
    )
    session.flush()
    return plan


def plan_missed_instalments(session: Session, plan: PaymentPlan, as_of: date) -> int:
    """Instalments whose (cumulative) amount was not paid by their due date plus grace."""
    missed = 0
    cumulative = 0
    for instalment in plan.instalments:
        cumulative += instalment.amount_minor
        deadline = instalment.due_on + timedelta(days=plan.grace_days)
        if deadline >= as_of:
            break
        if paid_since(session, plan.party_id, plan.currency, plan.starts_on, deadline) < cumulative:
            missed += 1
    return missed


# --- manual pauses -----------------------------------------------------------------------------


def pause_dunning(
    session: Session, *, party: Party, until: date, reason: str, actor: Any, on: date
) -> DunningPause:
    _actor_check(actor, "finance.collect")
    if until <= on:
        raise ValidationError("A pause must end after today.", field="until")
    if not reason.strip():
        raise ValidationError("Give the reason for the pause.", field="reason")
    pause = DunningPause(
        party_id=party.id,
        until=until,
        reason=reason.strip()[:300],
        created_by_id=getattr(actor, "id", None),
    )
    session.add(pause)
    log_activity(
        session,
        party_id=party.id,
        kind="pause",
        actor=actor,
        text=f"Dunning paused until {until:%d %b %Y}: {pause.reason}",
    )
    session.flush()
    return pause


# --- settlements -------------------------------------------------------------------------------


def offer_settlement(
    session: Session,
    *,
    party: Party,
    currency: str,
    accept_minor: int,
    expires_on: date,
    note: str | None,
    actor: Any,
    on: date,
) -> Settlement:
    """Offer to accept less than the balance. Within the actor's authority limit the offer is
    agreed at once; above it, it waits for a user whose limit covers the discount."""
    _actor_check(actor, "finance.collect")
    balance = party_receivable(session, party.id, currency)
    if balance <= 0:
        raise DomainError(f"{party.name} owes nothing in {currency}.")
    if not 0 < accept_minor < balance:
        raise ValidationError(
            f"A settlement accepts more than nothing and less than the balance "
            f"of {_money(balance, currency)}.",
            field="accept",
        )
    if expires_on <= on:
        raise ValidationError("The offer must expire after today.", field="expires_on")
    settlement = Settlement(
        party_id=party.id,
        currency=currency,
        balance_minor=balance,
        accept_minor=accept_minor,
        expires_on=expires_on,
        made_on=on,
        status="pending_approval",
        offered_by_id=getattr(actor, "id", None),
        note=note,
    )
    session.add(settlement)
    if has_permission(actor, "finance.approve") and finance.covers(
        actor, settlement.discount_minor, currency
    ):
        settlement.status = "agreed"
        settlement.approved_by_id = actor.id
        settlement.decided_at = utcnow()
    log_activity(
        session,
        party_id=party.id,
        kind="settlement",
        actor=actor,
        text=f"Settlement offered: {_money(accept_minor, currency)} accepted for a balance "
        f"of {_money(balance, currency)}, until {expires_on:%d %b %Y}"
        + ("" if settlement.status == "agreed" else " (waiting for approval)"),
    )
    session.flush()
    return settlement


def approve_settlement(session: Session, settlement: Settlement, *, actor: Any) -> Settlement:
    check(actor, "finance.approve")
    if settlement.status != "pending_approval":
        raise InvalidTransition("Only an offer waiting for approval can be approved.")
    if not finance.covers(actor, settlement.discount_minor, settlement.currency):
        raise DomainError(
            f"Your authority limit does not cover a discount of "
            f"{_money(settlement.discount_minor, settlement.currency)}; a user with a higher "
            "limit must approve it."
        )
    settlement.status = "agreed"
    settlement.approved_by_id = actor.id
    settlement.decided_at = utcnow()
    log_activity(
        session,
        party_id=settlement.party_id,
        kind="settlement",
        actor=actor,
        text=f"Settlement #{settlement.id} approved",
    )
    session.flush()
    return settlement


def reject_settlement(session: Session, settlement: Settlement, *, actor: Any) -> Settlement:
    check(actor, "finance.approve")
    if settlement.status != "pending_approval":
        raise InvalidTransition("Only an offer waiting for approval can be rejected.")
    settlement.status = "rejected"
    settlement.approved_by_id = actor.id
    settlement.decided_at = utcnow()
    session.flush()
    return settlement


def _settle(session: Session, settlement: Settlement, on: date) -> None:
    """The agreed amount is paid: write off the rest with the reason "settlement"."""
    from catalog.users.models import User

    approver = session.get(User, settlement.approved_by_id) if settlement.approved_by_id else None
    for invoice in finance.open_invoices(session, settlement.party_id, settlement.currency):
        rest = invoice_balance(session, invoice.id)
        if rest <= 0:
            continue
        # The discount was approved with the settlement, within the approver's limit.
        finance.post_approved_write_off(
            session, invoice, amount_minor=rest, reason="settlement", approver=approver, on=on
        )
    settlement.status = "paid"
    log_activity(
        session,
        party_id=settlement.party_id,
        kind="settlement",
        actor=None,
        text=f"Settlement #{settlement.id} paid; the rest was written off (settlement)",
    )


# --- agency placement --------------------------------------------------------------------------


def place_with_agency(
    session: Session,
    *,
    party: Party,
    agency: Party,
    currency: str,
    commission_bp: int,
    actor: Any,
    on: date,
) -> AgencyPlacement:
    _actor_check(actor, "finance.collect")
    if agency.id == party.id:
        raise ValidationError("An account cannot be placed with itself.", field="agency")
    if "agency" not in agency.role_codes:
        raise ValidationError(
            f"{agency.name} is not recorded as a collection agency.", field="agency"
        )
    if not 0 <= commission_bp <= 10_000:
        raise ValidationError("Commission is between 0 and 100 %.", field="commission")
    balance = party_receivable(session, party.id, currency)
    if balance <= 0:
        raise DomainError(f"{party.name} owes nothing in {currency}; there is nothing to place.")
    existing = session.scalar(
        sa.select(AgencyPlacement.id).where(
            AgencyPlacement.party_id == party.id, AgencyPlacement.status == "placed"
        )
    )
    if existing is not None:
        raise DomainError("This account is already placed with an agency.")
    placement = AgencyPlacement(
        party_id=party.id,
        agency_id=agency.id,
        currency=currency,
        placed_minor=balance,
        commission_bp=commission_bp,
        placed_on=on,
    )
    session.add(placement)
    log_activity(
        session,
        party_id=party.id,
        kind="placement",
        actor=actor,
        text=f"Placed with {agency.name}: {_money(balance, currency)}, commission "
        f"{commission_bp / 100:.2f} %",
    )
    session.flush()
    return placement


def record_recovery(
    session: Session, placement: AgencyPlacement, *, amount_minor: int, actor: Any, on: date
) -> AgencyRecovery:
    _actor_check(actor, "finance.collect")
    if placement.status != "placed":
        raise InvalidTransition("Recoveries are recorded on placed accounts only.")
    if amount_minor <= 0:
        raise ValidationError("A recovery is a positive amount.", field="amount")
    commission = amount_minor * placement.commission_bp // 10_000
    recovery = AgencyRecovery(
        placement_id=placement.id,
        recovered_on=on,
        amount_minor=amount_minor,
        commission_minor=commission,
    )
    session.add(recovery)
    log_activity(
        session,
        party_id=placement.party_id,
        kind="placement",
        actor=actor,
        text=f"Agency recovered {_money(amount_minor, placement.currency)} "
        f"(commission {_money(commission, placement.currency)})",
    )
    session.flush()
    return recovery


def end_placement(
    session: Session, placement: AgencyPlacement, *, status: str, actor: Any, on: date
) -> AgencyPlacement:
    _actor_check(actor, "finance.collect")
    if placement.status != "placed" or status not in ("recalled", "closed"):
        raise InvalidTransition("Only a placed account can be recalled or closed.")
    placement.status = status
    placement.closed_on = on
    log_activity(
        session,
        party_id=placement.party_id,
        kind="placement",
        actor=actor,
        text=f"Agency placement {status}",
    )
    session.flush()
    return placement


# --- the daily check ---------------------------------------------------------------------------


def refresh_stops(session: Session, as_of: date) -> list[str]:
    """Bring promises, plans and settlements up to date as of ``as_of``; returns what changed."""
    changes: list[str] = []
    for promise in session.scalars(sa.select(Promise).where(Promise.status == "open")):
        paid = paid_since(session, promise.party_id, promise.currency, promise.made_on, as_of)
        owed_now = party_receivable(session, promise.party_id, promise.currency, as_of=as_of)
        if paid >= promise.amount_minor or owed_now <= 0:
            promise.status, promise.settled_on = "kept", as_of
            changes.append(f"promise #{promise.id} kept")
        elif as_of > promise.promised_on + timedelta(days=promise.grace_days):
            promise.status, promise.settled_on = "broken", as_of
            log_activity(
                session,
                party_id=promise.party_id,
                kind="promise",
                actor=None,
                text=f"Promise #{promise.id} broken: "
                f"{_money(paid, promise.currency)} of "
                f"{_money(promise.amount_minor, promise.currency)} paid",
            )
            changes.append(f"promise #{promise.id} broken")
    for plan in session.scalars(sa.select(PaymentPlan).where(PaymentPlan.status == "active")):
        paid = paid_since(session, plan.party_id, plan.currency, plan.starts_on, as_of)
        if paid >= plan.total_minor:
            plan.status = "completed"
            changes.append(f"plan #{plan.id} completed")
        elif plan_missed_instalments(session, plan, as_of) >= plan.default_after_missed:
            plan.status, plan.defaulted_on = "defaulted", as_of
            log_activity(
                session,
                party_id=plan.party_id,
                kind="plan",
                actor=None,
                text=f"Payment plan #{plan.id} defaulted; dunning "
                + ("accelerates" if plan.on_default == "accelerate" else "resumes"),
            )
            changes.append(f"plan #{plan.id} defaulted")
    for settlement in session.scalars(sa.select(Settlement).where(Settlement.status == "agreed")):
        paid = paid_since(
            session, settlement.party_id, settlement.currency, settlement.made_on, as_of
        )
        if paid >= settlement.accept_minor:
            _settle(session, settlement, as_of)
            changes.append(f"settlement #{settlement.id} paid")
        elif as_of > settlement.expires_on:
            settlement.status = "lapsed"
            log_activity(
                session,
                party_id=settlement.party_id,
                kind="settlement",
                actor=None,
                text=f"Settlement #{settlement.id} lapsed; the full balance is due again",
            )
            changes.append(f"settlement #{settlement.id} lapsed")
    session.flush()
    return changes


@dataclass(frozen=True)
class Hold:
    """Why a party is not dunned (or dunned differently) today."""

    reason: str
    #: True: no reminder at all; False: a defaulted plan that accelerates to the last level
    stops: bool = True
    accelerate: bool = False


class Holds:
    """Every stop and pause in force on ``as_of``, loaded in a handful of queries so that a
    dunning run over many thousands of accounts does not ask once per account."""

    def __init__(self, session: Session, as_of: date, party_id: int | None = None) -> None:
        def mine(query: Any, column: Any) -> Any:
            return query.where(column == party_id) if party_id is not None else query

        self.as_of = as_of
        self.placements = {
            p.party_id: p
            for p in session.scalars(
                mine(
                    sa.select(AgencyPlacement).where(AgencyPlacement.status == "placed"),
                    AgencyPlacement.party_id,
                )
            )
        }
        self.pauses: dict[int, DunningPause] = {}
        for pause in session.scalars(
            mine(
                sa.select(DunningPause)
                .where(DunningPause.until >= as_of, DunningPause.lifted_at.is_(None))
                .order_by(DunningPause.until),
                DunningPause.party_id,
            )
        ):
            self.pauses[pause.party_id] = pause  # the latest-ending pause wins
        self.promises = {
            (p.party_id, p.currency): p
            for p in session.scalars(
                mine(sa.select(Promise).where(Promise.status == "open"), Promise.party_id)
            )
        }
        self.settlements = {
            (s.party_id, s.currency): s
            for s in session.scalars(
                mine(
                    sa.select(Settlement).where(Settlement.status == "agreed"), Settlement.party_id
                )
            )
        }
        self.plans: dict[tuple[int, str], PaymentPlan] = {}
        for plan in session.scalars(
            mine(
                sa.select(PaymentPlan)
                .where(PaymentPlan.status.in_(("active", "defaulted")))
                .order_by(PaymentPlan.id),
                PaymentPlan.party_id,
            )
        ):
            self.plans[(plan.party_id, plan.currency)] = plan  # the newest plan wins

    def get(self, party_id: int, currency: str) -> Hold | None:
        """The stop or pause that applies to a party today, if any (the first that applies)."""
        as_of = self.as_of
        placement = self.placements.get(party_id)
        if placement is not None:
            return Hold(f"placed with {placement.agency.name} on {placement.placed_on:%d %b %Y}")
        pause = self.pauses.get(party_id)
        if pause is not None:
            return Hold(f"paused until {pause.until:%d %b %Y}: {pause.reason}")
        promise = self.promises.get((party_id, currency))
        if promise is not None and as_of <= promise.promised_on + timedelta(
            days=promise.grace_days
        ):
            return Hold(
                f"promise to pay {_money(promise.amount_minor, currency)} by "
                f"{promise.promised_on:%d %b %Y}"
            )
        settlement = self.settlements.get((party_id, currency))
        if settlement is not None:
            return Hold(f"settlement agreed until {settlement.expires_on:%d %b %Y}")
        plan = self.plans.get((party_id, currency))
        if plan is not None and plan.status == "active":
            return Hold(f"payment plan #{plan.id} is being kept")
        if plan is not None and plan.status == "defaulted" and plan.on_default == "accelerate":
            return Hold(f"payment plan #{plan.id} defaulted", stops=False, accelerate=True)
        return None


def hold_for(session: Session, party_id: int, currency: str, as_of: date) -> Hold | None:
    """The stop or pause that applies to one party today, if any."""
    return Holds(session, as_of, party_id).get(party_id, currency)
