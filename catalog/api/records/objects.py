"""``/api/v1/objects``: object records (through the objects module's services)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.core.errors import ValidationError
from catalog.core.permissions import check, has_permission
from catalog.objects import services
from catalog.objects.models import (
    DIMENSION_TYPES,
    LENGTH_UNITS,
    OBJECT_STATUSES,
    WEIGHT_UNITS,
    CatalogueObject,
    ObjectMaker,
)
from catalog.objects.numbers import normalise_number
from catalog.objects.services import DimensionInput, MakerInput

blp = Blueprint("objects_api", __name__, description="Object records (catalogue).")

OTHER_NUMBER_KINDS = tuple(services.OTHER_NUMBER_KINDS)


class MakerSchema(f.ApiSchema):
    party = f.Int(required=True, attribute="party_id", data_key="party",
                  metadata={"description": "id of the party (see /api/v1/parties)"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    role = f.Str(max_length=100, load_default="artist")


class OtherNumberSchema(f.ApiSchema):
    number = f.Str(required=True, min_length=1, max_length=100)
    kind = f.Str(load_default="previous", validate=[f.one_of(OTHER_NUMBER_KINDS)])
    note = f.Str(max_length=300, allow_none=True)


def _sensible_measurement(value: Any) -> None:
    if not value.is_finite() or value <= 0 or value >= 10**11:
        raise ma.ValidationError("Not a sensible measurement.")


class DimensionSchema(f.ApiSchema):
    part = f.Str(max_length=100, allow_none=True, metadata={"description": "e.g. frame"})
    dimension = f.Str(required=True, validate=[f.one_of(DIMENSION_TYPES)])
    # A plain function, not validate.Range: apispec would write Decimal bounds as strings.
    value = ma.fields.Decimal(required=True, as_string=True, places=3,
                              validate=[_sensible_measurement],
                              metadata={"description": "exact decimal, e.g. \"612.5\""})
    unit = f.Str(required=True, validate=[f.one_of((*LENGTH_UNITS, *WEIGHT_UNITS))])


class ImageSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    caption = f.Str(dump_only=True, allow_none=True)
    rights = f.Str(dump_only=True, allow_none=True)
    is_primary = ma.fields.Boolean(dump_only=True)
    width = f.Int(dump_only=True)
    height = f.Int(dump_only=True)


class ObjectSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    object_number = f.Str(required=True, min_length=1, max_length=100)
    status = f.Str(validate=[f.one_of(OBJECT_STATUSES)], load_default="accessioned")
    object_name = f.Str(max_length=200, allow_none=True)
    title = f.Str(max_length=5000, allow_none=True)
    number_of_objects = f.Int(minimum=1, maximum=1_000_000)
    parts = f.Str(max_length=100, allow_none=True)
    brief_description = f.Str(max_length=20_000, allow_none=True)
    physical_description = f.Str(max_length=20_000, allow_none=True)
    materials = f.Str(max_length=5000, allow_none=True)
    techniques = f.Str(max_length=5000, allow_none=True)
    dimensions_display = f.Str(max_length=5000, allow_none=True)
    production_date = f.Str(max_length=200, allow_none=True)
    earliest_year = f.Int(minimum=-100_000, maximum=3000, allow_none=True)
    latest_year = f.Int(minimum=-100_000, maximum=3000, allow_none=True)
    production_place = f.Str(max_length=300, allow_none=True)
    inscriptions = f.Str(max_length=20_000, allow_none=True)
    department = f.Str(max_length=200, allow_none=True)
    credit_line = f.Str(max_length=5000, allow_none=True)
    rights = f.Str(max_length=5000, allow_none=True)
    keywords = f.Str(max_length=5000, allow_none=True)
    is_published = ma.fields.Boolean(metadata={"description": "Exposed over OAI-PMH."})
    makers = ma.fields.List(ma.fields.Nested(MakerSchema))
    other_numbers = ma.fields.List(ma.fields.Nested(OtherNumberSchema), metadata={
        "description": "given on create; later ones come from renumbering"})
    dimensions = ma.fields.List(ma.fields.Nested(DimensionSchema))
    images = ma.fields.List(ma.fields.Nested(ImageSchema), dump_only=True)
    current_location = f.Ref(dump_only=True, metadata={"description": "location code"})
    home_location = f.Ref(dump_only=True, metadata={"description": "location code"})
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)

    @ma.post_dump
    def hide_locations(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # Where an object is kept is security information (locations.view).
        if not has_permission(current_user, "locations.view"):
            data.pop("current_location", None)
            data.pop("home_location", None)
        return data

    @ma.validates_schema
    def years_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        earliest, latest = data.get("earliest_year"), data.get("latest_year")
        if earliest is not None and latest is not None and earliest > latest:
            raise ma.ValidationError("The latest year is before the earliest.", "latest_year")


class ObjectFilters(ListArgs):
    status = f.Str(validate=[f.one_of(OBJECT_STATUSES)])
    department = f.Str(max_length=200)
    object_name = f.Str(max_length=200)
    object_number = f.Str(max_length=100, metadata={"description": "exact, case-insensitive"})
    is_published = ma.fields.Boolean()
    updated_since = ma.fields.AwareDateTime(metadata={
        "description": "changed at or after this time (ISO 8601 with zone)"})


def _makers(makers: list[dict[str, Any]]) -> list[MakerInput]:
    return [MakerInput(name="", party_id=m["party_id"], role=m.get("role") or "artist")
            for m in makers]


def _dimensions(dimensions: list[dict[str, Any]]) -> list[DimensionInput]:
    return [DimensionInput(dimension=d["dimension"], value=d["value"], unit=d["unit"],
                           part=d.get("part")) for d in dimensions]


def _check_status(user: Any, status: str | None, obj: CatalogueObject | None) -> None:
    # Deaccessioning is a procedure with its own permission, whichever path it takes.
    if status == "deaccessioned" and (obj is None or obj.status != "deaccessioned"):
        check(user, "objects.deaccession")


def create_object(session: Any, data: dict[str, Any], user: Any) -> CatalogueObject:
    """Through the objects service: the same numbering, minimum fields and makers as the UI."""
    _check_status(user, data.get("status"), None)
    is_published = data.pop("is_published", False)
    obj = services.create_object(
        session, actor=user, object_number=data.pop("object_number"),
        status=data.pop("status", "accessioned"), makers=_makers(data.pop("makers", [])),
        dimensions=_dimensions(data.pop("dimensions", [])),
        other_numbers=[(n["number"], n.get("kind") or "previous")
                       for n in data.pop("other_numbers", [])], **data)
    obj.is_published = is_published
    return obj


def update_object(session: Any, obj: CatalogueObject, data: dict[str, Any],
                  user: Any) -> CatalogueObject:
    _check_status(user, data.get("status"), obj)
    if "other_numbers" in data:
        raise ValidationError("Other numbers are added by renumbering; they cannot be replaced.",
                              field="other_numbers")
    if "object_number" in data:
        services.renumber_object(session, obj, actor=user, new_number=data.pop("object_number"))
    if "is_published" in data:
        check(user, "objects.edit")
        obj.is_published = data.pop("is_published")
    status = data.pop("status", None)
    makers = data.pop("makers", None)
    dimensions = data.pop("dimensions", None)
    services.update_object(session, obj, actor=user,
                           makers=_makers(makers) if makers is not None else None,
                           dimensions=_dimensions(dimensions) if dimensions is not None else None,
                           **data)
    if status is not None and status != obj.status:
        services.set_status(session, obj, status=status)
    return obj


def _department_is(value: str) -> Any:
    from sqlalchemy import func

    return func.lower(CatalogueObject.department) == value.lower()


crud(blp, Resource(
    model=CatalogueObject, schema=ObjectSchema, filters=ObjectFilters, noun="object",
    view="objects.view", edit="objects.edit", create=create_object, update=update_object,
    options=[selectinload(CatalogueObject.makers).joinedload(ObjectMaker.party),
             selectinload(CatalogueObject.other_numbers),
             selectinload(CatalogueObject.dimensions),
             selectinload(CatalogueObject.images),
             selectinload(CatalogueObject.current_location),
             selectinload(CatalogueObject.home_location)],
    filter_clauses={
        "department": _department_is,
        "object_number": lambda v: CatalogueObject.number_key == normalise_number(v),
        "updated_since": lambda v: CatalogueObject.updated_at >= v,
    },
))  # fmt: skip
