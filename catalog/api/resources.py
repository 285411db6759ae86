"""Generic list / read / create / update endpoints for one model (see :mod:`catalog.api`).

:func:`crud` adds to a flask-smorest blueprint:

- ``GET    /``      list: the filters of ``Resource.filters``, keyset pagination (``cursor``,
  ``limit`` ≤ 200);
- ``POST   /``      create (when ``Resource.edit`` is set), 201 with the record;
- ``GET    /<id>``  read;
- ``PATCH  /<id>``  update the given fields (when ``Resource.update`` or the default applies).

Each method checks the user's own permission (the one the web views require). Writes flush
inside the request so that a refused constraint is a 409 answer, not a failed commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from catalog.api.errors import ApiErrorSchema
from catalog.api.pagination import ListArgs, keyset_page, page_schema
from catalog.core.permissions import require
from catalog.extensions import db

Filter = Callable[[Any], Any]


@dataclass
class Resource:
    """What :func:`crud` needs to know about a model's API."""

    #: the SQLAlchemy model
    model: type[Any]
    #: marshmallow schema (field names = the model's attribute names)
    schema: type[ma.Schema]
    #: permission to list and read
    view: str
    #: permission to create and update; None for a read-only resource
    edit: str | None = None
    #: query-string arguments (subclass of ListArgs); each non-null one filters the list
    filters: type[ListArgs] = ListArgs
    #: filter name -> function(value) returning a WHERE clause; others compare for equality
    filter_clauses: dict[str, Filter] = field(default_factory=dict)
    #: create(session, data, user) -> record; default: model(**data)
    create: Callable[[Any, dict[str, Any], Any], Any] | None = None
    #: update(session, record, data, user) -> record; default: setattr per field
    update: Callable[[Any, Any, dict[str, Any], Any], Any] | None = None
    #: whether PATCH is offered (movements, for instance, are history: never updated)
    updatable: bool = True
    #: loader options for list and read (avoid one query per row)
    options: Sequence[Any] = ()
    #: extra WHERE clauses applied to every query (e.g. hide merged records)
    base_where: Sequence[Any] = ()
    #: unique ascending key of the keyset pagination; default the primary key
    key: Sequence[Any] | None = None
    #: words used in the OpenAPI document
    noun: str = "record"


def default_create(resource: Resource) -> Callable[[Any, dict[str, Any], Any], Any]:
    def create(session: Any, data: dict[str, Any], user: Any) -> Any:
        record = resource.model(**data)
        session.add(record)
        return record

    return create


def default_update(session: Any, record: Any, data: dict[str, Any], user: Any) -> Any:
    for name, value in data.items():
        setattr(record, name, value)
    return record


def _flush() -> None:
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        abort(409, message="The record conflicts with another one (a number or code already "
                           "in use, or a reference to a record that does not exist).")


def get_or_404(resource: Resource, record_id: int) -> Any:
    if not 0 < record_id < 2**31:  # ids are 32-bit; a larger one is simply not there
        abort(404, message=f"There is no {resource.noun} with the id {record_id}.")
    stmt = sa.select(resource.model).where(
        resource.model.id == record_id, *resource.base_where).options(*resource.options)
    record = db.session.scalars(stmt).unique().one_or_none()
    if record is None:
        abort(404, message=f"There is no {resource.noun} with the id {record_id}.")
    return record


def list_records(resource: Resource, args: dict[str, Any]) -> dict[str, Any]:
    model = resource.model
    stmt = sa.select(model).where(*resource.base_where).options(*resource.options)
    cursor = args.pop("cursor", None)
    limit = args.pop("limit")
    for name, value in args.items():
        if value is None:
            continue
        clause = resource.filter_clauses.get(name)
        stmt = stmt.where(clause(value) if clause else getattr(model, name) == value)
    key = resource.key or [model.id]
    try:
        return keyset_page(db.session, stmt, key=key, cursor=cursor, limit=limit)
    except ma.ValidationError as exc:
        abort(422, errors={"cursor": exc.messages if isinstance(exc.messages, list)
                           else [str(exc.messages)]})
    raise AssertionError("unreachable")  # pragma: no cover


def crud(blp: Blueprint, resource: Resource) -> None:
    """Add the list, create, read and update endpoints of ``resource`` to ``blp``."""
    schema = resource.schema
    name = schema.__name__.removesuffix("Schema")
    page = page_schema(schema, f"{name}Page")
    noun = resource.noun
    create = resource.create or default_create(resource)
    update = resource.update or default_update
    error = ApiErrorSchema
    # PATCH leaves out top-level fields; nested items (makers …) stay complete.
    top_level = tuple(n for n, fld in schema().fields.items() if not fld.dump_only)
    # Its own class, so the OpenAPI document names it (ObjectPatch) instead of "Object1".
    patch_schema = type(f"{name}PatchSchema", (schema,), {})
    a_noun = ("an " if noun[0] in "aeiou" else "a ") + noun

    class Collection(MethodView):
        @require(resource.view)
        @blp.arguments(resource.filters, location="query")
        @blp.response(200, page)
        @blp.alt_response(401, schema=error, description="No valid bearer token.")
        @blp.alt_response(403, schema=error, description="The token's user lacks the permission.")
        def get(self, args: dict[str, Any]) -> Any:
            return list_records(resource, args)

        if resource.edit:

            @require(resource.edit)
            @blp.arguments(schema)
            @blp.response(201, schema)
            @blp.alt_response(401, schema=error, description="No valid bearer token.")
            @blp.alt_response(403, schema=error,
                              description="The token's user lacks the permission.")
            @blp.alt_response(409, schema=error, description="Conflicts with another record.")
            def post(self, data: dict[str, Any]) -> Any:
                record = create(db.session, data, current_user._get_current_object())
                _flush()
                return record

    Collection.get.__doc__ = f"List {noun}s"
    if resource.edit:
        Collection.post.__doc__ = f"Create {a_noun}"

    class Item(MethodView):
        @require(resource.view)
        @blp.response(200, schema)
        @blp.alt_response(401, schema=error, description="No valid bearer token.")
        @blp.alt_response(403, schema=error, description="The token's user lacks the permission.")
        @blp.alt_response(404, schema=error, description=f"No such {noun}.")
        def get(self, record_id: int) -> Any:
            return get_or_404(resource, record_id)

        if resource.edit and resource.updatable:

            @require(resource.edit)
            @blp.arguments(patch_schema(partial=top_level))
            @blp.response(200, schema)
            @blp.alt_response(401, schema=error, description="No valid bearer token.")
            @blp.alt_response(403, schema=error,
                              description="The token's user lacks the permission.")
            @blp.alt_response(404, schema=error, description=f"No such {noun}.")
            @blp.alt_response(409, schema=error, description="Conflicts with another record.")
            def patch(self, data: dict[str, Any], record_id: int) -> Any:
                record = get_or_404(resource, record_id)
                record = update(db.session, record, data, current_user._get_current_object())
                _flush()
                return record

    Item.get.__doc__ = f"Read {a_noun}"
    if resource.edit and resource.updatable:
        Item.patch.__doc__ = f"Change some fields of {a_noun}"

    blp.route("", endpoint="collection")(Collection)
    blp.route("/<int:record_id>", endpoint="item")(Item)
