"""Use cases for locations and movements.

``move_objects`` is the one way an object's current (and home) location changes: every move is a
``Movement`` record and the object's location columns are a cache of the latest done movement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.locations.models import LOCATION_KINDS, Location, Movement
from catalog.objects.models import CatalogueObject
from catalog.objects.numbers import normalise_number


def get_location_by_code(session: Session, code: str) -> Location:
    """The location with ``code`` (case-insensitive), or a ValidationError naming the code."""
    location = session.scalar(
        sa.select(Location).where(sa.func.lower(Location.code) == code.strip().lower())
    )
    if location is None:
        raise ValidationError(f"There is no location with the code {code!r}.", field="location")
    return location


def move_objects(
    session: Session,
    *,
    objects: Sequence[CatalogueObject],
    to_location: Location | None,
    actor: object | None,
    reason: str | None = None,
    method: str | None = None,
    moved_at: datetime | None = None,
    status: str = "done",
    sets_home: bool = False,
    note: str | None = None,
    via_container: Location | None = None,
) -> list[Movement]:
    """Record the move of ``objects`` to ``to_location`` (None: off site, e.g. dispatched on loan).

    A done move updates each object's current location (and home location when ``sets_home``
    or when the object has no home yet); a planned move changes nothing but the plan.

    ``via_container`` marks the movements recorded because a container holding the objects moved
    (see :func:`move_container`); the objects stay in the container, so capacity is not checked.

    Raises:
        ValidationError: an inactive location, or more objects than the location's capacity.
    """
    if not objects:
        return []  # nothing to record (callers such as loans may pass an empty list)
    if moved_at is not None and moved_at.tzinfo is None:
        raise ValidationError("The time of a move needs a time zone.", field="moved_at")
    if status not in ("done", "planned"):
        raise ValidationError("A movement is either planned or done.", field="status")
    if to_location is not None and not to_location.is_active:
        raise ValidationError(f"The location {to_location.code} is retired.", field="location")
    if (to_location is not None and to_location.capacity is not None and status == "done"
            and via_container is None):
        present = session.scalar(
            sa.select(sa.func.count()).select_from(CatalogueObject)
            .where(CatalogueObject.current_location_id == to_location.id)
        ) or 0
        arriving = sum(1 for o in objects if o.current_location_id != to_location.id)
        if present + arriving > to_location.capacity:
            raise ValidationError(
                f"{to_location.code} holds {present} of {to_location.capacity} objects; "
                f"{arriving} more do not fit. Choose another location.", field="location")
    when = moved_at or utcnow()
    actor_id = getattr(actor, "id", None)
    movements = []
    for obj in objects:
        movement = Movement(
            object_id=obj.id, from_location_id=obj.current_location_id,
            to_location_id=to_location.id if to_location else None, moved_at=when,
            moved_by_id=actor_id, status=status, reason=reason, method=method,
            sets_home=sets_home, note=note,
            via_container_id=via_container.id if via_container else None,
        )  # fmt: skip
        session.add(movement)
        movements.append(movement)
        if status == "done":
            obj.current_location_id = to_location.id if to_location else None
            if to_location is not None and (sets_home or obj.home_location_id is None):
                obj.home_location_id = to_location.id
    session.flush()
    return movements


# --- the location tree ---------------------------------------------------------------------

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/:\-]*$"


def get_location(session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFoundError("There is no such location.")
    return location


def ancestors(location: Location) -> list[Location]:
    """The path from the outermost location down to ``location`` itself."""
    path: list[Location] = []
    seen: set[int] = set()
    node: Location | None = location
    while node is not None and node.id not in seen:
        seen.add(node.id)
        path.append(node)
        node = node.parent
    return list(reversed(path))


def full_path(location: Location | None, sep: str = " › ") -> str:
    """"NGA › West Building › G-002" for showing where something is."""
    if location is None:
        return "—"
    return sep.join(loc.name if loc.kind in ("site", "building", "floor") else loc.code
                    for loc in ancestors(location))


def descendant_ids(session: Session, location_id: int, *, include_self: bool = True) -> list[int]:
    """Every location inside ``location_id`` at any depth (a recursive query, both backends)."""
    tree = (sa.select(Location.id).where(Location.id == location_id)
            .cte("tree", recursive=True))
    tree = tree.union_all(sa.select(Location.id).where(Location.parent_id == tree.c.id))
    ids = list(session.scalars(sa.select(tree.c.id)))
    if not include_self:
        ids = [i for i in ids if i != location_id]
    return ids


def objects_in(session: Session, location: Location, *, recursive: bool = True
               ) -> list[CatalogueObject]:
    """Objects whose current location is ``location`` (or, recursively, anything inside it)."""
    ids = descendant_ids(session, location.id) if recursive else [location.id]
    return list(session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.current_location_id.in_(ids))
        .order_by(CatalogueObject.sort_key)))


def object_counts(session: Session, location_ids: Sequence[int]) -> dict[int, int]:
    """Objects directly in each location (one query)."""
    if not location_ids:
        return {}
    rows = session.execute(
        sa.select(CatalogueObject.current_location_id, sa.func.count())
        .where(CatalogueObject.current_location_id.in_(location_ids))
        .group_by(CatalogueObject.current_location_id))
    return {loc_id: n for loc_id, n in rows}  # noqa: C416 (Row tuples, not pairs)


def _check_code(session: Session, code: str, *, exclude_id: int | None = None) -> str:
    import re

    code = (code or "").strip()
    if not code:
        raise ValidationError("A location needs a code.", field="code")
    if not re.match(CODE_PATTERN, code):
        raise ValidationError("Codes use letters, digits and . _ / : - only (no spaces).",
                              field="code")
    clash = session.scalar(sa.select(Location).where(
        sa.func.lower(Location.code) == code.lower(),
        Location.id != (exclude_id or -1)))
    if clash is not None:
        raise ValidationError(f"The code {code} is already used by “{clash.name}”.", field="code")
    return code


def _check_fields(kind: str, capacity: int | None, security_level: int) -> None:
    if kind not in LOCATION_KINDS:
        raise ValidationError(f"Unknown kind of location {kind!r}.", field="kind")
    if capacity is not None and capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    if not 0 <= security_level <= 5:
        raise ValidationError("Security level is 0 (public) to 5 (highest).",
                              field="security_level")


def create_location(
    session: Session,
    *,
    actor: object,
    code: str,
    name: str,
    kind: str = "room",
    parent: Location | None = None,
    is_container: bool = False,
    capacity: int | None = None,
    security_level: int = 0,
    notes: str | None = None,
) -> Location:
    """Add a location under ``parent`` (None: a new site)."""
    check(actor, "locations.edit")
    code = _check_code(session, code)
    _check_fields(kind, capacity, security_level)
    if not (name or "").strip():
        raise ValidationError("A location needs a name.", field="name")
    location = Location(code=code, name=name.strip(), kind=kind, parent=parent,
                        is_container=is_container, capacity=capacity,
                        security_level=security_level, notes=notes or None)
    session.add(location)
    session.flush()
    return location


def update_location(
    session: Session,
    location: Location,
    *,
    actor: object,
    code: str,
    name: str,
    kind: str,
    is_container: bool,
    capacity: int | None,
    security_level: int,
    notes: str | None,
    is_active: bool = True,
) -> Location:
    """Change a location's details (its place in the tree changes with :func:`move_container`)."""
    check(actor, "locations.edit")
    location.code = _check_code(session, code, exclude_id=location.id)
    _check_fields(kind, capacity, security_level)
    if not (name or "").strip():
        raise ValidationError("A location needs a name.", field="name")
    if not is_active and location.is_active and objects_in(session, location, recursive=True):
        raise ValidationError("Move the objects out before retiring this location.",
                              field="is_active")
    location.name, location.kind = name.strip(), kind
    location.is_container, location.capacity = is_container, capacity
    location.security_level, location.notes, location.is_active = security_level, notes or None, \
        is_active
    session.flush()
    return location


def set_target(
    session: Session,
    location: Location,
    *,
    actor: object,
    preset: str | None,
    temp_min: float | None = None,
    temp_max: float | None = None,
    rh_min: float | None = None,
    rh_max: float | None = None,
    rh_swing: float | None = None,
) -> Location:
    """Set the environmental target (a preset, custom limits in °C and % RH, or inherit)."""
    from catalog.locations.targets import PRESETS

    check(actor, "locations.edit")
    preset = preset or None
    if preset is not None and preset != "custom" and preset not in PRESETS:
        raise ValidationError("Choose a preset, custom limits, or inherit.", field="preset")
    if preset == "custom":
        if all(v is None for v in (temp_min, temp_max, rh_min, rh_max, rh_swing)):
            raise ValidationError("Custom limits need at least one limit.", field="temp_min")
        if temp_min is not None and temp_max is not None and temp_min > temp_max:
            raise ValidationError("The lowest temperature is above the highest.",
                                  field="temp_min")
        if rh_min is not None and rh_max is not None and rh_min > rh_max:
            raise ValidationError("The lowest RH is above the highest.", field="rh_min")
        for value, fld in ((rh_min, "rh_min"), (rh_max, "rh_max"), (rh_swing, "rh_swing")):
            if value is not None and not 0 <= value <= 100:
                raise ValidationError("RH is a percentage between 0 and 100.", field=fld)
        for value, fld in ((temp_min, "temp_min"), (temp_max, "temp_max")):
            if value is not None and not -50 <= value <= 60:
                raise ValidationError("Temperature limits are between −50 and 60 °C.", field=fld)

    def scaled(value: float | None, factor: int) -> int | None:
        return None if value is None or preset != "custom" else round(value * factor)

    location.target_preset = preset
    location.target_temp_min, location.target_temp_max = scaled(temp_min, 100), \
        scaled(temp_max, 100)
    location.target_rh_min, location.target_rh_max = scaled(rh_min, 10), scaled(rh_max, 10)
    location.target_rh_swing = scaled(rh_swing, 10)
    session.flush()
    return location


# --- movements ----------------------------------------------------------------------------


def find_objects_by_numbers(session: Session, numbers: Sequence[str]) -> list[CatalogueObject]:
    """Objects by number as typed (case and spacing ignored); names every number not found."""
    found: list[CatalogueObject] = []
    missing: list[str] = []
    for raw in numbers:
        number = raw.strip()
        if not number:
            continue
        key = normalise_number(number)
        obj = session.scalar(sa.select(CatalogueObject).where(CatalogueObject.number_key == key)
                             .limit(1))
        if obj is None:
            missing.append(number)
        elif obj not in found:
            found.append(obj)
    if missing:
        raise ValidationError("No object with the number " + ", ".join(missing) + ".",
                              field="objects")
    if not found:
        raise ValidationError("Enter at least one object number.", field="objects")
    return found


def move_selection(
    session: Session,
    *,
    object_ids: Sequence[int],
    to_location_code: str,
    actor: object,
    reason: str | None = None,
    method: str | None = None,
    moved_at: datetime | None = None,
    status: str = "done",
) -> list[Movement]:
    """Move a selection of objects (e.g. the search page's) to the location with a code."""
    check(actor, "movements.create")
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        raise ValidationError("The selection is empty.", field="objects")
    objects = list(session.scalars(sa.select(CatalogueObject).where(CatalogueObject.id.in_(ids))))
    if len(objects) != len(ids):
        unknown = sorted(set(ids) - {o.id for o in objects})
        raise ValidationError(f"Unknown object id(s): {', '.join(map(str, unknown))}.",
                              field="objects")
    to_location = get_location_by_code(session, to_location_code)
    return move_objects(session, objects=objects, to_location=to_location, actor=actor,
                        reason=reason, method=method, moved_at=moved_at, status=status)


def move_container(
    session: Session,
    *,
    container: Location,
    to_parent: Location,
    actor: object,
    reason: str | None = None,
    method: str | None = None,
    moved_at: datetime | None = None,
) -> list[Movement]:
    """Move a container (box, crate, drawer) with everything in it to ``to_parent``.

    The objects inside keep their location (the container) but its path changes, so each gets a
    movement record noting that it moved with the container.
    """
    check(actor, "movements.create")
    if not container.is_container:
        raise ValidationError(f"{container.code} is not a container; move its objects instead.",
                              field="container")
    if not to_parent.is_active:
        raise ValidationError(f"The location {to_parent.code} is retired.", field="location")
    inside = descendant_ids(session, container.id)
    if to_parent.id in inside:
        raise ValidationError(f"{container.code} cannot go inside itself.", field="location")
    if to_parent.id == container.parent_id:
        raise ValidationError(f"{container.code} is already in {to_parent.code}.",
                              field="location")
    from_path = full_path(container)
    container.parent = to_parent
    session.flush()
    to_path = full_path(container)
    note = f"moved with container {container.code} from {from_path} to {to_path}"
    objects = list(session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.current_location_id.in_(inside))))
    movements: list[Movement] = []
    by_location: dict[int, list[CatalogueObject]] = {}
    for obj in objects:
        by_location.setdefault(obj.current_location_id or 0, []).append(obj)
    for loc_id, group in by_location.items():
        movements += move_objects(session, objects=group, to_location=session.get(Location, loc_id),
                                  actor=actor, reason=reason, method=method, moved_at=moved_at,
                                  note=note, via_container=container)
    return movements


def complete_planned_move(session: Session, movement: Movement, *, actor: object,
                          moved_at: datetime | None = None) -> Movement:
    """Carry out a planned move: it becomes a done move now (or at ``moved_at``)."""
    check(actor, "movements.create")
    if movement.status != "planned":
        raise ValidationError("Only a planned move can be carried out.", field="status")
    obj = session.get(CatalogueObject, movement.object_id)
    to_location = session.get(Location, movement.to_location_id) if movement.to_location_id \
        else None
    assert obj is not None
    planned_for = movement.moved_at.strftime("%d %b %Y")
    done = move_objects(session, objects=[obj], to_location=to_location, actor=actor,
                        reason=movement.reason, method=movement.method, moved_at=moved_at,
                        sets_home=movement.sets_home,
                        note=((movement.note or "") + f" (planned for {planned_for})").strip())
    # The plan is replaced by the record of what happened; the audit trail keeps the plan.
    session.delete(movement)
    session.flush()
    return done[0]


def movement_history(session: Session, object_id: int) -> list[Movement]:
    """Every movement of an object, newest first."""
    return list(session.scalars(
        sa.select(Movement).where(Movement.object_id == object_id)
        .order_by(Movement.moved_at.desc(), Movement.id.desc())))


def location_on(session: Session, object_id: int, when: datetime) -> Movement | None:
    """The done movement that put the object where it was at ``when`` (None: no record yet)."""
    if when.tzinfo is None:
        raise ValidationError("The time needs a time zone.", field="when")
    return session.scalar(
        sa.select(Movement).where(Movement.object_id == object_id, Movement.status == "done",
                                  Movement.moved_at <= when)
        .order_by(Movement.moved_at.desc(), Movement.id.desc()).limit(1))


def objects_away_from_home(session: Session, *, limit: int = 500) -> list[CatalogueObject]:
    """Objects whose current location is not their home location."""
    return list(session.scalars(
        sa.select(CatalogueObject).where(
            CatalogueObject.home_location_id.is_not(None),
            sa.or_(CatalogueObject.current_location_id.is_(None),
                   CatalogueObject.current_location_id != CatalogueObject.home_location_id))
        .order_by(CatalogueObject.sort_key).limit(limit)))


def planned_movements(session: Session, *, limit: int = 200) -> list[Movement]:
    return list(session.scalars(
        sa.select(Movement).where(Movement.status == "planned")
        .order_by(Movement.moved_at).limit(limit)))


# --- emergency planning ---------------------------------------------------------------------


def set_salvage_priority(session: Session, obj: CatalogueObject, *, actor: object,
                         priority: int | None) -> None:
    """1 (save first) to 5, or None for not assessed."""
    check(actor, "locations.edit")
    if priority is not None and not 1 <= priority <= 5:
        raise ValidationError("Salvage priority is 1 (save first) to 5.", field="salvage_priority")
    obj.salvage_priority = priority
    session.flush()


def salvage_list(session: Session, location: Location) -> list[tuple[CatalogueObject, Location]]:
    """Objects in ``location`` and everything inside it, most urgent first (unassessed last)."""
    ids = descendant_ids(session, location.id)
    rows = session.execute(
        sa.select(CatalogueObject, Location)
        .join(Location, Location.id == CatalogueObject.current_location_id)
        .where(CatalogueObject.current_location_id.in_(ids))
        .order_by(sa.case((CatalogueObject.salvage_priority.is_(None), 1), else_=0),
                  CatalogueObject.salvage_priority, Location.code, CatalogueObject.sort_key))
    return [(obj, loc) for obj, loc in rows]
