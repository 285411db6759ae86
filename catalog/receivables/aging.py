"""Aging of receivables as of any date, computed from the ledger alone.

An invoice's open amount as of a date is the sum of its receivable ledger lines dated on or before
it; it is placed in a bucket by days past its due date. Unapplied cash (a party's credit) is shown
beside the buckets so that the net position is right. One grouped query over the ledger does the
work, so the report stays fast with millions of ledger lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

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
    #: due date of the oldest open invoice
    oldest_due: date | None = None

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


def _bucket_case(as_of: date, edges: tuple[int, ...]) -> sa.ColumnElement[int]:
    """The bucket of an invoice from its due date, in SQL: thresholds are dates, so the same
    expression works on every database (no date arithmetic in SQL)."""
    due = sa.func.coalesce(Invoice.due_date, as_of)
    whens = [(due >= as_of, 0)]
    whens += [(due >= as_of - timedelta(days=edge), i) for i, edge in enumerate(edges, start=1)]
    return sa.case(*whens, else_=len(edges) + 1)


def aging(
    session: Session,
    *,
    as_of: date,
    edges: tuple[int, ...] = DEFAULT_EDGES,
    party_id: int | None = None,
    with_invoices: bool | None = None,
) -> AgingReport:
    """Aging as of ``as_of`` by party; with the invoices of each party for drill-down when
    ``with_invoices`` (by default: when the report is for one party).

    The by-party figures are one grouped query over the ledger; the drill-down adds one more.
    """
    if with_invoices is None:
        with_invoices = party_id is not None
    receivable = account_id(session, "receivable")
    open_q = (
        sa.select(
            LedgerLine.invoice_id.label("invoice_id"),
            sa.func.sum(LedgerLine.amount_minor).label("open_minor"),
        )
        .where(
            LedgerLine.account_id == receivable,
            LedgerLine.invoice_id.is_not(None),
            LedgerLine.entry_date <= as_of,
        )
        .group_by(LedgerLine.invoice_id)
        .having(sa.func.sum(LedgerLine.amount_minor) != 0)
    )
    if party_id is not None:
        open_q = open_q.where(LedgerLine.party_id == party_id)
    opened = open_q.subquery()
    bucket = _bucket_case(as_of, edges).label("bucket")
    width = len(edges) + 2
    parties: dict[tuple[int, str], AgedParty] = {}
    # Party names come in the same query: a separate look-up by id would send thousands of
    # parameters for a large ledger. Sums are cast back to integers (PostgreSQL sums bigints as
    # numeric).
    total = sa.cast(sa.func.sum(opened.c.open_minor), sa.BigInteger)
    totals = session.execute(
        sa.select(Invoice.party_id, Party.name, Invoice.currency, bucket, total,
                  sa.func.min(Invoice.due_date))
        .join(opened, opened.c.invoice_id == Invoice.id)
        .join(Party, Party.id == Invoice.party_id)
        .group_by(Invoice.party_id, Party.name, Invoice.currency, bucket)
    )
    names: dict[int, str] = {}
    for p_id, name, currency, index, amount, oldest in totals:
        names[p_id] = name
        aged = parties.setdefault((p_id, currency), AgedParty(p_id, name, currency, [0] * width))
        aged.buckets[int(index)] += int(amount)
        if oldest is not None and (aged.oldest_due is None or oldest < aged.oldest_due):
            aged.oldest_due = oldest
    if with_invoices:
        rows = session.execute(
            sa.select(Invoice.id, Invoice.number, Invoice.party_id, Invoice.currency,
                      Invoice.issue_date, Invoice.due_date, opened.c.open_minor, bucket)
            .join(opened, opened.c.invoice_id == Invoice.id)
            .order_by(Invoice.due_date, Invoice.id)
        )
        for inv_id, number, p_id, currency, issued, due, open_minor, index in rows:
            days = (as_of - due).days if due else 0
            parties[(p_id, currency)].invoices.append(AgedInvoice(
                inv_id, number or f"#{inv_id}", p_id, currency, issued, due, int(open_minor),
                days, int(index)))
    for key, amount in unapplied_by_party(session, as_of, party_id=party_id).items():
        aged = parties.setdefault(key, AgedParty(key[0], "", key[1], [0] * width))
        aged.unapplied_minor = amount
    missing = [p for p, _ in parties if p not in names]  # parties with unapplied cash only
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        names.update(dict(session.execute(
            sa.select(Party.id, Party.name).where(Party.id.in_(chunk))).all()))
    for aged in parties.values():
        aged.party_name = names.get(aged.party_id, "")
    ordered = sorted(parties.values(), key=lambda a: (a.party_name.lower(), a.currency))
    return AgingReport(as_of, edges, ordered)
