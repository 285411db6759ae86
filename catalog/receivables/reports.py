"""Receivables measures for management, each with its method stated.

- DSO, count-back method: start from the receivables balance at the end of the period and walk
  back month by month, subtracting each month's credit sales (invoices issued) until the balance
  is used up; DSO is the days of the whole months used plus the fraction of the last month.
  Unlike the average method it is not distorted by seasonal billing (exhibition loan fees).
- CEI (Collection Effectiveness Index) = (opening receivables + credit sales − closing total
  receivables) ÷ (opening receivables + credit sales − closing current receivables) × 100.
- Average days delinquent (ADD) = DSO − best possible DSO, where best possible DSO = current
  (not yet due) receivables ÷ credit sales of the period × days in the period.
- At-risk rate: the share of receivables more than 90 days past due.
- Promise-kept rate: kept ÷ (kept + broken) promises settled in the period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.finance.ledger import account_id
from catalog.finance.models import JournalEntry, LedgerLine, Payment, WriteOff
from catalog.receivables.aging import aging
from catalog.receivables.models import (
    CollectionSettings,
    Dispute,
    PaymentPlan,
    PlanInstalment,
    Promise,
)


def _within(
    column: sa.ColumnElement[datetime], start: date, end: date
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """A UTC timestamp column within the business days ``start``..``end``."""
    return (
        column >= datetime.combine(start, time.min, tzinfo=UTC),
        column < datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _prev_month_end(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def receivable_balance(session: Session, currency: str, as_of: date) -> int:
    receivable = account_id(session, "receivable")
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_minor), 0)).where(
                LedgerLine.account_id == receivable,
                LedgerLine.currency == currency,
                LedgerLine.entry_date <= as_of,
            )
        )
        or 0
    )


def credit_sales(session: Session, currency: str, start: date, end: date) -> int:
    """Invoices issued from ``start`` to ``end`` inclusive (receivable debits of invoices)."""
    receivable = account_id(session, "receivable")
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_minor), 0))
            .join(JournalEntry, JournalEntry.id == LedgerLine.entry_id)
            .where(
                LedgerLine.account_id == receivable,
                LedgerLine.currency == currency,
                LedgerLine.entry_date >= start,
                LedgerLine.entry_date <= end,
                JournalEntry.source_type == "invoice",
                LedgerLine.amount_minor > 0,
            )
        )
        or 0
    )


def dso_count_back(session: Session, currency: str, as_of: date, *, max_months: int = 24) -> float:
    balance = receivable_balance(session, currency, as_of)
    if balance <= 0:
        return 0.0
    days = 0.0
    end = as_of
    for _ in range(max_months):
        start = _month_start(end)
        sales = credit_sales(session, currency, start, end)
        span = (end - start).days + 1
        if sales >= balance:
            return days + span * balance / sales
        balance -= sales
        days += span
        end = _prev_month_end(end)
    return days


@dataclass
class Measures:
    currency: str
    start: date
    end: date
    dso: float
    cei: float | None
    best_possible_dso: float
    add: float
    at_risk_rate: float
    promise_kept_rate: float | None
    promises_kept: int
    promises_broken: int
    disputes_open: int
    dispute_days_to_resolve: float | None
    write_offs_minor: int
    collected_minor: int


def measures(session: Session, *, currency: str, start: date, end: date) -> Measures:
    opening = receivable_balance(session, currency, start - timedelta(days=1))
    closing = receivable_balance(session, currency, end)
    sales = credit_sales(session, currency, start, end)
    report = aging(session, as_of=end)
    closing_current = sum(p.buckets[0] for p in report.parties if p.currency == currency)
    over_90 = sum(p.buckets[-1] for p in report.parties if p.currency == currency)
    denominator = opening + sales - closing_current
    cei = (opening + sales - closing) / denominator * 100 if denominator > 0 else None
    period_days = (end - start).days + 1
    dso = dso_count_back(session, currency, end)
    best = closing_current / sales * period_days if sales > 0 else 0.0
    kept = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Promise)
            .where(
                Promise.status == "kept",
                Promise.currency == currency,
                Promise.settled_on.between(start, end),
            )
        )
        or 0
    )
    broken = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Promise)
            .where(
                Promise.status == "broken",
                Promise.currency == currency,
                Promise.settled_on.between(start, end),
            )
        )
        or 0
    )
    open_disputes = (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Dispute)
            .where(Dispute.status == "open", Dispute.currency == currency)
        )
        or 0
    )
    resolved = list(
        session.execute(
            sa.select(Dispute.opened_on, Dispute.resolved_on).where(
                Dispute.status == "resolved",
                Dispute.currency == currency,
                Dispute.resolved_on.between(start, end),
            )
        )
    )
    days_to_resolve = (sum((r - o).days for o, r in resolved) / len(resolved)) if resolved else None
    written_off = int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(WriteOff.amount_minor), 0)).where(
                WriteOff.currency == currency,
                WriteOff.status == "posted",
                *_within(WriteOff.decided_at, start, end),
            )
        )
        or 0
    )
    collected = int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Payment.amount_minor), 0)).where(
                Payment.currency == currency,
                Payment.reversal_entry_id.is_(None),
                Payment.received_on.between(start, end),
            )
        )
        or 0
    )
    return Measures(
        currency=currency,
        start=start,
        end=end,
        dso=round(dso, 1),
        cei=round(cei, 1) if cei is not None else None,
        best_possible_dso=round(best, 1),
        add=round(max(dso - best, 0.0), 1),
        at_risk_rate=round(over_90 / closing * 100, 1) if closing > 0 else 0.0,
        promise_kept_rate=round(kept / (kept + broken) * 100, 1) if kept + broken else None,
        promises_kept=kept,
        promises_broken=broken,
        disputes_open=open_disputes,
        dispute_days_to_resolve=round(days_to_resolve, 1) if days_to_resolve is not None else None,
        write_offs_minor=written_off,
        collected_minor=collected,
    )


def month_ranges(end: date, months: int) -> list[tuple[date, date]]:
    ranges = []
    current_end = end
    for _ in range(months):
        start = _month_start(current_end)
        ranges.append((start, current_end))
        current_end = _prev_month_end(current_end)
    return list(reversed(ranges))


def write_offs_by_month(
    session: Session, currency: str, end: date, months: int = 6
) -> list[tuple[date, int]]:
    result = []
    for start, stop in month_ranges(end, months):
        amount = session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(WriteOff.amount_minor), 0)).where(
                WriteOff.currency == currency,
                WriteOff.status == "posted",
                *_within(WriteOff.decided_at, start, stop),
            )
        )
        result.append((start, int(amount or 0)))
    return result


def collections_by_collector(
    session: Session, currency: str, start: date, end: date
) -> list[tuple[int | None, int]]:
    """Payments received in the period, by the collector the paying party is assigned to."""
    rows = session.execute(
        sa.select(CollectionSettings.collector_id, sa.func.sum(Payment.amount_minor))
        .select_from(Payment)
        .outerjoin(CollectionSettings, CollectionSettings.party_id == Payment.party_id)
        .where(
            Payment.currency == currency,
            Payment.reversal_entry_id.is_(None),
            Payment.received_on.between(start, end),
        )
        .group_by(CollectionSettings.collector_id)
    )
    return [(c, int(a or 0)) for c, a in rows]


def cash_forecast(
    session: Session, currency: str, start: date, weeks: int = 8
) -> list[tuple[date, int, int]]:
    """Expected receipts per week from active plans' instalments and open promises."""
    result = []
    for week in range(weeks):
        ws = start + timedelta(days=7 * week)
        we = ws + timedelta(days=6)
        plans = session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PlanInstalment.amount_minor), 0))
            .join(PaymentPlan, PaymentPlan.id == PlanInstalment.plan_id)
            .where(
                PaymentPlan.status == "active",
                PaymentPlan.currency == currency,
                PlanInstalment.due_on.between(ws, we),
            )
        )
        promises = session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Promise.amount_minor), 0)).where(
                Promise.status == "open",
                Promise.currency == currency,
                Promise.promised_on.between(ws, we),
            )
        )
        result.append((ws, int(plans or 0), int(promises or 0)))
    return result


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]
