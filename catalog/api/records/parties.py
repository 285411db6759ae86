"""``/api/v1/parties``: people and organisations (contact details need parties.personal)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.core.permissions import check, has_permission
from catalog.parties.models import PARTY_ROLES, Party, PartyRole

blp = Blueprint("parties_api", __name__, description="People and organisations.")

PARTY_KINDS = ("person", "organisation")
#: personal data: shown and written only with the parties.personal permission
PERSONAL_FIELDS = ("email", "phone", "address")


class PartySchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    kind = f.Str(validate=[f.one_of(PARTY_KINDS)], load_default="person")
    name = f.Str(required=True, min_length=1, max_length=300)
    sort_name = f.Str(max_length=300, metadata={"description": "defaults to the name"})
    dates = f.Str(max_length=100, allow_none=True)
    nationality = f.Str(max_length=100, allow_none=True)
    email = f.Str(max_length=320, allow_none=True, validate=[ma.validate.Email()])
    phone = f.Str(max_length=50, allow_none=True)
    address = f.Str(max_length=2000, allow_none=True)
    country = f.Str(max_length=2, min_length=2, allow_none=True)
    notes = f.Str(max_length=20_000, allow_none=True)
    authority_uri = f.Str(max_length=500, allow_none=True, validate=[ma.validate.URL()])
    roles = ma.fields.List(f.Str(validate=[f.one_of(PARTY_ROLES)]), load_default=list)
    merged_into = f.Int(dump_only=True, attribute="merged_into_id", allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)

    @ma.pre_dump
    def role_list(self, party: Party, **kwargs: Any) -> Any:
        # The model holds PartyRole rows; the API speaks role codes.
        return _PartyView(party)

    @ma.post_dump
    def hide_personal(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not has_permission(current_user, "parties.personal"):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data


class _PartyView:
    def __init__(self, party: Party) -> None:
        self._party = party
        self.roles = sorted(party.role_codes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._party, name)


class PartyFilters(ListArgs):
    kind = f.Str(validate=[f.one_of(PARTY_KINDS)])
    role = f.Str(validate=[f.one_of(PARTY_ROLES)])
    name = f.Str(max_length=300, metadata={"description": "part of the name, any case"})


def _apply(party: Party, data: dict[str, Any], user: Any) -> Party:
    if any(data.get(name) is not None for name in PERSONAL_FIELDS):
        check(user, "parties.personal")
    if "roles" in data:
        party.roles = [PartyRole(role=code) for code in sorted(set(data.pop("roles")))]
    for name, value in data.items():
        setattr(party, name, value)
    if "name" in data and "sort_name" not in data and not party.sort_name:
        party.sort_name = party.name
    return party


def create_party(session: Any, data: dict[str, Any], user: Any) -> Party:
    party = Party(sort_name=data.get("sort_name") or data["name"])
    session.add(party)
    return _apply(party, data, user)


def update_party(session: Any, party: Party, data: dict[str, Any], user: Any) -> Party:
    return _apply(party, data, user)


def _name_contains(value: str) -> Any:
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(Party.name).like(f"%{escaped}%", escape="\\")


crud(blp, Resource(
    model=Party, schema=PartySchema, filters=PartyFilters, noun="party",
    view="parties.view", edit="parties.edit", create=create_party, update=update_party,
    filter_clauses={
        "role": lambda v: Party.roles.any(PartyRole.role == v),
        "name": _name_contains,
    },
))  # fmt: skip
