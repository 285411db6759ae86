"""JSON errors of the API: one shape for every 4xx, never a stack trace.

Every error is ``{"status": 422, "message": "…", "errors": {"field": ["…"]}}`` — the same shape
as :mod:`catalog.core.errors` gives domain errors on API paths, so a client parses one format.
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: webargs puts messages under the request location; clients care about the field names
_LOCATIONS = ("json", "query", "querystring", "view_args", "headers", "form", "files")


class ApiErrorSchema(ma.Schema):
    """An API error (documentation only)."""

    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    message = ma.fields.String(metadata={"description": "What went wrong, for people"})
    errors = ma.fields.Dict(metadata={"description": "Messages per field name"})


def flatten_messages(messages: Any) -> dict[str, Any]:
    """``{"json": {"title": [...]}}`` → ``{"title": [...]}``; a body-level message stays under
    its location (``{"json": ["Invalid JSON body."]}``)."""
    if not isinstance(messages, dict):
        return {"_request": messages}
    flat: dict[str, Any] = {}
    for key, value in messages.items():
        if key in _LOCATIONS and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def _message_for(error: HTTPException, errors: dict[str, Any] | None) -> str:
    if error.code == 400 and errors and "json" in errors:
        return "The request body is not valid JSON."
    if error.code == 422 and errors:
        return "The request has invalid fields: " + ", ".join(sorted(errors)) + "."
    return error.description or error.name


def api_error_response(error: HTTPException) -> Any:
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors")
    if errors is None and "messages" in data:
        errors = flatten_messages(data["messages"])
    body: dict[str, Any] = {"status": code,
                            "message": data.get("message") or _message_for(error, errors)}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Catalog API"'
    return response


def init_app(app: Flask) -> None:
    """Database refusals on API paths become 409 (conflict) or 422 (bad value), not 500."""
    fallback = app.error_handler_spec[None][None].get(Exception)

    def database_refused(exc: sa.exc.DBAPIError) -> Any:
        from catalog.extensions import db

        db.session.rollback()
        if not request.path.startswith("/api/") and fallback is not None:
            return fallback(exc)
        log.warning("database refused an API request: %s", exc.orig)
        integrity = isinstance(exc, sa.exc.IntegrityError)
        status = 409 if integrity else 422
        message = ("The record conflicts with another one (a number or code already in use?)."
                   if integrity else "A value was refused by the database.")
        response = jsonify({"status": status, "message": message})
        response.status_code = status
        return response

    app.register_error_handler(sa.exc.IntegrityError, database_refused)
    app.register_error_handler(sa.exc.DataError, database_refused)
