"""Batch edit: set or append one field on every object of a user's selection.

Each changed object is an ORM update, so the audit listener writes one history entry per record,
all carrying the same reason ("batch edit: …"). Deaccession is a procedure with its own
authorisation and is never a batch edit; deaccessioned records keep their status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.core.audit import reason
from catalog.core.errors import ValidationError
from catalog.core.permissions import check
from catalog.objects.models import OBJECT_STATUSES, CatalogueObject, ObjectMaker
from catalog.search.services import selection_ids

#: field -> label of the fields a batch edit may change
BATCH_FIELDS = {
    "title": "Title",
    "object_name": "Object name",
    "department": "Department",
    "credit_line": "Credit line",
    "rights": "Rights",
    "keywords": "Keywords",
    "brief_description": "Brief description",
    "materials": "Materials",
    "techniques": "Techniques",
    "production_place": "Production place",
    "status": "Status",
}
MODES = {"set": "Replace with", "append": "Add to the end"}
#: statuses a batch edit may set (deaccession is a procedure, never a batch edit)
BATCH_STATUSES = {k: v for k, v in OBJECT_STATUSES.items() if k != "deaccessioned"}
#: the most records one batch edit may change
BATCH_LIMIT = 5_000
_LIMITS = {"object_name": 200, "department": 200, "production_place": 300}
_SEPARATOR = {"keywords": "; "}


@dataclass
class Change:
    object_id: int
    object_number: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return (self.before or None) != (self.after or None)


def _validate(field: str, mode: str, value: str) -> str:
    if field not in BATCH_FIELDS:
        raise ValidationError("Choose a field that a batch edit can change.", field="field")
    if mode not in MODES:
        raise ValidationError("Choose to replace or to add.", field="mode")
    value = value.strip()
    if field == "status":
        if mode != "set":
            raise ValidationError("A status can only be replaced.", field="mode")
        if value not in BATCH_STATUSES:
            raise ValidationError("Deaccession is a procedure of its own, not a batch edit; "
                                  "choose another status.", field="value")
    if mode == "append" and not value:
        raise ValidationError("Give the text to add.", field="value")
    if field in _LIMITS and len(value) > _LIMITS[field]:
        raise ValidationError(f"At most {_LIMITS[field]} characters.", field="value")
    return value


def _new_value(field: str, mode: str, old: str | None, value: str) -> str | None:
    if mode == "set":
        return value or None
    if not old:
        return value
    if field == "keywords":
        existing = [k.strip().casefold() for k in old.split(";")]
        if value.casefold() in existing:
            return old
    return f"{old}{_SEPARATOR.get(field, ' ')}{value}"


def _selected_objects(session: Session, user: Any) -> list[CatalogueObject]:
    count = session.scalar(sa.select(sa.func.count()).select_from(
        selection_ids(user).subquery())) or 0
    if count == 0:
        raise ValidationError("The selection is empty: select objects in the search first.")
    if count > BATCH_LIMIT:
        raise ValidationError(f"The selection holds {count:,} objects; a batch edit changes at "
                              f"most {BATCH_LIMIT:,} at once. Narrow the selection.")
    return list(session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.id.in_(selection_ids(user)))
        .options(selectinload(CatalogueObject.makers).selectinload(ObjectMaker.party),
                 selectinload(CatalogueObject.other_numbers))
        .order_by(CatalogueObject.sort_key)))


def preview(session: Session, *, user: Any, field: str, mode: str, value: str) -> list[Change]:
    """Before and after for every selected record; changes nothing."""
    check(user, "objects.batch_edit")
    value = _validate(field, mode, value)
    changes = []
    for obj in _selected_objects(session, user):
        old = getattr(obj, field)
        new = old if field == "status" and obj.status == "deaccessioned" else \
            _new_value(field, mode, old, value)
        changes.append(Change(obj.id, obj.object_number, old, new))
    return changes


def apply(session: Session, *, user: Any, field: str, mode: str, value: str) -> int:
    """Make the change on every selected record; returns how many records changed."""
    check(user, "objects.batch_edit")
    value = _validate(field, mode, value)
    objects = _selected_objects(session, user)
    changed = 0
    why = f"batch edit: {MODES[mode].lower()} {BATCH_FIELDS[field].lower()} “{value[:80]}”"
    with reason(why):
        for obj in objects:
            if field == "status" and obj.status == "deaccessioned":
                continue
            old = getattr(obj, field)
            new = _new_value(field, mode, old, value)
            if (old or None) != (new or None):
                setattr(obj, field, new)
                changed += 1
        session.flush()
    return changed
