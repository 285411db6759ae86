"""``/api/v1/movements``: object moves, written through the movement service (never updated)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_smorest import Blueprint

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.core.errors import ValidationError
from catalog.locations.models import Location, Movement
from catalog.locations.services import get_location_by_code, move_objects
from catalog.objects.models import CatalogueObject
from catalog.objects.numbers import normalise_number
from catalog.users.models import User

blp = Blueprint("movements_api", __name__, description="Movements of objects between locations.")


class MovementSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    object_id = f.Int(dump_only=True)
    object = f.Str(required=True, max_length=100,
                   metadata={"description": "object number of the object moved"})
    from_location = f.Str(dump_only=True, allow_none=True, metadata={"description": "code"})
    to_location = f.Str(required=True, allow_none=True, max_length=100, metadata={
        "description": "code of the destination; null for off site (e.g. dispatched on loan)"})
    moved_at = ma.fields.AwareDateTime(metadata={"description": "default: now"})
    moved_by = f.Str(dump_only=True, allow_none=True, metadata={"description": "user's email"})
    status = f.Str(validate=[f.one_of(("done", "planned"))], load_default="done")
    reason = f.Str(max_length=200, allow_none=True)
    method = f.Str(max_length=200, allow_none=True)
    sets_home = ma.fields.Boolean(load_default=False)
    note = f.Str(max_length=20_000, allow_none=True)

    @ma.pre_dump(pass_collection=True)
    def resolve_references(self, data: Any, many: bool, **kwargs: Any) -> Any:
        # Movements hold ids; one query per kind of reference for the whole page.
        from catalog.extensions import db

        movements = list(data) if many else [data]
        object_ids = {m.object_id for m in movements}
        location_ids = {i for m in movements for i in (m.from_location_id, m.to_location_id) if i}
        user_ids = {m.moved_by_id for m in movements if m.moved_by_id}
        numbers = dict(db.session.execute(
            sa.select(CatalogueObject.id, CatalogueObject.object_number)
            .where(CatalogueObject.id.in_(object_ids))).all()) if object_ids else {}
        codes = dict(db.session.execute(
            sa.select(Location.id, Location.code).where(Location.id.in_(location_ids))).all()
        ) if location_ids else {}
        emails = dict(db.session.execute(
            sa.select(User.id, User.email).where(User.id.in_(user_ids))).all()) if user_ids else {}
        views = [{
            "id": m.id, "object_id": m.object_id, "object": numbers.get(m.object_id),
            "from_location": codes.get(m.from_location_id),
            "to_location": codes.get(m.to_location_id), "moved_at": m.moved_at,
            "moved_by": emails.get(m.moved_by_id), "status": m.status, "reason": m.reason,
            "method": m.method, "sets_home": m.sets_home, "note": m.note,
        } for m in movements]  # fmt: skip
        return views if many else views[0]


class MovementFilters(ListArgs):
    object_id = f.QueryInt(minimum=1)
    status = f.Str(validate=[f.one_of(("done", "planned"))])
    to_location = f.Str(max_length=100, metadata={"description": "destination code"})
    moved_since = ma.fields.AwareDateTime()


def create_movement(session: Any, data: dict[str, Any], user: Any) -> Movement:
    obj = session.scalar(sa.select(CatalogueObject).where(
        CatalogueObject.number_key == normalise_number(data.pop("object"))))
    if obj is None:
        raise ValidationError("There is no object with that number.", field="object")
    code = data.pop("to_location")
    to_location = None
    if code is not None:
        try:
            to_location = get_location_by_code(session, code)
        except ValidationError as exc:
            raise ValidationError(exc.message, field="to_location") from None
    (movement,) = move_objects(session, objects=[obj], to_location=to_location, actor=user,
                               **data)
    return movement


def _to_location_is(code: str) -> Any:
    return Movement.to_location_id.in_(
        sa.select(Location.id).where(sa.func.lower(Location.code) == code.lower()))


crud(blp, Resource(
    model=Movement, schema=MovementSchema, filters=MovementFilters, noun="movement",
    view="locations.view", edit="movements.create", create=create_movement, updatable=False,
    filter_clauses={
        "to_location": _to_location_is,
        "moved_since": lambda v: Movement.moved_at >= v,
    },
))  # fmt: skip
