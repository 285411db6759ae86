"""A condition report as an A4 PDF (reportlab), with its photos, to travel with the object."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from catalog.conditions.models import (
    COMPLETENESS,
    CONDITIONS,
    CONTEXTS,
    PRIORITIES,
    ConditionReport,
)

_STYLES = getSampleStyleSheet()


def _p(text: Any, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), _STYLES[style])


def report_pdf(report: ConditionReport, *, museum: str, media_root: Path) -> bytes:
    """The report's facts, area notes, recommendations and photo thumbnails."""
    obj = report.object
    rows = [
        ["Object", _p(f"{obj.object_number} {obj.title or ''}")],
        ["Context", CONTEXTS.get(report.context, report.context)],
        ["Examined", f"{report.examined_on:%d %b %Y} by {report.examiner_name}"],
        ["Overall condition", CONDITIONS.get(report.overall, report.overall)],
        ["Completeness", _p(f"{COMPLETENESS.get(report.completeness, '')} "
                            f"{report.completeness_note or ''}")],
        ["Hazards", _p(report.hazards or "none noted")],
        ["Priority", PRIORITIES.get(report.priority, report.priority)],
        ["Next check", f"{report.next_check_on:%d %b %Y}" if report.next_check_on else ""],
    ]
    if report.loan is not None:
        rows.insert(2, ["Loan", f"{report.loan.number} ({report.loan.party.name})"])
    facts = Table(rows, colWidths=[40 * mm, 134 * mm])
    facts.setStyle(TableStyle([("FONT", (0, 0), (0, -1), "Helvetica-Bold", 9),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [_p(f"Condition report — {obj.object_number}", "Heading1"), facts,
                        _p("Summary", "Heading2"), _p(report.summary or "")]
    if report.areas:
        story.append(_p("Notes per area", "Heading2"))
        story += [Paragraph(f"<b>{escape(a.area)}.</b> {escape(a.note)}", _STYLES["BodyText"])
                  for a in report.areas]
    story.append(_p("Recommendations", "Heading2"))
    for label, text in (("Display", report.display_recommendation),
                        ("Handling", report.handling_recommendation),
                        ("Storage", report.storage_recommendation),
                        ("Packing", report.packing_recommendation)):
        if text:
            story.append(Paragraph(f"<b>{label}.</b> {escape(text)}", _STYLES["BodyText"]))
    photos = [p for p in report.photos if (media_root / p.thumbnail).is_file()]
    if photos:
        story.append(_p("Photos", "Heading2"))
        for photo in photos:
            ratio = photo.height / photo.width if photo.width else 1
            width = 70 * mm
            story += [Image(str(media_root / photo.thumbnail), width=width,
                            height=min(width * ratio, 90 * mm)),
                      _p(f"{photo.kind}: {photo.caption or ''}"), Spacer(1, 3 * mm)]
    story += [Spacer(1, 10 * mm), _p("Signature of examiner: ______________________  "
                                     "Date: ____________")]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                      topMargin=18 * mm, bottomMargin=18 * mm,
                      title=f"Condition report {obj.object_number}", author=museum).build(story)
    return buffer.getvalue()
