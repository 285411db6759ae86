"""``/api/v1/objects``: object records with their makers and other numbers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.core.errors import DomainError, ValidationError
from catalog.core.permissions import check, has_permission
from catalog.objects.models import OBJECT_STATUSES, CatalogueObject, ObjectMaker, OtherNumber
from catalog.objects.numbers import natural_sort_key, normalise_number
from catalog.parties.models import Party

blp = Blueprint("objects_api", __name__, description="Object records (catalogue).")

OTHER_NUMBER_KINDS = ("previous", "temporary", "loan", "entry", "other")


class MakerSchema(f.ApiSchema):
    party = f.Int(required=True, attribute="party_id", data_key="party",
                  metadata={"description": "id of the party (see /api/v1/parties)"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    role = f.Str(max_length=100, load_default="artist")


class OtherNumberSchema(f.ApiSchema):
    number = f.Str(required=True, min_length=1, max_length=100)
    kind = f.Str(load_default="previous", validate=[f.one_of(OTHER_NUMBER_KINDS)])
    note = f.Str(max_length=300, allow_none=True)


class ObjectSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    object_number = f.Str(required=True, min_length=1, max_length=100)
    status = f.Str(validate=[f.one_of(OBJECT_STATUSES)], load_default="accessioned")
    object_name = f.Str(max_length=200, allow_none=True)
    title = f.Str(max_length=5000, allow_none=True)
    number_of_objects = f.Int(minimum=1, maximum=1_000_000, load_default=1)
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
    is_published = ma.fields.Boolean(load_default=False, metadata={
        "description": "Exposed to aggregators over OAI-PMH."})
    makers = ma.fields.List(ma.fields.Nested(MakerSchema), load_default=list)
    other_numbers = ma.fields.List(ma.fields.Nested(OtherNumberSchema), load_default=list)
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


# Number normalisation -------------------------------------------------------------------------
def number_key(number: str) -> str:
    """Unique form of an object number: the one the catalogue itself uses."""
    return normalise_number(number)


def sort_key(number: str) -> str:
    """Natural sort key, as the catalogue computes it ("2024.2.9" < "2024.2.10")."""
    return natural_sort_key(number)


def _check_number_free(session: Any, number: str, own_id: int | None) -> str:
    key = number_key(number)
    if not key:
        raise ValidationError("An object number cannot be blank.", field="object_number")
    other = session.scalar(sa.select(CatalogueObject.id).where(CatalogueObject.number_key == key))
    if other is not None and other != own_id:
        raise DomainError(f"The number {number} is already in use.", field="object_number")
    return key


def _set_makers(session: Any, obj: CatalogueObject, makers: list[dict[str, Any]]) -> None:
    wanted = {m["party_id"] for m in makers}
    found = set(session.scalars(sa.select(Party.id).where(Party.id.in_(wanted))))
    if missing := wanted - found:
        raise ValidationError(f"There is no party with the id {min(missing)}.", field="makers")
    obj.makers = [ObjectMaker(party_id=m["party_id"], role=m.get("role") or "artist", position=i)
                  for i, m in enumerate(makers)]


def _check_status(user: Any, status: str | None, obj: CatalogueObject | None) -> None:
    # Deaccessioning is a procedure with its own permission, whichever path it takes.
    if status == "deaccessioned" and (obj is None or obj.status != "deaccessioned"):
        check(user, "objects.deaccession")


def create_object(session: Any, data: dict[str, Any], user: Any) -> CatalogueObject:
    makers = data.pop("makers", [])
    other_numbers = data.pop("other_numbers", [])
    _check_status(user, data.get("status"), None)
    number = data["object_number"].strip()
    key = _check_number_free(session, number, None)
    obj = CatalogueObject(**{**data, "object_number": number}, number_key=key,
                          sort_key=sort_key(number))
    obj.other_numbers = [OtherNumber(**n) for n in other_numbers]
    session.add(obj)
    _set_makers(session, obj, makers)
    return obj


def update_object(session: Any, obj: CatalogueObject, data: dict[str, Any],
                  user: Any) -> CatalogueObject:
    _check_status(user, data.get("status"), obj)
    earliest = data.get("earliest_year", obj.earliest_year)
    latest = data.get("latest_year", obj.latest_year)
    if earliest is not None and latest is not None and earliest > latest:
        raise ValidationError("The latest year is before the earliest.", field="latest_year")
    if "object_number" in data:
        # Renumbering keeps the old number as a previous number, as the catalogue's own form does.
        from catalog.objects.services import renumber_object

        renumber_object(session, obj, actor=user, new_number=data.pop("object_number"))
    if "makers" in data:
        _set_makers(session, obj, data.pop("makers"))
    if "other_numbers" in data:
        obj.other_numbers = [OtherNumber(**n) for n in data.pop("other_numbers")]
    for name, value in data.items():
        setattr(obj, name, value)
    return obj


crud(blp, Resource(
    model=CatalogueObject, schema=ObjectSchema, filters=ObjectFilters, noun="object",
    view="objects.view", edit="objects.edit", create=create_object, update=update_object,
    options=[selectinload(CatalogueObject.makers).joinedload(ObjectMaker.party),
             selectinload(CatalogueObject.other_numbers),
             selectinload(CatalogueObject.current_location),
             selectinload(CatalogueObject.home_location)],
    filter_clauses={
        "department": lambda v: sa.func.lower(CatalogueObject.department) == v.lower(),
        "object_number": lambda v: CatalogueObject.number_key == number_key(v),
        "updated_since": lambda v: CatalogueObject.updated_at >= v,
    },
))  # fmt: skip
