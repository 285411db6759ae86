"""Keyset (cursor) pagination for API lists.

A page is ``{"items": [...], "next_cursor": "…" | null}``. The cursor is opaque to clients: the
sort key of the last item, JSON in URL-safe base64. Keyset pages cost the same on page 1 and on
page 20,000 (no OFFSET) and never skip or repeat a record when others are added meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.api.fields import ApiSchema, QueryInt, Str

#: the largest page a client may ask for; more is a 422
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The key values in ``cursor``, checked against the key's Python types.

    Raises:
        marshmallow.ValidationError: a cursor this API did not hand out.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ma.ValidationError("Not a cursor from a previous page.", "cursor") from None
    if not isinstance(values, list) or len(values) != len(types):
        raise ma.ValidationError("Not a cursor from a previous page.", "cursor")
    for value, kind in zip(values, types, strict=True):
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ma.ValidationError("Not a cursor from a previous page.", "cursor")
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise ma.ValidationError("Not a cursor from a previous page.", "cursor")
        if isinstance(value, str) and "\x00" in value:
            raise ma.ValidationError("Not a cursor from a previous page.", "cursor")
    return tuple(values)


class ListArgs(ApiSchema):
    """Query arguments every list takes; a domain's filters subclass this."""

    cursor = Str(max_length=1000, metadata={
        "description": "`next_cursor` of the previous page; omit for the first page."})
    limit = QueryInt(minimum=1, maximum=MAX_PAGE_SIZE, load_default=DEFAULT_PAGE_SIZE,
                     metadata={"description": f"Page size, at most {MAX_PAGE_SIZE}."})


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The response schema of a list: items and the cursor of the next page."""
    return ma.Schema.from_dict({
        # Nested(many=True), not List(Nested): the item schema sees the whole page at once and
        # can load what it refers to in one query (pre_dump with pass_collection=True).
        "items": ma.fields.Nested(item_schema, many=True, required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True, metadata={
            "description": "Pass as `cursor` for the next page; null on the last page."}),
    }, name=name)  # fmt: skip


def keyset_page(session: Session, stmt: sa.Select[Any], *, key: Sequence[Any],
                cursor: str | None, limit: int) -> dict[str, Any]:
    """Run ``stmt`` ordered by ``key`` (unique, ascending columns) from ``cursor`` on.

    Raises:
        marshmallow.ValidationError: a cursor this API did not hand out.
    """
    types = [column.type.python_type for column in key]
    if cursor:
        values = decode_cursor(cursor, types)
        if len(key) == 1:
            stmt = stmt.where(key[0] > values[0])
        else:
            stmt = stmt.where(sa.tuple_(*key) > sa.tuple_(*[sa.literal(v) for v in values]))
    rows = list(session.scalars(stmt.order_by(*key).limit(limit + 1)).unique())
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, column.key) for column in key])
    return {"items": items, "next_cursor": next_cursor}
