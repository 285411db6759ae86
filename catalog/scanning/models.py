"""Scans made on tablets, legacy barcodes linked to records, and quick condition notes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject

#: what a scan was made for
SCAN_MODES = ("lookup", "move", "inventory", "condition")

#: outcome of a scan on the server
SCAN_STATUSES = {
    "recorded": "Recorded",
    "conflict": "Conflict: not applied",
    "rejected": "Rejected",
    "undone": "Undone",
}


class LegacyBarcode(Audited, TimestampMixin, Base):
    """A barcode printed before Catalog (any string), linked to an object or a location.

    Scanning it works like scanning a Catalog label.
    """

    __tablename__ = "legacy_barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the barcode as the scanner reads it, trimmed
    barcode: Mapped[str] = mapped_column(sa.String(200))
    #: upper-cased barcode, on which the database enforces uniqueness
    barcode_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    object_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(300))

    object: Mapped[CatalogueObject | None] = relationship()
    location: Mapped[Location | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(object_id IS NULL) <> (location_id IS NULL)", name="one_target"),
    )

    def __repr__(self) -> str:
        return f"<LegacyBarcode {self.id} {self.barcode!r}>"


class Scan(Base):
    """One scan sent by a tablet: the log of what was scanned and what it did.

    ``client_id`` is made by the tablet when the scan happens; a scan sent twice (a retry after
    a dropped connection, an offline queue replayed) is recorded once.
    """

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: UUID made by the tablet; unique so that a resend never records twice
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: lookup, move, inventory or condition
    mode: Mapped[str] = mapped_column(sa.String(16))
    #: the code as scanned (scan code, legacy barcode, location code or object number)
    code: Mapped[str] = mapped_column(sa.String(300))
    object_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    #: the location or container the scan was made at (move target, inventory sub-location)
    context_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    #: where the tablet believed the object was when scanned (conflict detection)
    expected_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    inventory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inventories.id"), index=True)
    movement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("movements.id"))
    #: when the tablet made the scan (it may arrive much later, after being offline)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: when the server received it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: recorded, conflict, rejected or undone
    status: Mapped[str] = mapped_column(sa.String(16), default="recorded", index=True)
    #: what happened, in a sentence shown on the tablet
    message: Mapped[str | None] = mapped_column(sa.Text)
    #: the note typed in condition mode
    note: Mapped[str | None] = mapped_column(sa.Text)

    object: Mapped[CatalogueObject | None] = relationship(foreign_keys=[object_id])
    location: Mapped[Location | None] = relationship(foreign_keys=[location_id])
    context_location: Mapped[Location | None] = relationship(foreign_keys=[context_location_id])

    __table_args__ = (sa.Index("ix_scans_user_received", "user_id", "received_at"),)

    def __repr__(self) -> str:
        return f"<Scan {self.id} {self.mode} {self.code!r} {self.status}>"


class ConditionNote(Audited, Base):
    """A quick condition note made while scanning ("frame corner chipped")."""

    __tablename__ = "condition_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text)
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    noted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    scan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("scans.id"))
    #: withdrawn notes (undo on the tablet) stay on record
    is_withdrawn: Mapped[bool] = mapped_column(default=False)

    object: Mapped[CatalogueObject] = relationship()

    def __repr__(self) -> str:
        return f"<ConditionNote {self.id} object={self.object_id}>"
