"""Use cases for object records: create, edit, renumber, makers, dimensions, the backlog.

Services never commit; the request (or CLI unit of work) does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from catalog.core.audit import reason
from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.objects.models import (
    DIMENSION_TYPES,
    LENGTH_UNITS,
    OBJECT_STATUSES,
    WEIGHT_UNITS,
    CatalogueObject,
    ObjectDimension,
    ObjectImage,
    ObjectMaker,
    OtherNumber,
)
from catalog.objects.numbers import (
    CONTROL_CHARACTERS,
    allocate_number,
    natural_sort_key,
    normalise_number,
)
from catalog.parties.models import Party, PartyRole

#: descriptive fields a form may set directly (numbers, status, makers, dimensions have services)
EDITABLE_FIELDS = (
    "object_name", "title", "number_of_objects", "parts", "brief_description",
    "physical_description", "materials", "techniques", "dimensions_display", "production_date",
    "earliest_year", "latest_year", "production_place", "inscriptions", "department",
    "credit_line", "rights", "keywords",
)  # fmt: skip

#: SPECTRUM inventory minimum held on the record (location comes from movements)
MINIMUM_FIELDS = {
    "object_number": "Object number",
    "object_name": "Object name",
    "number_of_objects": "Number of objects",
    "brief_description": "Brief description",
}
#: recommended fields the documentation backlog also counts
RECOMMENDED_FIELDS = {
    "title": "Title",
    "maker": "Maker",
    "production_date": "Date",
    "materials": "Materials",
    "dimensions": "Dimensions",
    "image": "Image",
    "location": "Location",
}

OTHER_NUMBER_KINDS = {
    "previous": "Previous number",
    "temporary": "Temporary number",
    "entry": "Object entry number",
    "loan": "Loan number",
    "other": "Other",
}


@dataclass(frozen=True)
class MakerInput:
    """A maker as a form gives it: a party id, or a name to find or create."""

    name: str
    role: str = "artist"
    party_id: int | None = None


@dataclass(frozen=True)
class DimensionInput:
    dimension: str
    value: str | Decimal
    unit: str
    part: str | None = None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def find_by_number(session: Session, number: str, *,
                   exclude_id: int | None = None) -> CatalogueObject | None:
    """The object whose number equals ``number`` once normalised (for duplicate warnings)."""
    key = normalise_number(number)
    if not key:
        return None
    query = sa.select(CatalogueObject).where(CatalogueObject.number_key == key)
    if exclude_id is not None:
        query = query.where(CatalogueObject.id != exclude_id)
    return session.scalar(query)


def get_object(session: Session, object_id: int) -> CatalogueObject:
    obj = session.get(CatalogueObject, object_id)
    if obj is None:
        raise NotFoundError("There is no such object.")
    return obj


def record_history(session: Session, obj: CatalogueObject, *, limit: int = 200) -> list[Any]:
    """The audit trail of the object and of its makers, dimensions, numbers and images."""
    from catalog.core.audit import AuditLog

    parts = [sa.and_(AuditLog.record_type == "objects", AuditLog.record_id == str(obj.id))]
    for table, children in (("object_makers", obj.makers), ("object_dimensions", obj.dimensions),
                            ("object_other_numbers", obj.other_numbers),
                            ("object_images", obj.images)):
        if children:
            parts.append(sa.and_(AuditLog.record_type == table,
                                 AuditLog.record_id.in_([str(c.id) for c in children])))
    rows = session.scalars(sa.select(AuditLog).where(sa.or_(*parts))
                           .order_by(AuditLog.id.desc()).limit(limit)).all()
    return [_tidy(row) for row in rows]


#: fields of child records that only repeat what the page already says
_NOISE = frozenset({"id", "object_id", "position"})


def _tidy(row: Any) -> Any:
    if row.record_type == "objects":
        return row
    from types import SimpleNamespace

    return SimpleNamespace(occurred_at=row.occurred_at, actor_label=row.actor_label,
                           record_type=row.record_type, record_id=row.record_id,
                           action=row.action, reason=row.reason,
                           changes={k: v for k, v in (row.changes or {}).items()
                                    if k not in _NOISE})


def load_record(session: Session, object_id: int) -> CatalogueObject:
    """One object with everything its record page shows, in a fixed number of queries."""
    obj = session.scalar(
        sa.select(CatalogueObject).where(CatalogueObject.id == object_id).options(
            selectinload(CatalogueObject.makers),
            selectinload(CatalogueObject.other_numbers),
            selectinload(CatalogueObject.dimensions),
            selectinload(CatalogueObject.images),
            selectinload(CatalogueObject.current_location),
            selectinload(CatalogueObject.home_location),
        )
    )
    if obj is None:
        raise NotFoundError("There is no such object.")
    return obj


def _check_number_free(session: Session, number: str, *, exclude_id: int | None = None) -> str:
    number = " ".join(CONTROL_CHARACTERS.sub("", number).split())
    if not number:
        raise ValidationError("Give the object a number.", field="object_number")
    if len(number) > 100:
        raise ValidationError("An object number has at most 100 characters.",
                              field="object_number")
    existing = find_by_number(session, number, exclude_id=exclude_id)
    if existing is not None:
        raise ValidationError(
            f"The number {number} is already used by {existing.object_number}"
            f"{' (' + existing.title + ')' if existing.title else ''}.", field="object_number")
    return number


def _check_minimum(obj: CatalogueObject) -> None:
    """Accessioned objects must meet the SPECTRUM inventory minimum held on the record."""
    if obj.status not in OBJECT_STATUSES:
        raise ValidationError("Unknown object status.", field="status")
    if obj.number_of_objects is None or obj.number_of_objects < 1:
        raise ValidationError("The number of objects is at least 1.", field="number_of_objects")
    if obj.earliest_year is not None and obj.latest_year is not None \
            and obj.earliest_year > obj.latest_year:
        raise ValidationError("The earliest year comes after the latest year.",
                              field="latest_year")
    if obj.status == "accessioned":
        if not obj.object_name:
            raise ValidationError("An accessioned object needs an object name.",
                                  field="object_name")
        if not obj.brief_description:
            raise ValidationError("An accessioned object needs a brief description.",
                                  field="brief_description")


def _flush_guarded(session: Session, field: str = "object_number") -> None:
    """Flush in a savepoint; the unique number key is the last word on duplicates."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "number_key" in str(exc.orig) or "UNIQUE" in str(exc.orig).upper():
            raise ValidationError("That number was taken a moment ago by someone else. "
                                  "Please check it and save again.", field=field) from exc
        raise


def create_object(
    session: Session,
    *,
    actor: Any,
    object_number: str | None = None,
    scheme: str | None = None,
    lot: int | None = None,
    status: str = "accessioned",
    makers: Sequence[MakerInput] = (),
    dimensions: Sequence[DimensionInput] = (),
    other_numbers: Sequence[tuple[str, str]] = (),
    **fields: Any,
) -> CatalogueObject:
    """Create an object record, numbered by hand or from a number scheme.

    Raises:
        ValidationError: a duplicate number, a missing inventory-minimum field, bad dimensions.
        PermissionDenied: the actor may not edit objects.
    """
    check(actor, "objects.edit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if status == "deaccessioned":
        raise ValidationError("Objects are deaccessioned through a deaccession record.",
                              field="status")
    if scheme:
        number = allocate_number(session, scheme, lot=lot, taken=CatalogueObject.number_key)
    else:
        number = _check_number_free(session, object_number or "")
    obj = CatalogueObject(object_number=number, number_key=normalise_number(number),
                          sort_key=natural_sort_key(number), status=status)
    for key, value in fields.items():
        setattr(obj, key, _clean(value))
    if obj.number_of_objects is None:
        obj.number_of_objects = 1
    _check_minimum(obj)
    session.add(obj)
    _set_makers(session, obj, makers)
    _set_dimensions(obj, dimensions)
    for number_text, kind in other_numbers:
        add_other_number(obj, number=number_text, kind=kind)
    _flush_guarded(session)
    return obj


def update_object(session: Session, obj: CatalogueObject, *, actor: Any,
                  makers: Sequence[MakerInput] | None = None,
                  dimensions: Sequence[DimensionInput] | None = None,
                  **fields: Any) -> CatalogueObject:
    """Change descriptive fields, makers and dimensions of a record (not its number or status)."""
    check(actor, "objects.edit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        setattr(obj, key, _clean(value))
    _check_minimum(obj)
    if makers is not None:
        _set_makers(session, obj, makers)
    if dimensions is not None:
        _set_dimensions(obj, dimensions)
    session.flush()
    return obj


def renumber_object(session: Session, obj: CatalogueObject, *, actor: Any,
                    new_number: str | None = None, scheme: str | None = None,
                    lot: int | None = None, why: str | None = None,
                    old_kind: str = "previous") -> CatalogueObject:
    """Give an object a new number, typed or the next of ``scheme``; the old one is kept as an
    other number and in the history."""
    check(actor, "objects.edit")
    if scheme:
        new_number = allocate_number(session, scheme, lot=lot, taken=CatalogueObject.number_key)
    new_number = _check_number_free(session, new_number or "", exclude_id=obj.id)
    old = obj.object_number
    if normalise_number(old) == normalise_number(new_number) and old == new_number:
        return obj
    with reason(why or f"renumbered from {old}"):
        if normalise_number(old) != normalise_number(new_number):
            add_other_number(obj, number=old, kind=old_kind, note=f"until renumbered {new_number}")
        _apply_number(obj, new_number)
        _flush_guarded(session)
    return obj


def _apply_number(obj: CatalogueObject, number: str) -> None:
    obj.object_number = number
    obj.number_key = normalise_number(number)
    obj.sort_key = natural_sort_key(number)


def add_other_number(obj: CatalogueObject, *, number: str, kind: str,
                     note: str | None = None) -> OtherNumber:
    number = " ".join((number or "").split())
    if not number:
        raise ValidationError("An other number cannot be empty.", field="other_numbers")
    if kind not in OTHER_NUMBER_KINDS:
        raise ValidationError(f"Unknown kind of number {kind!r}.", field="other_numbers")
    other = OtherNumber(number=number, kind=kind, note=note)
    obj.other_numbers.append(other)
    return other


def find_or_create_maker(session: Session, name: str) -> Party:
    """The active party called ``name`` (case-insensitive), or a new person with the maker role."""
    name = " ".join(name.split())
    party = session.scalar(
        sa.select(Party).where(sa.func.lower(Party.name) == name.lower(),
                               Party.merged_into_id.is_(None)).order_by(Party.id).limit(1))
    if party is None:
        sort_name = name
        if " " in name:
            first, _, last = name.rpartition(" ")
            sort_name = f"{last}, {first}"
        party = Party(kind="person", name=name, sort_name=sort_name)
        party.roles.append(PartyRole(role="maker"))
        session.add(party)
    elif "maker" not in party.role_codes:
        party.roles.append(PartyRole(role="maker"))
    return party


def _set_makers(session: Session, obj: CatalogueObject, makers: Sequence[MakerInput]) -> None:
    wanted: list[tuple[Party, str]] = []
    for maker in makers:
        role = (maker.role or "artist").strip()[:100] or "artist"
        if maker.party_id:
            party = session.get(Party, maker.party_id)
            if party is None:
                raise ValidationError("That maker no longer exists.", field="makers")
            while party.merged_into_id is not None:  # follow merges to the surviving record
                party = session.get(Party, party.merged_into_id)  # type: ignore[assignment]
        elif maker.name and maker.name.strip():
            party = find_or_create_maker(session, maker.name)
        else:
            continue
        wanted.append((party, role))
    # Unchanged makers are left alone so that saving a form does not rewrite the history.
    if [(m.party, m.role) for m in obj.makers] == wanted:
        return
    obj.makers.clear()
    for position, (party, role) in enumerate(wanted):
        obj.makers.append(ObjectMaker(party=party, role=role, position=position))


def parse_dimension_value(value: str | Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError(f"{value!r} is not a measurement.", field="dimensions") from exc
    if not number.is_finite() or number <= 0 or number >= Decimal("1e11"):
        raise ValidationError(f"{value} is not a sensible measurement.", field="dimensions")
    return number.quantize(Decimal("0.001"))


def _set_dimensions(obj: CatalogueObject, dimensions: Sequence[DimensionInput]) -> None:
    rows = []
    for position, dim in enumerate(dimensions):
        if dim.dimension not in DIMENSION_TYPES:
            raise ValidationError(f"Unknown dimension {dim.dimension!r}.", field="dimensions")
        allowed = WEIGHT_UNITS if dim.dimension == "weight" else LENGTH_UNITS
        if dim.unit not in allowed:
            raise ValidationError(f"A {dim.dimension} is measured in {', '.join(allowed)}.",
                                  field="dimensions")
        rows.append((_clean(dim.part), dim.dimension, parse_dimension_value(dim.value),
                     dim.unit, position))
    current = [(d.part, d.dimension, Decimal(d.value).quantize(Decimal("0.001")), d.unit,
                d.position) for d in obj.dimensions]
    if current == rows:
        return
    obj.dimensions.clear()
    for part, dimension, value, unit, position in rows:
        obj.dimensions.append(ObjectDimension(part=part, dimension=dimension, value=value,
                                              unit=unit, position=position))
    if rows and not obj.dimensions_display:
        obj.dimensions_display = dimensions_display(obj.dimensions)


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def dimensions_display(dimensions: Sequence[ObjectDimension]) -> str:
    """The display string from structured dimensions: ``support: 600 × 400 mm; weight 2 kg``."""
    groups: dict[tuple[str | None, str], list[ObjectDimension]] = {}
    for dim in dimensions:
        kind = "weight" if dim.dimension == "weight" else "size"
        groups.setdefault((dim.part, kind), []).append(dim)
    pieces = []
    for (part, kind), dims in groups.items():
        prefix = f"{part}: " if part else ""
        if kind == "weight" or len(dims) == 1:
            text = "; ".join(f"{d.dimension} {_fmt(Decimal(d.value))} {d.unit}" for d in dims)
        elif len({d.unit for d in dims}) == 1:
            text = " × ".join(_fmt(Decimal(d.value)) for d in dims) + f" {dims[0].unit}"
        else:
            text = " × ".join(f"{_fmt(Decimal(d.value))} {d.unit}" for d in dims)
        pieces.append(prefix + text)
    return "; ".join(pieces)


def set_status(session: Session, obj: CatalogueObject, *, status: str) -> None:
    """Change status (used by procedures, which check their own permissions)."""
    if status not in OBJECT_STATUSES:
        raise ValidationError("Unknown object status.", field="status")
    obj.status = status
    _check_minimum(obj)


# --- documentation backlog ---------------------------------------------------------------

def _missing_conditions() -> dict[str, sa.ColumnElement[bool]]:
    def blank(column: Any) -> sa.ColumnElement[bool]:
        return sa.or_(column.is_(None), sa.func.trim(column) == "")

    obj = CatalogueObject
    has_maker = sa.exists().where(ObjectMaker.object_id == obj.id)
    has_dims = sa.exists().where(ObjectDimension.object_id == obj.id)
    has_image = sa.exists().where(ObjectImage.object_id == obj.id)
    return {
        "object_name": blank(obj.object_name),
        "number_of_objects": sa.or_(obj.number_of_objects.is_(None), obj.number_of_objects < 1),
        "brief_description": blank(obj.brief_description),
        "location": obj.current_location_id.is_(None),
        "title": blank(obj.title),
        "maker": ~has_maker,
        "production_date": blank(obj.production_date),
        "materials": blank(obj.materials),
        "dimensions": sa.and_(~has_dims, blank(obj.dimensions_display)),
        "image": ~has_image,
    }


BACKLOG_LABELS = {**{k: v for k, v in MINIMUM_FIELDS.items() if k != "object_number"},
                  "location": "Location", **RECOMMENDED_FIELDS}
#: the inventory minimum (SPECTRUM): a record missing one of these is not yet inventoried
BACKLOG_MINIMUM = ("object_name", "number_of_objects", "brief_description", "location")


def backlog_counts(session: Session) -> dict[str, int]:
    """How many records (not deaccessioned) miss each minimum or recommended field."""
    conditions = _missing_conditions()
    columns = [sa.func.count().filter(cond).label(name) for name, cond in conditions.items()]
    row = session.execute(
        sa.select(*columns).select_from(CatalogueObject)
        .where(CatalogueObject.status != "deaccessioned")
    ).one()
    return {name: int(row[i] or 0) for i, name in enumerate(conditions)}


def backlog_total(session: Session) -> int:
    """Records missing at least one field of the inventory minimum."""
    conditions = _missing_conditions()
    return session.scalar(
        sa.select(sa.func.count()).select_from(CatalogueObject).where(
            CatalogueObject.status != "deaccessioned",
            sa.or_(*(conditions[name] for name in BACKLOG_MINIMUM)))
    ) or 0


def backlog_objects(session: Session, *, missing: str, limit: int = 50,
                    offset: int = 0) -> list[CatalogueObject]:
    conditions = _missing_conditions()
    if missing not in conditions:
        raise ValidationError("Unknown field.", field="missing")
    return list(session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.status != "deaccessioned",
                                         conditions[missing])
        .order_by(CatalogueObject.sort_key).limit(limit).offset(offset)))
