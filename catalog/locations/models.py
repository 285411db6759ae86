"""Storage locations (a hierarchy) and movements of objects between them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow

#: kinds of location, outermost first
LOCATION_KINDS = ["site", "building", "floor", "room", "unit", "shelf", "box", "drawer", "other"]


class Location(Audited, TimestampMixin, Base):
    """A place an object can be: site > building > room > unit > shelf > box/drawer."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unique short code printed on the label, e.g. "NGA-WB-G12"
    code: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(16), default="room")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    #: containers (boxes, crates, drawers) can move with their contents
    is_container: Mapped[bool] = mapped_column(default=False)
    #: how many objects fit; null for no limit
    capacity: Mapped[int | None]
    #: 0 (public) to 5 (highest security)
    security_level: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    #: locations are retired, never deleted
    is_active: Mapped[bool] = mapped_column(default=True)
    #: environmental target: None inherits the parent's; a preset code (see
    #: catalog.locations.targets.PRESETS) or "custom" for the limits below
    target_preset: Mapped[str | None] = mapped_column(sa.String(20))
    #: custom limits in centi-degrees Celsius and tenths of a percent RH (null: no limit)
    target_temp_min: Mapped[int | None]
    target_temp_max: Mapped[int | None]
    target_rh_min: Mapped[int | None]
    target_rh_max: Mapped[int | None]
    #: largest allowed RH change within 24 hours, tenths of a percent
    target_rh_swing: Mapped[int | None]

    parent: Mapped[Location | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Location]] = relationship(back_populates="parent",
                                                    order_by="Location.code")

    def __repr__(self) -> str:
        return f"<Location {self.id} {self.code!r}>"


class Movement(Audited, Base):
    """One object moved (or planned to move) from one location to another (SPECTRUM)."""

    __tablename__ = "movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    from_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    #: when the move happened (or is planned), UTC
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: planned or done
    status: Mapped[str] = mapped_column(sa.String(8), default="done")
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    method: Mapped[str | None] = mapped_column(sa.String(200))
    #: true when this move also sets the object's home location
    sets_home: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: set when the object moved because the container holding it moved
    via_container_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"))

    __table_args__ = (sa.Index("ix_movements_object_time", "object_id", "moved_at"),)

    def __repr__(self) -> str:
        return f"<Movement {self.id} object={self.object_id} to={self.to_location_id}>"
