"""``/api/v1/parties``: people and organisations. Contact details (email, phone, address) are
included only for callers holding ``parties.personal``."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from catalog.core.permissions import require
from catalog.extensions import db
from catalog.parties import services

api_bp = Blueprint("parties_api", __name__, description="People and organisations")


class PartySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "person or organisation"})
    name = ma.fields.String(required=True)
    sort_name = ma.fields.String(required=True)
    dates = ma.fields.String(allow_none=True)
    nationality = ma.fields.String(allow_none=True)
    country = ma.fields.String(allow_none=True)
    authority_uri = ma.fields.String(allow_none=True)
    roles = ma.fields.List(ma.fields.String())
    merged_into_id = ma.fields.Integer(allow_none=True)
    email = ma.fields.String(allow_none=True,
                             metadata={"description": "only with parties.personal"})
    phone = ma.fields.String(allow_none=True,
                             metadata={"description": "only with parties.personal"})
    address = ma.fields.String(allow_none=True,
                               metadata={"description": "only with parties.personal"})


class PartyQuerySchema(ma.Schema):
    q = ma.fields.String(load_default=None, metadata={"description": "part of the name"})
    role = ma.fields.String(load_default=None)
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 500))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(0))


@api_bp.route("")
@api_bp.arguments(PartyQuerySchema, location="query")
@api_bp.response(200, PartySchema(many=True))
@require("parties.view")
def list_parties(args: dict[str, Any]) -> Any:
    """People and organisations (merged duplicates left out), alphabetical."""
    parties = services.search_parties(db.session, text=args["q"], role=args["role"],
                                      limit=args["limit"], offset=args["offset"])
    return [services.party_as_dict(p, current_user) for p in parties]


@api_bp.route("/<int:party_id>")
@api_bp.response(200, PartySchema)
@require("parties.view")
def get_party(party_id: int) -> Any:
    """One person or organisation."""
    return services.party_as_dict(services.get_party(db.session, party_id), current_user)
