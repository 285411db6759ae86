"""SPECTRUM procedures that are records of their own, each with its own number, linked to objects:
object entry, acquisition & accessioning, deaccession & disposal."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin

if TYPE_CHECKING:
    from catalog.objects.models import CatalogueObject
    from catalog.parties.models import Party

#: why objects came in (SPECTRUM object entry reason)
ENTRY_REASONS = {
    "acquisition": "Possible acquisition",
    "loan_in": "Loan in",
    "enquiry": "Enquiry / identification",
    "commercial": "Commercial use (photography, research)",
    "other": "Other",
}

ACQUISITION_METHODS = {
    "gift": "Gift",
    "purchase": "Purchase",
    "bequest": "Bequest",
    "transfer": "Transfer",
    "field_collection": "Field collection",
}

DISPOSAL_METHODS = {
    "transfer": "Transfer to another museum",
    "sale": "Sale",
    "exchange": "Exchange",
    "return": "Return to owner or repatriation",
    "destruction": "Destruction (unfit for use)",
    "recycling": "Recycling",
}

object_entry_objects = sa.Table(
    "object_entry_objects",
    Base.metadata,
    sa.Column("entry_id", sa.ForeignKey("object_entries.id"), primary_key=True),
    sa.Column("object_id", sa.ForeignKey("objects.id"), primary_key=True, index=True),
)

acquisition_objects = sa.Table(
    "acquisition_objects",
    Base.metadata,
    sa.Column("acquisition_id", sa.ForeignKey("acquisitions.id"), primary_key=True),
    sa.Column("object_id", sa.ForeignKey("objects.id"), primary_key=True, index=True),
)

deaccession_objects = sa.Table(
    "deaccession_objects",
    Base.metadata,
    sa.Column("deaccession_id", sa.ForeignKey("deaccessions.id"), primary_key=True),
    sa.Column("object_id", sa.ForeignKey("objects.id"), primary_key=True, index=True),
)


class ObjectEntry(Audited, TimestampMixin, Base):
    """Object entry: objects received by the museum that are not (yet) its own."""

    __tablename__ = "object_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: entry number, e.g. "IN2026.14"
    number: Mapped[str] = mapped_column(sa.String(100))
    number_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    depositor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    #: a key of ENTRY_REASONS
    reason: Mapped[str] = mapped_column(sa.String(20), default="acquisition")
    entry_date: Mapped[date]
    #: when the objects are due back to the depositor, if they are not acquired
    return_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    depositor: Mapped[Party | None] = relationship(foreign_keys=[depositor_id])
    objects: Mapped[list[CatalogueObject]] = relationship(
        secondary=object_entry_objects, order_by="CatalogueObject.sort_key")

    def __repr__(self) -> str:
        return f"<ObjectEntry {self.id} {self.number!r}>"


class Acquisition(Audited, TimestampMixin, Base):
    """Acquisition & accessioning: the museum takes title to objects and numbers them."""

    __tablename__ = "acquisitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: acquisition reference, e.g. "ACQ2026.3"
    number: Mapped[str] = mapped_column(sa.String(100))
    number_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: a key of ACQUISITION_METHODS
    method: Mapped[str] = mapped_column(sa.String(20))
    acquisition_date: Mapped[date]
    #: donor, vendor, bequeathing estate, transferring body or collector
    source_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    #: who paid, e.g. "Art Fund grant and the Friends"
    funding: Mapped[str | None] = mapped_column(sa.Text)
    #: purchase price in minor units; seen only with valuations.view
    price_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    price_currency: Mapped[str | None] = mapped_column(sa.String(3))
    credit_line: Mapped[str | None] = mapped_column(sa.Text)
    #: date the transfer-of-title document was signed
    title_transferred_on: Mapped[date | None]
    #: who authorised the acquisition (committee, director) and when
    authoriser: Mapped[str | None] = mapped_column(sa.String(200))
    authorised_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    source: Mapped[Party | None] = relationship(foreign_keys=[source_id])
    objects: Mapped[list[CatalogueObject]] = relationship(
        secondary=acquisition_objects, order_by="CatalogueObject.sort_key")

    __table_args__ = (
        sa.CheckConstraint(
            "price_minor IS NULL OR (price_minor >= 0 AND price_currency IS NOT NULL)",
            name="price_has_currency"),
    )

    def __repr__(self) -> str:
        return f"<Acquisition {self.id} {self.number!r}>"


class Deaccession(Audited, TimestampMixin, Base):
    """Deaccession & disposal: objects leave the collection; their records stay for ever."""

    __tablename__ = "deaccessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(100))
    number_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    #: who authorised the deaccession (governing body minute) and when
    authorised_by: Mapped[str] = mapped_column(sa.String(200))
    authorised_on: Mapped[date]
    #: a key of DISPOSAL_METHODS
    disposal_method: Mapped[str] = mapped_column(sa.String(20))
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    disposal_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    recipient: Mapped[Party | None] = relationship(foreign_keys=[recipient_id])
    objects: Mapped[list[CatalogueObject]] = relationship(
        secondary=deaccession_objects, order_by="CatalogueObject.sort_key")

    def __repr__(self) -> str:
        return f"<Deaccession {self.id} {self.number!r}>"
