"""The printable salvage list of a location (A4 PDF, reportlab)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from catalog.core.db import utcnow
from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject


def salvage_pdf(location: Location, rows: Sequence[tuple[CatalogueObject, Location]], *,
                museum: str = "") -> bytes:
    """Objects to save first at the top, with where exactly they are."""
    from catalog.locations.services import full_path

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=f"Salvage list {location.code}", author=museum)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [
        Paragraph(escape(f"Salvage list: {location.code} {location.name}"), styles["Title"]),
        Paragraph(escape(f"{museum} · {full_path(location)} · printed "
                         f"{utcnow():%d %b %Y %H:%M} UTC"), small),
        Spacer(1, 4 * mm),
    ]
    data = [["Priority", "Number", "Object", "Materials", "Where"]]
    for obj, loc in rows:
        data.append([
            str(obj.salvage_priority) if obj.salvage_priority else "–",
            Paragraph(escape(obj.object_number), small),
            Paragraph(escape((obj.title or obj.object_name or "")[:200]), small),
            Paragraph(escape((obj.materials or "")[:120]), small),
            Paragraph(escape(loc.code), small),
        ])
    if len(data) == 1:
        story.append(Paragraph("No objects are recorded here.", styles["BodyText"]))
    else:
        table = Table(data, colWidths=[16 * mm, 28 * mm, 70 * mm, 36 * mm, 30 * mm],
                      repeatRows=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
            ("FONT", (0, 1), (0, -1), "Helvetica-Bold", 11),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    doc.build(story)
    return buffer.getvalue()
