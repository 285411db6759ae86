"""PDF documents of collections: formal reminder letters, the aging report and the account's
activity trail for an agency or a lawyer. A4, built with the finance module's PDF helpers."""

from __future__ import annotations

from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer
from sqlalchemy.orm import Session

from catalog.core.money import Money
from catalog.finance.pdf import _address_block, _build, _museum, _p, _table
from catalog.receivables.models import DunningLine


def _m(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def reminder_pdf(
    session: Session,
    line: DunningLine,
    still_open: list[tuple[Any, int]],
    *,
    museum_name: str,
    body: str,
) -> bytes:
    """A formal reminder letter listing every overdue item of the party."""

    def story() -> list[Any]:
        rows = [["Invoice", "Issued", "Due", "Days overdue", "Open"]]
        for item, open_now in still_open:
            invoice = item.invoice
            rows.append(
                [
                    invoice.number or "",
                    f"{invoice.issue_date:%d %b %Y}",
                    f"{invoice.due_date:%d %b %Y}",
                    str(max(item.days_overdue, 0)),
                    _m(open_now, line.currency),
                ]
            )
        total = sum(o for _, o in still_open)
        rows.append(["", "", "", "Total", _m(total, line.currency)])
        parts: list[Any] = [
            _p(museum_name, "Title"),
            *_address_block(line.party),
            Spacer(1, 8 * mm),
            _p(f"{line.run.as_of:%d %B %Y}"),
            Spacer(1, 4 * mm),
            _p(line.level.name, "Heading2"),
            _p(body),
            Spacer(1, 6 * mm),
            _table(rows, [35 * mm, 28 * mm, 28 * mm, 28 * mm, 45 * mm], 3),
        ]
        if line.fee_minor or line.interest_minor:
            parts += [
                Spacer(1, 4 * mm),
                _p(
                    "A separate invoice charges a reminder fee of "
                    f"{_m(line.fee_minor, line.currency)} and interest of "
                    f"{_m(line.interest_minor, line.currency)}."
                ),
            ]
        return parts

    return _build(f"Reminder {line.id}", story)


def letters_pdf(session: Session, lines: list[DunningLine], *, museum_name: str) -> bytes:
    """Every letter of a run in one PDF, one per page group, for printing and posting."""
    from catalog.finance.ledger import invoice_balance

    def story() -> list[Any]:
        parts: list[Any] = []
        for index, line in enumerate(lines):
            if index:
                parts.append(PageBreak())
            still_open = [(item, invoice_balance(session, item.invoice_id)) for item in line.items]
            rows = [["Invoice", "Due", "Open"]] + [
                [
                    item.invoice.number or "",
                    f"{item.invoice.due_date:%d %b %Y}",
                    _m(open_now, line.currency),
                ]
                for item, open_now in still_open
            ]
            parts += [
                _p(museum_name, "Title"),
                *_address_block(line.party),
                Spacer(1, 8 * mm),
                _p(f"{line.run.as_of:%d %B %Y}"),
                _p(line.level.name, "Heading2"),
                _p(
                    "The following amounts are overdue. Please pay them now, or contact us "
                    "if you believe they are not owed."
                ),
                Spacer(1, 4 * mm),
                _table(rows, [50 * mm, 40 * mm, 50 * mm], 2),
            ]
        return parts or [_p("No letters in this run.")]

    return _build("Reminder letters", story)


def aging_pdf(report: Any) -> bytes:
    def story() -> list[Any]:
        header = ["Party", "Cur.", *report.labels, "Unapplied", "Net"]
        def amount(minor: int, currency: str) -> str:
            return _m(minor, currency).split(" ", 1)[1]

        rows = [header]
        rows.extend(
            [party.party_name[:40], party.currency,
             *[amount(a, party.currency) for a in party.buckets],
             amount(party.unapplied_minor, party.currency), amount(party.net_minor, party.currency)]
            for party in report.parties
        )
        widths = [45 * mm, 12 * mm] + [18 * mm] * (len(report.labels) + 2)
        return [
            _p(f"{_museum()} — aged receivables as of {report.as_of:%d %B %Y}", "Heading2"),
            Spacer(1, 4 * mm),
            _table(rows, widths, 2),
        ]

    return _build(f"Aging {report.as_of}", story)


def trail_pdf(party: Any, events: list[tuple[date, str, str, str]], *, as_of: date) -> bytes:
    def story() -> list[Any]:
        rows = [["Date", "What", "Detail", "Amount"]]
        rows += [[f"{d:%d %b %Y}", kind, detail[:90], amount] for d, kind, detail, amount in events]
        return [
            _p(f"Account activity: {party.name}", "Heading2"),
            _p(f"Prepared {as_of:%d %B %Y} by {_museum()}"),
            Spacer(1, 4 * mm),
            _table(rows, [25 * mm, 25 * mm, 90 * mm, 30 * mm], 3),
        ]

    return _build(f"Activity trail {party.name}", story)
