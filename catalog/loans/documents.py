"""Loan documents as A4 PDFs (reportlab): agreement, object list, receipts, courier instructions.

Insurance values are printed only when ``show_values`` is true (the caller checks
valuations.view): a PDF must not leak what the page hides.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from catalog.loans.models import Loan

_STYLES = getSampleStyleSheet()
_BODY = _STYLES["BodyText"]
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=10)
_H1 = _STYLES["Heading1"]
_H2 = _STYLES["Heading2"]


def _p(text: Any, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _build(title: str, story: list[Any], museum: str) -> bytes:
    buffer = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"{museum} · {title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=title, author=museum)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _facts(loan: Loan) -> Table:
    rows = [
        ["Loan", loan.number],
        [loan.party_role_label, loan.party.name],
        ["Exhibition", loan.exhibition_title or ""],
        ["Purpose", loan.purpose or ""],
        ["Loan period", f"{loan.start_date:%d %b %Y} – {loan.end_date:%d %b %Y}"],
        ["Return due", f"{loan.return_due:%d %b %Y}"],
        ["Credit line", _p(loan.credit_line)],
    ]
    if loan.fee is not None:
        rows.append(["Loan fee", str(loan.fee)])
    table = Table(rows, colWidths=[40 * mm, 134 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (0, -1), "Helvetica-Bold", 9),
                               ("FONT", (1, 0), (1, -1), "Helvetica", 9),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _object_rows(loan: Loan, show_values: bool) -> list[list[Any]]:
    header = ["No.", "Object", "Title / description", "Dimensions"]
    if show_values:
        header.append("Insurance value")
    rows: list[list[Any]] = [header]
    for lo in loan.loan_objects:
        obj = lo.object
        row = [obj.object_number, _p(obj.object_name, _SMALL), _p(obj.title, _SMALL),
               _p(obj.dimensions_display, _SMALL)]
        if show_values:
            row.append(str(lo.insurance_value or "—"))
        rows.append(row)
    return rows


def _venues(loan: Loan) -> list[Any]:
    story: list[Any] = []
    for venue in loan.venues:
        env = []
        if venue.temp_min is not None:
            env.append(f"{venue.temp_min}–{venue.temp_max} °C")
        if venue.rh_min is not None:
            env.append(f"{venue.rh_min}–{venue.rh_max} % RH")
        if venue.lux_max is not None:
            env.append(f"≤ {venue.lux_max} lux")
        dates = ""
        if venue.start_date and venue.end_date:
            dates = f" ({venue.start_date:%d %b %Y} – {venue.end_date:%d %b %Y})"
        story.append(_p(f"{venue.name}{dates}. {venue.address or ''} "
                        f"Stated environment: {', '.join(env) or 'not stated'}."))
    return story


def _conditions(loan: Loan) -> list[Any]:
    story: list[Any] = []
    for label, text in (("Environment", loan.environment_conditions),
                        ("Display", loan.display_conditions),
                        ("Handling", loan.handling_conditions),
                        ("Courier", loan.courier_conditions),
                        ("Transport", loan.transport_conditions)):
        if text:
            story.append(Paragraph(f"<b>{label}.</b> {escape(text)}", _BODY))
    return story or [_p("No special conditions.")]


def agreement_pdf(loan: Loan, *, museum: str, show_values: bool, totals: Iterable[Any]) -> bytes:
    """The loan agreement: parties, period, venues, conditions, cover, objects, signatures."""
    lender, borrower = (museum, loan.party.name) if loan.is_out else (loan.party.name, museum)
    story: list[Any] = [
        _p(f"Loan agreement {loan.number}", _H1),
        _p(f"Between {lender} (the lender) and {borrower} (the borrower)."),
        Spacer(1, 4 * mm), _facts(loan),
        _p("Venues", _H2), *(_venues(loan) or [_p("No venue recorded.")]),
        _p("Special conditions", _H2), *_conditions(loan),
        _p("Insurance or indemnity", _H2),
    ]
    cover = {"insurance": "Insurance", "indemnity": "Government indemnity",
             "none": "No cover"}.get(loan.cover_kind, loan.cover_kind)
    policy = loan.insurance_policy
    if policy is not None:
        cover += f", policy {policy.policy_number}"
        if policy.insurer is not None:
            cover += f" with {policy.insurer.name}"
    story.append(_p(cover + ". " + (loan.cover_note or "")))
    if show_values:
        sums = ", ".join(str(t) for t in totals) or "no values recorded"
        story.append(_p(f"Total insured value: {sums}. The borrower insures nail to nail."))
    story += [_p("Objects", _H2), _table(_object_rows(loan, show_values))]
    story += [Spacer(1, 12 * mm), _table([
        ["For the lender", "For the borrower"],
        ["Name:\n\nSignature:\n\nDate:", "Name:\n\nSignature:\n\nDate:"],
    ], [87 * mm, 87 * mm])]
    return _build(f"Loan agreement {loan.number}", story, museum)


def object_list_pdf(loan: Loan, *, museum: str, show_values: bool,
                    totals: Iterable[Any]) -> bytes:
    """The list of objects in the loan, with insurance values for those allowed to see them."""
    story: list[Any] = [_p(f"Objects in loan {loan.number}", _H1), _facts(loan),
                        Spacer(1, 4 * mm), _table(_object_rows(loan, show_values))]
    if show_values:
        sums = ", ".join(str(t) for t in totals) or "no values recorded"
        story.append(_p(f"Total insured value: {sums}"))
    return _build(f"Object list {loan.number}", story, museum)


def receipt_pdf(loan: Loan, *, museum: str, incoming: bool, on: date | None = None) -> bytes:
    """A receipt for objects handed over: incoming (we receive) or outgoing (we release)."""
    kind = "Incoming receipt" if incoming else "Outgoing receipt"
    if incoming:
        giver, taker = (loan.party.name, museum)
    else:
        giver, taker = (museum, loan.party.name)
    story: list[Any] = [
        _p(f"{kind} — loan {loan.number}", _H1),
        _p(f"{taker} acknowledges receipt from {giver} of the objects listed below, in the "
           "condition described in the accompanying condition reports."),
        Spacer(1, 4 * mm), _facts(loan), Spacer(1, 4 * mm),
        _table(_object_rows(loan, False)),
        Spacer(1, 12 * mm),
        _table([["Released by", "Received by"],
                [f"{giver}\nName:\n\nSignature:\n\nDate: {on or ''}",
                 f"{taker}\nName:\n\nSignature:\n\nDate: {on or ''}"]],
               [87 * mm, 87 * mm]),
    ]
    return _build(f"{kind} {loan.number}", story, museum)


def courier_pdf(loan: Loan, *, museum: str) -> bytes:
    """Instructions for the courier: route, handling, packing and the objects to accompany."""
    story: list[Any] = [
        _p(f"Courier instructions — loan {loan.number}", _H1), _facts(loan),
        _p("Venues", _H2), *(_venues(loan) or [_p("No venue recorded.")]),
        _p("Courier and transport", _H2),
        _p(loan.courier_conditions or "No courier requirements recorded."),
        _p(loan.transport_conditions or "No transport requirements recorded."),
        _p("Handling", _H2), _p(loan.handling_conditions or "Handle with gloves; two people "
                                "for framed works; keep crates upright."),
        _p("Environment on arrival", _H2),
        _p(loan.environment_conditions or "Allow crates to acclimatise 24 hours before "
           "unpacking."),
        _p("Objects to accompany", _H2), _table(_object_rows(loan, False)),
    ]
    return _build(f"Courier instructions {loan.number}", story, museum)
