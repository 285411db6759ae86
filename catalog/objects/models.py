"""Object records (SPECTRUM cataloguing and inventory units)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin

if TYPE_CHECKING:
    from catalog.locations.models import Location
    from catalog.parties.models import Party

#: object status (SPECTRUM): code -> label
OBJECT_STATUSES = {
    "entry": "In entry (not accessioned)",
    "accessioned": "Accessioned",
    "loan_in": "On loan in",
    "deaccessioned": "Deaccessioned",
}


class CatalogueObject(Audited, TimestampMixin, Base):
    """An object (or a set of parts) known to the museum."""

    __tablename__ = "objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the accession (or entry / loan) number as written, e.g. "2024.2.10" or "T03868"
    object_number: Mapped[str] = mapped_column(sa.String(100))
    #: normalised form (case, spaces, dash variants) on which the database enforces uniqueness
    number_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: natural-sort key: "2024.2.9" sorts before "2024.2.10"
    sort_key: Mapped[str] = mapped_column(sa.String(300), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="accessioned", index=True)
    #: object name (what kind of thing it is), from the object-name vocabulary
    object_name: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    title: Mapped[str | None] = mapped_column(sa.Text)
    #: SPECTRUM "number of objects"
    number_of_objects: Mapped[int] = mapped_column(default=1)
    #: parts, e.g. "a–c"
    parts: Mapped[str | None] = mapped_column(sa.String(100))
    brief_description: Mapped[str | None] = mapped_column(sa.Text)
    physical_description: Mapped[str | None] = mapped_column(sa.Text)
    materials: Mapped[str | None] = mapped_column(sa.Text)
    techniques: Mapped[str | None] = mapped_column(sa.Text)
    #: dimensions as shown, e.g. "support: 600 x 400 mm"
    dimensions_display: Mapped[str | None] = mapped_column(sa.Text)
    #: production date as written, e.g. "c.1850"
    production_date: Mapped[str | None] = mapped_column(sa.String(200))
    earliest_year: Mapped[int | None] = mapped_column(index=True)
    latest_year: Mapped[int | None]
    production_place: Mapped[str | None] = mapped_column(sa.String(300))
    inscriptions: Mapped[str | None] = mapped_column(sa.Text)
    department: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    credit_line: Mapped[str | None] = mapped_column(sa.Text)
    rights: Mapped[str | None] = mapped_column(sa.Text)
    keywords: Mapped[str | None] = mapped_column(sa.Text)
    #: exposed to aggregators (OAI-PMH) only when set; restricted fields are never exposed
    is_published: Mapped[bool] = mapped_column(default=False, server_default=sa.false(),
                                               index=True)
    #: where the object is now: maintained by the movement service, never typed in
    current_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"),
                                                            index=True)
    #: where the object normally lives: maintained by the movement service
    home_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"),
                                                         index=True)

    makers: Mapped[list[ObjectMaker]] = relationship(
        back_populates="object", order_by="ObjectMaker.position", cascade="all, delete-orphan"
    )
    other_numbers: Mapped[list[OtherNumber]] = relationship(
        back_populates="object", order_by="OtherNumber.id", cascade="all, delete-orphan"
    )
    current_location: Mapped[Location | None] = relationship(foreign_keys=[current_location_id])
    home_location: Mapped[Location | None] = relationship(foreign_keys=[home_location_id])

    def __repr__(self) -> str:
        return f"<CatalogueObject {self.id} {self.object_number!r}>"


class ObjectMaker(Audited, Base):
    """A maker of an object, with their role ("artist", "printer", "manufacturer" …)."""

    __tablename__ = "object_makers"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(100), default="artist")
    #: order of makers on the record
    position: Mapped[int] = mapped_column(default=0)

    object: Mapped[CatalogueObject] = relationship(back_populates="makers")
    party: Mapped[Party] = relationship(lazy="joined")


class OtherNumber(Audited, Base):
    """Another number an object carries or carried: previous, temporary, loan, legacy barcode."""

    __tablename__ = "object_other_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(100), index=True)
    #: previous, temporary, loan, entry, other
    kind: Mapped[str] = mapped_column(sa.String(20), default="previous")
    note: Mapped[str | None] = mapped_column(sa.String(300))

    object: Mapped[CatalogueObject] = relationship(back_populates="other_numbers")
