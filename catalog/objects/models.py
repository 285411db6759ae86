"""Object records (SPECTRUM cataloguing and inventory units)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow

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
    #: makers, other numbers and descriptive text for the full-text index (catalog.search.indexing)
    search_text: Mapped[str | None] = mapped_column(sa.Text)
    #: the spreadsheet import that created this record, if any (catalog.imports)
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("imports.id"), index=True)
    #: exposed to aggregators (OAI-PMH) only when set; restricted fields are never exposed
    is_published: Mapped[bool] = mapped_column(default=False, server_default=sa.false(),
                                               index=True)
    #: where the object is now: maintained by the movement service, never typed in
    current_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"),
                                                            index=True)
    #: where the object normally lives: maintained by the movement service
    home_location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"),
                                                         index=True)
    #: emergency salvage priority, 1 (save first) to 5; null when not assessed
    salvage_priority: Mapped[int | None] = mapped_column(
        sa.SmallInteger, sa.CheckConstraint("salvage_priority BETWEEN 1 AND 5",
                                            name="salvage_priority"))

    makers: Mapped[list[ObjectMaker]] = relationship(
        back_populates="object", order_by="ObjectMaker.position", cascade="all, delete-orphan"
    )
    other_numbers: Mapped[list[OtherNumber]] = relationship(
        back_populates="object", order_by="OtherNumber.id", cascade="all, delete-orphan"
    )
    dimensions: Mapped[list[ObjectDimension]] = relationship(
        back_populates="object", order_by="ObjectDimension.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[ObjectImage]] = relationship(
        back_populates="object", order_by="ObjectImage.id", cascade="all, delete-orphan"
    )
    current_location: Mapped[Location | None] = relationship(foreign_keys=[current_location_id])
    home_location: Mapped[Location | None] = relationship(foreign_keys=[home_location_id])

    @property
    def primary_image(self) -> ObjectImage | None:
        return next((image for image in self.images if image.is_primary), None) or (
            self.images[0] if self.images else None)

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


#: dimension types (SPECTRUM "dimension") and the units each may be measured in
DIMENSION_TYPES = {
    "height": "Height",
    "width": "Width",
    "depth": "Depth",
    "length": "Length",
    "diameter": "Diameter",
    "weight": "Weight",
}
LENGTH_UNITS = ("mm", "cm", "m", "in")
WEIGHT_UNITS = ("g", "kg", "lb")


class ObjectDimension(Audited, Base):
    """One measurement of an object or one of its parts (e.g. "frame: height 612 mm")."""

    __tablename__ = "object_dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    #: the part measured ("overall", "frame", "support", "a") — empty for the whole object
    part: Mapped[str | None] = mapped_column(sa.String(100))
    #: height, width, depth, length, diameter or weight
    dimension: Mapped[str] = mapped_column(sa.String(16))
    #: exact decimal value (never float): 612.5
    value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))
    #: mm, cm, m, in, g, kg, lb
    unit: Mapped[str] = mapped_column(sa.String(8))
    #: order on the record
    position: Mapped[int] = mapped_column(default=0)

    object: Mapped[CatalogueObject] = relationship(back_populates="dimensions")

    def __repr__(self) -> str:
        return f"<ObjectDimension {self.id} {self.dimension}={self.value}{self.unit}>"


class ObjectImage(Audited, Base):
    """An image of an object, checked with Pillow, stored under MEDIA_DIR with a thumbnail."""

    __tablename__ = "object_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    #: file name under MEDIA_DIR/objects/ (random, never the uploaded name)
    file_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: the name the file had on the uploader's computer (shown, never used as a path)
    original_name: Mapped[str] = mapped_column(sa.String(300))
    #: JPEG, PNG, TIFF or WEBP — as Pillow read it, not as the name claimed
    format: Mapped[str] = mapped_column(sa.String(8))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    caption: Mapped[str | None] = mapped_column(sa.Text)
    #: rights statement / credit for the photograph
    rights: Mapped[str | None] = mapped_column(sa.Text)
    is_primary: Mapped[bool] = mapped_column(default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    object: Mapped[CatalogueObject] = relationship(back_populates="images")

    def __repr__(self) -> str:
        return f"<ObjectImage {self.id} object={self.object_id} {self.file_key}>"


class NumberScheme(Audited, TimestampMixin, Base):
    """A numbering pattern as data, e.g. ``{year}.{lot}.{item}`` for accessions.

    Placeholders: ``{year}``, ``{lot}``, ``{item}`` or ``{n}``; ``{n:4}`` zero-pads to 4 digits.
    """

    __tablename__ = "number_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short code used by forms and the CLI, e.g. "accession", "entry", "loan_in"
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    pattern: Mapped[str] = mapped_column(sa.String(100))
    #: what the scheme numbers: object, entry, acquisition, deaccession, loan_in, loan_out …
    applies_to: Mapped[str] = mapped_column(sa.String(20), default="object")
    is_active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<NumberScheme {self.code} {self.pattern!r}>"


class NumberCounter(Base):
    """The last number given out per (scheme, year, lot); locked while a number is allocated.

    ``year`` and ``lot`` are 0 when the pattern has no such placeholder; the lot counter of a
    ``{year}.{lot}.{item}`` scheme is the row with ``lot = 0``.
    """

    __tablename__ = "number_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(sa.ForeignKey("number_schemes.id"))
    year: Mapped[int] = mapped_column(default=0)
    lot: Mapped[int] = mapped_column(default=0)
    last_value: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("scheme_id", "year", "lot",
                                          name="uq_number_counters_scheme_year_lot"),)

    def __repr__(self) -> str:
        return f"<NumberCounter {self.scheme_id} {self.year}/{self.lot} {self.last_value}>"
