"""The collector's view of accounts: the work queue and the exportable activity trail."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.money import Money
from catalog.finance.models import CreditNote, Invoice, Payment, WriteOff
from catalog.parties.models import Party
from catalog.receivables.aging import aging
from catalog.receivables.models import (
    Activity,
    CollectionSettings,
    Dispute,
    DunningLine,
    Promise,
)
from catalog.receivables.stops import hold_for


@dataclass
class QueueEntry:
    party_id: int
    party_name: str
    currency: str
    overdue_minor: int
    oldest_days: int
    priority: int
    broken_promises: int
    collector_id: int | None
    next_action: str | None
    next_action_on: date | None
    hold: str | None


def work_queue(session: Session, *, as_of: date, collector_id: int | None = None
               ) -> list[QueueEntry]:
    """Overdue accounts, broken promises first, then by amount × days overdue."""
    report = aging(session, as_of=as_of)
    settings = {s.party_id: s for s in session.scalars(sa.select(CollectionSettings))}
    broken = dict(session.execute(sa.select(Promise.party_id, sa.func.count())
                                  .where(Promise.status == "broken")
                                  .group_by(Promise.party_id)).all())
    entries = []
    for aged in report.parties:
        overdue = aged.overdue_minor
        if overdue <= 0:
            continue
        own = settings.get(aged.party_id)
        if collector_id is not None and (own is None or own.collector_id != collector_id):
            continue
        oldest = max((i.days_overdue for i in aged.invoices), default=0)
        hold = hold_for(session, aged.party_id, aged.currency, as_of)
        entries.append(QueueEntry(
            party_id=aged.party_id, party_name=aged.party_name, currency=aged.currency,
            overdue_minor=overdue, oldest_days=oldest, priority=overdue * max(oldest, 1),
            broken_promises=int(broken.get(aged.party_id, 0)),
            collector_id=own.collector_id if own else None,
            next_action=own.next_action if own else None,
            next_action_on=own.next_action_on if own else None,
            hold=hold.reason if hold else None))
    entries.sort(key=lambda e: (-(e.broken_promises > 0), -e.priority))
    return entries


def trail(session: Session, party: Party) -> list[tuple[date, str, str, str]]:
    """Every event of the account, oldest first: (date, kind, detail, amount)."""
    events: list[tuple[date, str, str, str]] = []
    for invoice in session.scalars(sa.select(Invoice).where(Invoice.party_id == party.id,
                                                            Invoice.status != "draft")):
        events.append((invoice.issue_date or date.min, "invoice",
                       f"Invoice {invoice.number} issued ({invoice.kind_label}), due "
                       f"{invoice.due_date:%d %b %Y}",
                       Money(invoice.total_minor, invoice.currency).format()))
    for note in session.scalars(sa.select(CreditNote).where(CreditNote.party_id == party.id)):
        events.append((note.issue_date, "credit note", f"Credit note {note.number}: {note.reason}",
                       Money(-note.total_minor, note.currency).format()))
    for payment in session.scalars(sa.select(Payment).where(Payment.party_id == party.id)):
        events.append((payment.received_on, "payment",
                       f"Payment received ({payment.method_label})"
                       + (f" ref {payment.reference}" if payment.reference else ""),
                       Money(-payment.amount_minor, payment.currency).format()))
    for write_off in session.scalars(sa.select(WriteOff).where(WriteOff.party_id == party.id,
                                                               WriteOff.status != "rejected")):
        day = write_off.decided_at.date() if write_off.decided_at else write_off.requested_at.date()
        events.append((day, "write-off", f"Write-off ({write_off.status}): {write_off.reason}",
                       Money(-write_off.amount_minor, write_off.currency).format()))
    for line in session.scalars(sa.select(DunningLine).where(DunningLine.party_id == party.id,
                                                             DunningLine.status == "sent")):
        events.append((line.run.as_of, "reminder",
                       f"{line.level.name} by {line.channel}: "
                       f"{Money(line.overdue_minor, line.currency)} overdue", ""))
    for activity in session.scalars(sa.select(Activity).where(
            Activity.party_id == party.id, Activity.kind.in_(("call", "note")))):
        events.append((activity.occurred_at.date(), activity.kind, activity.text, ""))
    for promise in session.scalars(sa.select(Promise).where(Promise.party_id == party.id)):
        events.append((promise.made_on, "promise",
                       f"Promise to pay by {promise.promised_on:%d %b %Y} ({promise.status})",
                       Money(promise.amount_minor, promise.currency).format()))
    for dispute in session.scalars(sa.select(Dispute).where(Dispute.party_id == party.id)):
        events.append((dispute.opened_on, "dispute",
                       f"Dispute on invoice #{dispute.invoice_id} ({dispute.reason_code}, "
                       f"{dispute.status})" + (f": {dispute.resolution}" if dispute.resolution else ""),
                       Money(dispute.amount_minor, dispute.currency).format()))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def trail_csv(events: list[tuple[date, str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "kind", "detail", "amount"])
    for day, kind, detail, amount in events:
        writer.writerow([day.isoformat(), kind, detail, amount])
    return buffer.getvalue()
