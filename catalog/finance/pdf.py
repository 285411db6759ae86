"""PDF documents on A4: invoices, credit notes, statements of account, gift acknowledgements."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from flask import current_app, has_app_context
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from catalog.core.money import Money
from catalog.finance.ledger import invoice_balance

_STYLES = getSampleStyleSheet()


def _museum() -> str:
    return current_app.config.get("MUSEUM_NAME", "The Museum") if has_app_context() else "Museum"


def _m(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def _build(title: str, story: Callable[[], list]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=_museum(),
                            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm)
    doc.build(story())
    return buffer.getvalue()


def _p(text: str, style: str = "Normal") -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(text).replace("\n", "<br/>"), _STYLES[style])


def _table(rows: list[list[str]], widths: list[float], numeric_from: int) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]))
    return table


def _address_block(party: object) -> list:
    lines = [getattr(party, "name", "")]
    if getattr(party, "address", None):
        lines.append(party.address)  # type: ignore[attr-defined]
    return [_p("\n".join(lines)), Spacer(1, 8 * mm)]


def invoice_pdf(session: Session, invoice: object) -> bytes:
    """The invoice as issued, with what is still open on it."""
    from catalog.finance.models import Invoice

    assert isinstance(invoice, Invoice)
    cur = invoice.currency

    def story() -> list:
        items: list = [_p(_museum(), "Title"), Spacer(1, 4 * mm)]
        items += _address_block(invoice.party)
        items.append(_p(f"Invoice {invoice.label}", "Heading1"))
        items.append(_p(f"Kind: {invoice.kind_label}"
                        + (f"\nReference: {invoice.reference}" if invoice.reference else "")
                        + (f"\nIssued: {invoice.issue_date:%d %B %Y}" if invoice.issue_date else "")
                        + (f"\nDue: {invoice.due_date:%d %B %Y}" if invoice.due_date else "")))
        items.append(Spacer(1, 6 * mm))
        rows = [["Description", "Quantity", "Unit price", "Tax", "Net"]]
        rows.extend([Paragraph(line.description, _STYLES["Normal"]),
                     f"{line.quantity.normalize():f}", _m(line.unit_price_minor, cur),
                     f"{line.tax_rate_bp / 100:g} %", _m(line.net_minor, cur)]
                    for line in invoice.lines)
        rows += [["", "", "", "Net", _m(invoice.net_minor, cur)],
                 ["", "", "", "Tax", _m(invoice.tax_minor, cur)],
                 ["", "", "", "Total", _m(invoice.total_minor, cur)]]
        if invoice.status != "draft":
            rows.append(["", "", "", "Open", _m(invoice_balance(session, invoice.id), cur)])
        items.append(_table(rows, [70 * mm, 20 * mm, 28 * mm, 20 * mm, 32 * mm], 1))
        items.append(Spacer(1, 8 * mm))
        if invoice.credit_notes:
            items.append(_p("Credit notes", "Heading2"))
            items.append(_table([["Credit note", "Date", "Reason", "Amount"]] + [
                [cn.number, f"{cn.issue_date:%d %b %Y}", Paragraph(cn.reason, _STYLES["Normal"]),
                 _m(cn.total_minor, cur)] for cn in invoice.credit_notes],
                [30 * mm, 26 * mm, 80 * mm, 34 * mm], 3))
            items.append(Spacer(1, 8 * mm))
        if invoice.number:
            items.append(_p(f"Please quote {invoice.number} with your payment."))
        return items

    return _build(f"Invoice {invoice.label}", story)


def statement_pdf(session: Session, party: object, *, currency: str, as_of: date) -> bytes:
    """Statement of account: every posting on the party's account up to ``as_of``."""
    from catalog.finance.services import statement_rows

    rows_data = statement_rows(session, party.id, currency, as_of=as_of)  # type: ignore[attr-defined]

    def story() -> list:
        items: list = [_p(_museum(), "Title"), Spacer(1, 4 * mm)]
        items += _address_block(party)
        items.append(_p(f"Statement of account in {currency} as of {as_of:%d %B %Y}", "Heading1"))
        rows = [["Date", "Details", "Debit", "Credit", "Balance"]]
        rows.extend([f"{row.entry_date:%d %b %Y}", Paragraph(row.memo, _STYLES["Normal"]),
                     _m(row.debit_minor, currency) if row.debit_minor else "",
                     _m(row.credit_minor, currency) if row.credit_minor else "",
                     _m(row.balance_minor, currency)] for row in rows_data)
        balance = rows_data[-1].balance_minor if rows_data else 0
        items.append(_table(rows, [24 * mm, 66 * mm, 26 * mm, 26 * mm, 28 * mm], 2))
        items.append(Spacer(1, 6 * mm))
        word = "owed to the museum" if balance >= 0 else "in your favour"
        items.append(_p(f"Balance {word}: {_m(abs(balance), currency)}", "Heading2"))
        return items

    return _build("Statement of account", story)


def gift_acknowledgement_pdf(session: Session, pledge: object, *, invoice: object | None = None
                             ) -> bytes:
    """A letter thanking the donor for what they have given towards a pledge."""
    from catalog.finance.services import pledge_paid_minor, today

    paid = pledge_paid_minor(session, pledge)  # type: ignore[arg-type]
    cur = pledge.currency  # type: ignore[attr-defined]

    def story() -> list:
        items: list = [_p(_museum(), "Title"), Spacer(1, 4 * mm)]
        items += _address_block(pledge.party)  # type: ignore[attr-defined]
        items.append(_p(f"{today():%d %B %Y}"))
        items.append(Spacer(1, 6 * mm))
        items.append(_p(f"Dear {pledge.party.name},"))  # type: ignore[attr-defined]
        items.append(Spacer(1, 4 * mm))
        gift = ""
        if invoice is not None:
            gift = (f"We gratefully acknowledge your gift of "
                    f"{_m(invoice.total_minor, cur)} ({invoice.number}). ")  # type: ignore[attr-defined]
        items.append(_p(
            f"{gift}Towards your pledge of {_m(pledge.total_minor, cur)} for "  # type: ignore[attr-defined]
            f"{pledge.purpose}, made on {pledge.pledged_on:%d %B %Y}, you have now given "  # type: ignore[attr-defined]
            f"{_m(paid, cur)}. No goods or services were provided in return for this gift."))
        items.append(Spacer(1, 6 * mm))
        items.append(_p("With our warmest thanks,\n\n" + _museum()))
        return items

    return _build("Gift acknowledgement", story)
