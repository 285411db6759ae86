"""Condition reports (condition checking) and conservation treatments, with photos."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.core.errors import InvalidTransition
from catalog.objects.models import CatalogueObject

if TYPE_CHECKING:
    from catalog.loans.models import Loan
    from catalog.users.models import User

CONTEXTS = {
    "routine": "Routine check",
    "loan_out": "Loan out (before dispatch)",
    "loan_return": "Loan return",
    "entry": "Object entry",
    "incident": "Incident",
}
CONDITIONS = {"good": "Good", "fair": "Fair", "poor": "Poor", "unstable": "Unstable"}
#: conditions that are a problem: an object in this state should not travel
PROBLEM_CONDITIONS = ("poor", "unstable")
PRIORITIES = {"low": "Low", "medium": "Medium", "high": "High", "urgent": "Urgent"}
COMPLETENESS = {"complete": "Complete", "incomplete": "Incomplete", "unknown": "Not checked"}
AREAS = ["Front / recto", "Back / verso", "Frame / mount", "Support", "Surface", "Edges", "Other"]

TREATMENT_STATUSES = {
    "proposed": "Proposed",
    "approved": "Approved",
    "in_progress": "In treatment",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
#: treatments that keep an object in conservation (not available for loan)
OPEN_TREATMENT = ("proposed", "approved", "in_progress")
_TREATMENT_STEPS = {
    "approve": (("proposed",), "approved"),
    "start": (("approved",), "in_progress"),
    "complete": (("in_progress",), "completed"),
    "cancel": (("proposed", "approved", "in_progress"), "cancelled"),
}
_TREATMENT_HINT = {
    "proposed": "approve the proposal first",
    "approved": "start the treatment first",
    "in_progress": "record the treatment and complete it",
    "completed": "the treatment is complete",
    "cancelled": "the treatment was cancelled; propose a new one",
}


class ConditionReport(Audited, TimestampMixin, Base):
    """The condition of one object on one date, as seen by an examiner."""

    __tablename__ = "condition_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    #: routine, loan_out, loan_return, entry, incident
    context: Mapped[str] = mapped_column(sa.String(16))
    #: the loan this check was made for (before dispatch or on return)
    loan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    examiner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: the examiner's name as written (may be an external conservator or courier)
    examiner_name: Mapped[str] = mapped_column(sa.String(200))
    examined_on: Mapped[date]
    #: good, fair, poor, unstable
    overall: Mapped[str] = mapped_column(sa.String(10))
    completeness: Mapped[str] = mapped_column(sa.String(12), default="complete")
    completeness_note: Mapped[str | None] = mapped_column(sa.Text)
    hazards: Mapped[str | None] = mapped_column(sa.Text)
    summary: Mapped[str | None] = mapped_column(sa.Text)
    display_recommendation: Mapped[str | None] = mapped_column(sa.Text)
    handling_recommendation: Mapped[str | None] = mapped_column(sa.Text)
    storage_recommendation: Mapped[str | None] = mapped_column(sa.Text)
    packing_recommendation: Mapped[str | None] = mapped_column(sa.Text)
    #: how urgently the recommendations should be acted on
    priority: Mapped[str] = mapped_column(sa.String(8), default="low")
    next_check_on: Mapped[date | None] = mapped_column(index=True)

    object: Mapped[CatalogueObject] = relationship(lazy="joined")
    loan: Mapped[Loan | None] = relationship()
    examiner: Mapped[User | None] = relationship()
    areas: Mapped[list[ConditionArea]] = relationship(back_populates="report",
                                                      order_by="ConditionArea.id",
                                                      cascade="all, delete-orphan")
    photos: Mapped[list[ConditionPhoto]] = relationship(
        back_populates="report", order_by="ConditionPhoto.id",
        primaryjoin="ConditionReport.id == ConditionPhoto.report_id")

    __table_args__ = (sa.Index("ix_condition_reports_object_date", "object_id", "examined_on"),)

    @property
    def is_problem(self) -> bool:
        return self.overall in PROBLEM_CONDITIONS

    def __repr__(self) -> str:
        return f"<ConditionReport {self.id} object={self.object_id} {self.overall}>"


class ConditionArea(Audited, Base):
    """Notes on one area of the object (front, back, frame …) within a report."""

    __tablename__ = "condition_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("condition_reports.id"), index=True)
    area: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str] = mapped_column(sa.Text)

    report: Mapped[ConditionReport] = relationship(back_populates="areas")


class ConservationTreatment(Audited, TimestampMixin, Base):
    """A conservation treatment: proposal, approval, treatment record, materials used."""

    __tablename__ = "conservation_treatments"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    #: the condition report that prompted the treatment
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("condition_reports.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default="proposed", index=True)
    proposal: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    proposed_on: Mapped[date]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    conservator_name: Mapped[str | None] = mapped_column(sa.String(200))
    started_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    #: what was done, step by step
    treatment_record: Mapped[str | None] = mapped_column(sa.Text)
    #: materials and products used (with batch numbers where known)
    materials_used: Mapped[str | None] = mapped_column(sa.Text)

    object: Mapped[CatalogueObject] = relationship(lazy="joined")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    photos: Mapped[list[ConditionPhoto]] = relationship(
        back_populates="treatment", order_by="ConditionPhoto.id",
        primaryjoin="ConservationTreatment.id == ConditionPhoto.treatment_id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TREATMENT

    def transition(self, action: str) -> None:
        """Move the treatment on; InvalidTransition says what to do instead."""
        sources, target = _TREATMENT_STEPS.get(action, ((), ""))
        if not target:
            raise InvalidTransition(f"“{action}” is not a step of a conservation treatment.")
        if self.status not in sources:
            raise InvalidTransition(
                f"This treatment is {TREATMENT_STATUSES[self.status].lower()}: "
                f"{_TREATMENT_HINT[self.status]}.")
        self.status = target

    def __repr__(self) -> str:
        return f"<ConservationTreatment {self.id} object={self.object_id} {self.status}>"


class ConditionPhoto(Audited, Base):
    """A photo attached to a condition report or a treatment (before / after)."""

    __tablename__ = "condition_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("condition_reports.id"),
                                                  index=True)
    treatment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conservation_treatments.id"), index=True)
    #: general, detail, before, after
    kind: Mapped[str] = mapped_column(sa.String(8), default="general")
    #: file name under MEDIA_DIR/conditions/ (random, never the uploader's name)
    filename: Mapped[str] = mapped_column(sa.String(100), unique=True)
    thumbnail: Mapped[str] = mapped_column(sa.String(100))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int]
    height: Mapped[int]
    caption: Mapped[str | None] = mapped_column(sa.String(300))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[ConditionReport | None] = relationship(back_populates="photos",
                                                          foreign_keys=[report_id])
    treatment: Mapped[ConservationTreatment | None] = relationship(
        back_populates="photos", foreign_keys=[treatment_id])

    annotations: Mapped[list[PhotoAnnotation]] = relationship(
        back_populates="photo", order_by="PhotoAnnotation.id", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("report_id IS NOT NULL OR treatment_id IS NOT NULL",
                           name="attached"),
    )


class PhotoAnnotation(Audited, Base):
    """A numbered mark on a condition photo (a crack, a loss) with what it shows."""

    __tablename__ = "condition_photo_annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(sa.ForeignKey("condition_photos.id"), index=True)
    #: position from the left and from the top, in thousandths of the photo's width / height
    x: Mapped[int]
    y: Mapped[int]
    note: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    photo: Mapped[ConditionPhoto] = relationship(back_populates="annotations")

    __table_args__ = (
        sa.CheckConstraint("x BETWEEN 0 AND 1000 AND y BETWEEN 0 AND 1000", name="on_photo"),
    )

    @property
    def left(self) -> int:
        """Position class step (quarter percent) for conditions.css."""
        return round(self.x * 400 / 1000)

    @property
    def top(self) -> int:
        return round(self.y * 400 / 1000)
