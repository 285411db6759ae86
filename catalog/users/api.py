"""``GET /api/v1/me``: who the bearer token (or browser session) belongs to."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

api_bp = Blueprint("users_api", __name__, description="The signed-in user")


class MeSchema(ma.Schema):
    email = ma.fields.String(required=True)
    name = ma.fields.String()
    roles = ma.fields.List(ma.fields.String(), metadata={"description": "role codes"})
    permissions = ma.fields.List(ma.fields.String(), metadata={"description": "permission codes"})


@api_bp.route("")
@api_bp.response(200, MeSchema)
def me() -> Any:
    """The account the request is authenticated as, with its roles and permissions."""
    return {
        "email": current_user.email,
        "name": current_user.name,
        "roles": [role.code for role in current_user.roles],
        "permissions": sorted(current_user.permissions),
    }
