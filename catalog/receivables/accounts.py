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
from catalog.receivables.stops import Holds


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


def work_queue(
    session: Session, *, as_of: date, collector_id: int | None = None
) -> list[QueueEntry]:
    """Overdue accounts, broken promises first, then by amount × days overdue."""
    report = aging(session, as_of=as_of)
    holds = Holds(session, as_of)
    settings = {s.party_id: s for s in session.scalars(sa.select(CollectionSettings))}
    broken = dict(
        session.execute(
            sa.select(Promise.party_id, sa.func.count())
            .where(Promise.status == "broken")
            .group_by(Promise.party_id)
        ).all()
    )
    entries = []
    for aged in report.parties:
        overdue = aged.overdue_minor
        if overdue <= 0:
            continue
        own = settings.get(aged.party_id)
        if collector_id is not None and (own is None or own.collector_id != collector_id):
            continue
        oldest = (as_of - aged.oldest_due).days if aged.oldest_due else 0
        hold = holds.get(aged.party_id, aged.currency)
        entries.append(
            QueueEntry(
                party_id=aged.party_id,
                party_name=aged.party_name,
                currency=aged.currency,
                overdue_minor=overdue,
                oldest_days=oldest,
                priority=overdue * max(oldest, 1),
                broken_promises=int(broken.get(aged.party_id, 0)),
                collector_id=own.collector_id if own else None,
                next_action=own.next_action if own else None,
                next_action_on=own.next_action_on if own else None,
                hold=hold.reason if hold else None,
            )
        )
    entries.sort(key=lambda e: (-(e.broken_promises > 0), -e.priority))
    return entries


Event = tuple[date, str, str, str]


def _m(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def _invoice_event(i: Invoice) -> Event:
    detail = f"Invoice {i.number} issued ({i.kind_label}), due {i.due_date:%d %b %Y}"
    return (i.issue_date or date.min, "invoice", detail, _m(i.total_minor, i.currency))


def _payment_event(p: Payment) -> Event:
    ref = f" ref {p.reference}" if p.reference else ""
    detail = f"Payment received ({p.method_label}){ref}"
    return (p.received_on, "payment", detail, _m(-p.amount_minor, p.currency))


def _write_off_event(w: WriteOff) -> Event:
    day = (w.decided_at or w.requested_at).date()
    return (day, "write-off", f"Write-off ({w.status}): {w.reason}",
            _m(-w.amount_minor, w.currency))


def _reminder_event(line: DunningLine) -> Event:
    detail = f"{line.level.name} by {line.channel}: {_m(line.overdue_minor, line.currency)} overdue"
    return (line.run.as_of, "reminder", detail, "")


def _dispute_event(d: Dispute) -> Event:
    detail = f"Dispute on invoice #{d.invoice_id} ({d.reason_code}, {d.status})"
    if d.resolution:
        detail += f": {d.resolution}"
    return (d.opened_on, "dispute", detail, _m(d.amount_minor, d.currency))


def trail(session: Session, party: Party) -> list[Event]:
    """Every event of the account, oldest first: (date, kind, detail, amount).

    Invoices, credit notes, payments, write-offs, reminders sent, calls and notes, promises and
    disputes: what an agency or a lawyer needs to pursue the debt.
    """
    pid = party.id
    events: list[Event] = []
    events.extend(_invoice_event(i) for i in session.scalars(
        sa.select(Invoice).where(Invoice.party_id == pid, Invoice.status != "draft")))
    events.extend((n.issue_date, "credit note", f"Credit note {n.number}: {n.reason}",
                   _m(-n.total_minor, n.currency))
                  for n in session.scalars(sa.select(CreditNote).where(CreditNote.party_id == pid)))
    events.extend(_payment_event(p) for p in session.scalars(
        sa.select(Payment).where(Payment.party_id == pid)))
    events.extend(_write_off_event(w) for w in session.scalars(
        sa.select(WriteOff).where(WriteOff.party_id == pid, WriteOff.status != "rejected")))
    events.extend(_reminder_event(line) for line in session.scalars(
        sa.select(DunningLine).where(DunningLine.party_id == pid, DunningLine.status == "sent")))
    events.extend((a.occurred_at.date(), a.kind, a.text, "") for a in session.scalars(
        sa.select(Activity).where(Activity.party_id == pid, Activity.kind.in_(("call", "note")))))
    events.extend((p.made_on, "promise",
                   f"Promise to pay by {p.promised_on:%d %b %Y} ({p.status})",
                   _m(p.amount_minor, p.currency))
                  for p in session.scalars(sa.select(Promise).where(Promise.party_id == pid)))
    events.extend(_dispute_event(d) for d in session.scalars(
        sa.select(Dispute).where(Dispute.party_id == pid)))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def trail_csv(events: list[tuple[date, str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["date", "kind", "detail", "amount"])
    for day, kind, detail, amount in events:
        writer.writerow([day.isoformat(), kind, detail, amount])
    return buffer.getvalue()
