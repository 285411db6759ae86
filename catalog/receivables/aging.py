"""Aging of receivables as of any date, computed from the ledger alone.

An invoice's open amount as of a date is the sum of its receivable ledger lines dated on or before
it; it is placed in a bucket by days past its due date. Unapplied cash (a party's credit) is shown
beside the buckets so that the net position is right. One grouped query over the ledger does the
work, so the report stays fast with millions of ledger lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.finance.ledger import account_id
from catalog.finance.models import Invoice, LedgerLine
from catalog.parties.models import Party

DEFAULT_EDGES = (30, 60, 90)


def bucket_labels(edges: tuple[int, ...] = DEFAULT_EDGES) -> list[str]:
    """["Current", "1–30", "31–60", "61–90", "90+"] for the default edges."""
    labels = ["Current"]
    low = 1
    for edge in edges:
        labels.append(f"{low}–{edge}")
        low = edge + 1
    labels.append(f"{edges[-1]}+")
    return labels


def bucket_index(days_overdue: int, edges: tuple[int, ...] = DEFAULT_EDGES) -> int:
    """0 for current (not yet due or due today), then one bucket per edge, then the last."""
    if days_overdue <= 0:
        return 0
    for i, edge in enumerate(edges, start=1):
        if days_overdue <= edge:
            return i
    return len(edges) + 1


def parse_edges(text: str | None) -> tuple[int, ...]:
    """Parse "30,60,90" into increasing positive edges; the default when empty.

    Raises:
        ValueError: not increasing positive whole numbers.
    """
    if not text or not text.strip():
        return DEFAULT_EDGES
    try:
        edges = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise ValueError("Bucket edges are whole numbers of days, e.g. 30,60,90.") from None
    if not edges or any(e <= 0 for e in edges) or list(edges) != sorted(set(edges)):
        raise ValueError("Bucket edges must be increasing positive numbers of days, e.g. 30,60,90.")
    return edges


@dataclass
class AgedInvoice:
    invoice_id: int
    number: str
    party_id: int
    currency: str
    issue_date: date | None
    due_date: date | None
    open_minor: int
    days_overdue: int
    bucket: int


@dataclass
class AgedParty:
    party_id: int
    party_name: str
    currency: str
    buckets: list[int]
    unapplied_minor: int = 0
    invoices: list[AgedInvoice] = field(default_factory=list)

    @property
    def total_minor(self) -> int:
        return sum(self.buckets)

    @property
    def net_minor(self) -> int:
        return self.total_minor - self.unapplied_minor

    @property
    def overdue_minor(self) -> int:
        return sum(self.buckets[1:])


@dataclass
class AgingReport:
    as_of: date
    edges: tuple[int, ...]
    parties: list[AgedParty]

    @property
    def labels(self) -> list[str]:
        return bucket_labels(self.edges)

    def totals(self) -> dict[str, list[int]]:
        """Bucket totals (and unapplied, net) per currency."""
        result: dict[str, list[int]] = {}
        for party in self.parties:
            row = result.setdefault(party.currency, [0] * (len(self.edges) + 5))
            for i, amount in enumerate(party.buckets):
                row[i] += amount
            row[-3] += party.total_minor
            row[-2] += party.unapplied_minor
            row[-1] += party.net_minor
        return result


def open_items(
    session: Session, as_of: date, *, party_id: int | None = None
) -> list[tuple[int, int]]:
    """(invoice id, open amount) for every invoice with a receivable balance as of ``as_of``."""
    receivable = account_id(session, "receivable")
    query = (
        sa.select(LedgerLine.invoice_id, sa.func.sum(LedgerLine.amount_minor))
        .where(
            LedgerLine.account_id == receivable,
            LedgerLine.entry_date <= as_of,
            LedgerLine.invoice_id.is_not(None),
        )
        .group_by(LedgerLine.invoice_id)
        .having(sa.func.sum(LedgerLine.amount_minor) != 0)
    )
    if party_id is not None:
        query = query.where(LedgerLine.party_id == party_id)
    return [(int(i), int(a)) for i, a in session.execute(query)]


def unapplied_by_party(
    session: Session, as_of: date, *, party_id: int | None = None
) -> dict[tuple[int, str], int]:
    unapplied = account_id(session, "unapplied")
    query = (
        sa.select(LedgerLine.party_id, LedgerLine.currency, sa.func.sum(LedgerLine.amount_minor))
        .where(LedgerLine.account_id == unapplied, LedgerLine.entry_date <= as_of)
        .group_by(LedgerLine.party_id, LedgerLine.currency)
    )
    if party_id is not None:
        query = query.where(LedgerLine.party_id == party_id)
    return {(int(p), c): -int(a) for p, c, a in session.execute(query) if a}


def aging(
    session: Session,
    *,
    as_of: date,
    edges: tuple[int, ...] = DEFAULT_EDGES,
    party_id: int | None = None,
) -> AgingReport:
    """Aging as of ``as_of`` by party (with its invoices for drill-down)."""
    items = dict(open_items(session, as_of, party_id=party_id))
    invoices: dict[int, tuple[str, int, str, date | None, date | None]] = {}
    ids = list(items)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = session.execute(
            sa.select(
                Invoice.id,
                Invoice.number,
                Invoice.party_id,
                Invoice.currency,
                Invoice.issue_date,
                Invoice.due_date,
            ).where(Invoice.id.in_(chunk))
        )
        for inv_id, number, p_id, currency, issued, due in rows:
            invoices[inv_id] = (number or f"#{inv_id}", p_id, currency, issued, due)
    unapplied = unapplied_by_party(session, as_of, party_id=party_id)
    parties: dict[tuple[int, str], AgedParty] = {}
    width = len(edges) + 2
    for invoice_id, open_minor in items.items():
        number, p_id, currency, issued, due = invoices[invoice_id]
        days = (as_of - due).days if due else 0
        index = bucket_index(days, edges)
        aged = parties.setdefault((p_id, currency), AgedParty(p_id, "", currency, [0] * width))
        aged.buckets[index] += open_minor
        aged.invoices.append(
            AgedInvoice(invoice_id, number, p_id, currency, issued, due, open_minor, days, index)
        )
    for key, amount in unapplied.items():
        aged = parties.setdefault(key, AgedParty(key[0], "", key[1], [0] * width))
        aged.unapplied_minor = amount
    names: dict[int, str] = defaultdict(str)
    party_ids = list({p for p, _ in parties})
    for start in range(0, len(party_ids), 5000):
        chunk = party_ids[start : start + 5000]
        names.update(
            dict(session.execute(sa.select(Party.id, Party.name).where(Party.id.in_(chunk))).all())
        )
    for aged in parties.values():
        aged.party_name = names[aged.party_id]
        aged.invoices.sort(key=lambda i: (i.due_date or date.max, i.invoice_id))
    ordered = sorted(parties.values(), key=lambda a: (a.party_name.lower(), a.currency))
    return AgingReport(as_of, edges, ordered)
