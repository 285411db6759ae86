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
from catalog.core.errors import ValidationError
from catalog.locations.models import Location, Movement
from catalog.objects.models import CatalogueObject


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
) -> list[Movement]:
    """Record the move of ``objects`` to ``to_location`` (None: off site, e.g. dispatched on loan).

    A done move updates each object's current location (and home location when ``sets_home``
    or when the object has no home yet); a planned move changes nothing but the plan.

    Raises:
        ValidationError: an inactive location, or more objects than the location's capacity.
    """
    if status not in ("done", "planned"):
        raise ValidationError("A movement is either planned or done.", field="status")
    if to_location is not None and not to_location.is_active:
        raise ValidationError(f"The location {to_location.code} is retired.", field="location")
    if to_location is not None and to_location.capacity is not None and status == "done":
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
        )  # fmt: skip
        session.add(movement)
        movements.append(movement)
        if status == "done":
            obj.current_location_id = to_location.id if to_location else None
            if to_location is not None and (sets_home or obj.home_location_id is None):
                obj.home_location_id = to_location.id
    session.flush()
    return movements
