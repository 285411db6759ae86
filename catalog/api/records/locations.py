"""``/api/v1/locations``: the storage hierarchy; ``parent`` is given and shown by code."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_smorest import Blueprint
from sqlalchemy.orm import aliased, selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.core.errors import DomainError, ValidationError
from catalog.locations.models import LOCATION_KINDS, Location
from catalog.locations.services import get_location_by_code

blp = Blueprint("locations_api", __name__, description="Storage locations.")


class LocationSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    code = f.Str(required=True, min_length=1, max_length=100)
    name = f.Str(required=True, min_length=1, max_length=300)
    kind = f.Str(validate=[f.one_of(LOCATION_KINDS)], load_default="room")
    parent = f.Ref(allow_none=True, metadata={"description": "code of the enclosing location"})
    is_container = ma.fields.Boolean(load_default=False)
    capacity = f.Int(minimum=0, allow_none=True)
    security_level = f.Int(minimum=0, maximum=5, load_default=0)
    notes = f.Str(max_length=20_000, allow_none=True)
    is_active = ma.fields.Boolean(load_default=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class LocationFilters(ListArgs):
    kind = f.Str(validate=[f.one_of(LOCATION_KINDS)])
    parent = f.Str(max_length=100, metadata={"description": "code of the enclosing location"})
    is_active = ma.fields.Boolean()
    code = f.Str(max_length=100, metadata={"description": "exact, case-insensitive"})


def _check_code_free(session: Any, code: str, own_id: int | None) -> str:
    code = code.strip()
    if not code:
        raise ValidationError("A location code cannot be blank.", field="code")
    other = session.scalar(
        sa.select(Location.id).where(sa.func.lower(Location.code) == code.lower()))
    if other is not None and other != own_id:
        raise DomainError(f"The code {code} is already in use.", field="code")
    return code


def _set_parent(session: Any, location: Location, code: str | None) -> None:
    if code is None:
        location.parent = None
        return
    try:
        parent = get_location_by_code(session, code)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="parent") from None
    ancestor: Location | None = parent
    while ancestor is not None:
        # A location inside itself would make the hierarchy a loop.
        if ancestor is location:
            raise ValidationError("A location cannot be inside itself.", field="parent")
        ancestor = ancestor.parent
    location.parent = parent


def create_location(session: Any, data: dict[str, Any], user: Any) -> Location:
    parent = data.pop("parent", None)
    data["code"] = _check_code_free(session, data["code"], None)
    location = Location(**data)
    _set_parent(session, location, parent)
    session.add(location)
    return location


def update_location(session: Any, location: Location, data: dict[str, Any],
                    user: Any) -> Location:
    if "code" in data:
        data["code"] = _check_code_free(session, data["code"], location.id)
    if "parent" in data:
        _set_parent(session, location, data.pop("parent"))
    for name, value in data.items():
        setattr(location, name, value)
    return location


def _parent_is(code: str) -> Any:
    parent = aliased(Location)
    return Location.parent_id.in_(
        sa.select(parent.id).where(sa.func.lower(parent.code) == code.lower()))


crud(blp, Resource(
    model=Location, schema=LocationSchema, filters=LocationFilters, noun="location",
    view="locations.view", edit="locations.edit", create=create_location, update=update_location,
    options=[selectinload(Location.parent)],
    filter_clauses={
        "parent": _parent_is,
        "code": lambda v: sa.func.lower(Location.code) == v.lower(),
    },
))  # fmt: skip
