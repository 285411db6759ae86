"""Inventories of locations (SPECTRUM inventory) and each location's inventory schedule."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject

#: outcome of one object in a finished inventory
OUTCOMES = {
    "found": "Found where recorded",
    "missing": "Missing: recorded here, not found",
    "unexpected": "Unexpected: found here, recorded elsewhere",
    "misplaced": "Misplaced: found in another place within this location",
}


class Inventory(Audited, TimestampMixin, Base):
    """A check of what is in a location (and, usually, its sub-locations)."""

    __tablename__ = "inventories"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    include_sublocations: Mapped[bool] = mapped_column(default=True)
    #: open, finished or cancelled
    status: Mapped[str] = mapped_column(sa.String(12), default="open", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)

    location: Mapped[Location] = relationship()
    findings: Mapped[list[InventoryFinding]] = relationship(
        back_populates="inventory", order_by="InventoryFinding.found_at",
        cascade="all, delete-orphan")
    results: Mapped[list[InventoryResult]] = relationship(
        back_populates="inventory", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Inventory {self.id} location={self.location_id} {self.status}>"


class InventoryFinding(Audited, Base):
    """An object found during an open inventory (scanned or picked from the list)."""

    __tablename__ = "inventory_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inventory_id: Mapped[int] = mapped_column(sa.ForeignKey("inventories.id"))
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    #: the (sub-)location it was found in
    found_location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    found_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: scan or list
    method: Mapped[str] = mapped_column(sa.String(8), default="scan")

    inventory: Mapped[Inventory] = relationship(back_populates="findings")
    object: Mapped[CatalogueObject] = relationship()
    found_location: Mapped[Location] = relationship()

    __table_args__ = (sa.UniqueConstraint("inventory_id", "object_id",
                                          name="uq_inventory_findings_object"),)


class InventoryResult(Base):
    """One object's outcome, fixed when the inventory is finished (the discrepancy report)."""

    __tablename__ = "inventory_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    inventory_id: Mapped[int] = mapped_column(sa.ForeignKey("inventories.id"), index=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"))
    #: where the records said the object was when the inventory finished
    expected_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    found_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    #: found, missing, unexpected or misplaced
    outcome: Mapped[str] = mapped_column(sa.String(12))

    inventory: Mapped[Inventory] = relationship(back_populates="results")
    object: Mapped[CatalogueObject] = relationship()
    expected_location: Mapped[Location | None] = relationship(
        foreign_keys=[expected_location_id])
    found_location: Mapped[Location | None] = relationship(foreign_keys=[found_location_id])


class InventorySchedule(Audited, Base):
    """How often a location is inventoried, and when it last was.

    Kept beside the location (not on it) so the storage domain's table stays its own.
    """

    __tablename__ = "inventory_schedules"

    location_id: Mapped[int] = mapped_column(sa.ForeignKey("locations.id"), primary_key=True)
    #: days between inventories; null: no regular inventory
    interval_days: Mapped[int | None]
    last_inventory_on: Mapped[date | None] = mapped_column(sa.Date)
    #: last + interval, stored so the overdue report is one indexed query
    next_inventory_on: Mapped[date | None] = mapped_column(sa.Date, index=True)

    location: Mapped[Location] = relationship()

    def recompute(self, today: date) -> None:
        """Set the next date from the last one (never inventoried: due today)."""
        from datetime import timedelta

        if self.interval_days is None:
            self.next_inventory_on = None
        elif self.last_inventory_on is None:
            self.next_inventory_on = today
        else:
            self.next_inventory_on = self.last_inventory_on + timedelta(days=self.interval_days)
