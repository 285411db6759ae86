"""Use cases for condition reports, photos and conservation treatments. Services never commit."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from catalog.conditions.models import (
    COMPLETENESS,
    CONDITIONS,
    CONTEXTS,
    OPEN_TREATMENT,
    PRIORITIES,
    ConditionArea,
    ConditionPhoto,
    ConditionReport,
    ConservationTreatment,
    PhotoAnnotation,
)
from catalog.core.db import utcnow
from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.objects.models import CatalogueObject

#: photo formats accepted (what Pillow reports) -> (extension, MIME type)
PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                 "WEBP": ("webp", "image/webp")}
MAX_PHOTO_BYTES = 25 * 1024 * 1024
#: a decompression bomb guard: no real camera exceeds this many pixels
MAX_PHOTO_PIXELS = 80_000_000
THUMBNAIL_SIZE = (400, 400)

REPORT_FIELDS = (
    "completeness_note", "hazards", "summary", "display_recommendation",
    "handling_recommendation", "storage_recommendation", "packing_recommendation",
)


def _require(actor: Any, permission: str) -> None:
    if actor is not None:
        check(actor, permission)


def create_report(
    session: Session,
    *,
    obj: CatalogueObject,
    context: str,
    examiner_name: str,
    examined_on: date,
    overall: str,
    actor: Any,
    completeness: str = "complete",
    priority: str = "low",
    next_check_on: date | None = None,
    loan: Any = None,
    areas: Sequence[tuple[str, str]] = (),
    **fields: Any,
) -> ConditionReport:
    """Record a condition report on ``obj``.

    Args:
        context: routine, loan_out, loan_return, entry or incident.
        overall: good, fair, poor or unstable.
        areas: (area, note) pairs, e.g. ("Frame / mount", "corner chip lower left").
        loan: the loan the check is for (loan_out before dispatch, loan_return on return).
    """
    _require(actor, "conditions.edit")
    if context not in CONTEXTS:
        raise ValidationError("Choose the context of the check.", field="context")
    if overall not in CONDITIONS:
        raise ValidationError("Choose the overall condition: good, fair, poor or unstable.",
                              field="overall")
    if completeness not in COMPLETENESS:
        raise ValidationError("Say whether the object is complete.", field="completeness")
    if priority not in PRIORITIES:
        raise ValidationError("Choose a priority.", field="priority")
    if not examiner_name.strip():
        raise ValidationError("Name the examiner.", field="examiner_name")
    today = date.today()  # noqa: DTZ011
    if examined_on > today:
        raise ValidationError("The examination date is in the future; enter the day the object "
                              "was examined.", field="examined_on")
    if next_check_on is not None and next_check_on < examined_on:
        raise ValidationError("The next check is before this one; enter a later date.",
                              field="next_check_on")
    if loan is not None and context not in ("loan_out", "loan_return"):
        raise ValidationError("A report for a loan is made before dispatch (loan out) or on "
                              "return (loan return).", field="context")
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown report fields: {', '.join(sorted(unknown))}.")
    report = ConditionReport(
        object=obj, context=context, examiner_id=getattr(actor, "id", None),
        examiner_name=examiner_name.strip(), examined_on=examined_on, overall=overall,
        completeness=completeness, priority=priority, next_check_on=next_check_on,
        loan_id=getattr(loan, "id", None), **fields,
    )  # fmt: skip
    for area, note in areas:
        if (note or "").strip():
            report.areas.append(ConditionArea(area=area.strip() or "Other", note=note.strip()))
    session.add(report)
    session.flush()
    return report


def get_report(session: Session, report_id: int) -> ConditionReport:
    report = session.get(ConditionReport, report_id)
    if report is None:
        raise NotFoundError("There is no such condition report.")
    return report


def latest_report(session: Session, obj: CatalogueObject) -> ConditionReport | None:
    """The most recent report on ``obj`` (by examination date, then entry order)."""
    return session.scalar(
        sa.select(ConditionReport).where(ConditionReport.object_id == obj.id)
        .order_by(ConditionReport.examined_on.desc(), ConditionReport.id.desc()).limit(1))


def reports_for_object(session: Session, obj: CatalogueObject) -> list[ConditionReport]:
    return list(session.scalars(
        sa.select(ConditionReport).where(ConditionReport.object_id == obj.id)
        .order_by(ConditionReport.examined_on.desc(), ConditionReport.id.desc())))


def reports_due(session: Session, *, as_of: date, within_days: int = 30) -> list[ConditionReport]:
    """Latest reports per object whose next check falls on or before ``as_of + within_days``."""
    # The latest report per object by examination date (a back-dated report entered later
    # does not hide a more recent one).
    ranked = sa.select(
        ConditionReport.id.label("report_id"),
        sa.func.row_number().over(
            partition_by=ConditionReport.object_id,
            order_by=(ConditionReport.examined_on.desc(), ConditionReport.id.desc()),
        ).label("rank"),
    ).subquery()
    horizon = as_of + timedelta(days=within_days)
    return list(session.scalars(
        sa.select(ConditionReport).join(ranked, ranked.c.report_id == ConditionReport.id)
        .where(ranked.c.rank == 1, ConditionReport.next_check_on.is_not(None),
               ConditionReport.next_check_on <= horizon)
        .order_by(ConditionReport.next_check_on)))


def loan_comparison(session: Session, loan: Any) -> list[dict[str, Any]]:
    """For each object of a loan: its outgoing and returning reports, side by side."""
    rows = []
    for lo in loan.loan_objects:
        reports = list(session.scalars(
            sa.select(ConditionReport).where(ConditionReport.object_id == lo.object_id,
                                             ConditionReport.loan_id == loan.id)
            .order_by(ConditionReport.examined_on, ConditionReport.id)))
        outgoing = next((r for r in reversed(reports) if r.context == "loan_out"), None)
        returning = next((r for r in reversed(reports) if r.context == "loan_return"), None)
        order = list(CONDITIONS)
        worse = (outgoing is not None and returning is not None
                 and order.index(returning.overall) > order.index(outgoing.overall))
        rows.append({"loan_object": lo, "outgoing": outgoing, "returning": returning,
                     "worse": worse})
    return rows


# Photos ------------------------------------------------------------------------------------

def media_root(media_dir: str) -> Path:
    return Path(media_dir) / "conditions"


def add_photo(
    session: Session,
    *,
    stream: IO[bytes],
    media_dir: str,
    actor: Any,
    report: ConditionReport | None = None,
    treatment: ConservationTreatment | None = None,
    kind: str = "general",
    caption: str | None = None,
) -> ConditionPhoto:
    """Check an uploaded image with Pillow, store it with a thumbnail, attach it.

    Raises:
        ValidationError: not an image we accept, too large, or truncated.
    """
    _require(actor, "conditions.edit")
    if report is None and treatment is None:
        raise ValidationError("A photo belongs to a condition report or a treatment.")
    if kind not in ("general", "detail", "before", "after"):
        raise ValidationError("Choose what the photo shows.", field="kind")
    data = stream.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError("The photo is larger than 25 MB; export a smaller JPEG.",
                              field="photo")
    if not data:
        raise ValidationError("Choose a photo to upload.", field="photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            probe.verify()
        too_big = width * height > MAX_PHOTO_PIXELS
        if not too_big:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image.thumbnail(THUMBNAIL_SIZE)
                thumb = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ValidationError("This file is not a photo we can read (JPEG, PNG or WebP); it may "
                              "be damaged.", field="photo") from exc
    if too_big:
        raise ValidationError("The photo has too many pixels; resize it first.", field="photo")
    if fmt not in PHOTO_FORMATS:
        raise ValidationError(f"{fmt or 'This'} images are not accepted; upload a JPEG, PNG or "
                              "WebP.", field="photo")
    extension, content_type = PHOTO_FORMATS[fmt]
    root = media_root(media_dir)
    root.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    filename, thumbnail = f"{stem}.{extension}", f"{stem}.thumb.jpg"
    (root / filename).write_bytes(data)
    thumb.save(root / thumbnail, "JPEG", quality=82)
    photo = ConditionPhoto(
        report=report, treatment=treatment, kind=kind, filename=filename, thumbnail=thumbnail,
        content_type=content_type, width=width, height=height, caption=caption,
        uploaded_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    session.add(photo)
    session.flush()
    return photo


def annotate_photo(session: Session, photo: ConditionPhoto, *, x: int, y: int, note: str,
                   actor: Any) -> PhotoAnnotation:
    """Put a numbered mark on a photo at (x, y) thousandths of its width and height."""
    _require(actor, "conditions.edit")
    if not (0 <= x <= 1000 and 0 <= y <= 1000):
        raise ValidationError("The mark is outside the photo; tap on the photo to place it.",
                              field="x")
    if not note.strip():
        raise ValidationError("Say what the mark shows (e.g. “crack 3 cm”).", field="note")
    annotation = PhotoAnnotation(photo=photo, x=x, y=y, note=note.strip(),
                                 created_by_id=getattr(actor, "id", None))
    session.add(annotation)
    session.flush()
    return annotation


# Conservation ------------------------------------------------------------------------------

def open_treatment(session: Session, obj: CatalogueObject) -> ConservationTreatment | None:
    """A proposed, approved or running treatment of ``obj``: the object is in conservation."""
    return session.scalar(
        sa.select(ConservationTreatment)
        .where(ConservationTreatment.object_id == obj.id,
               ConservationTreatment.status.in_(OPEN_TREATMENT))
        .order_by(ConservationTreatment.id.desc()).limit(1))


def propose_treatment(session: Session, *, obj: CatalogueObject, proposal: str, actor: Any,
                      report: ConditionReport | None = None,
                      conservator_name: str | None = None) -> ConservationTreatment:
    """Propose a conservation treatment of ``obj``."""
    _require(actor, "conditions.edit")
    if not proposal.strip():
        raise ValidationError("Describe the proposed treatment.", field="proposal")
    if obj.status == "deaccessioned":
        raise ValidationError(f"{obj.object_number} has been deaccessioned.")
    treatment = ConservationTreatment(
        object=obj, proposal=proposal.strip(), proposed_by_id=getattr(actor, "id", None),
        proposed_on=date.today(), report_id=getattr(report, "id", None),  # noqa: DTZ011
        conservator_name=conservator_name, status="proposed")
    session.add(treatment)
    session.flush()
    return treatment


def advance_treatment(session: Session, treatment: ConservationTreatment, action: str, *,
                      actor: Any, on: date | None = None) -> ConservationTreatment:
    """approve, start, complete or cancel a treatment (in that order)."""
    _require(actor, "conditions.edit")
    on = on or date.today()  # noqa: DTZ011
    if action == "complete" and not (treatment.treatment_record or "").strip():
        raise ValidationError("Write the treatment record before completing the treatment.",
                              field="treatment_record")
    if action == "complete" and treatment.started_on and on < treatment.started_on:
        raise ValidationError("The completion date is before the start; check the dates.")
    treatment.transition(action)
    if action == "approve":
        treatment.approved_by_id = getattr(actor, "id", None)
        treatment.approved_at = utcnow()
    elif action == "start":
        treatment.started_on = on
    elif action == "complete":
        treatment.completed_on = on
    session.flush()
    return treatment


def record_treatment(session: Session, treatment: ConservationTreatment, *,
                     treatment_record: str | None, materials_used: str | None,
                     conservator_name: str | None, actor: Any) -> ConservationTreatment:
    """Write what was done and with which materials."""
    _require(actor, "conditions.edit")
    if treatment.status in ("completed", "cancelled"):
        raise ValidationError("This treatment is closed; propose a new treatment instead.")
    treatment.treatment_record = treatment_record
    treatment.materials_used = materials_used
    treatment.conservator_name = conservator_name
    session.flush()
    return treatment


def get_treatment(session: Session, treatment_id: int) -> ConservationTreatment:
    treatment = session.get(ConservationTreatment, treatment_id)
    if treatment is None:
        raise NotFoundError("There is no such treatment.")
    return treatment
