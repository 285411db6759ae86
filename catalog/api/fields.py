"""Marshmallow fields that refuse, with a 422, what the database would refuse with a 500.

PostgreSQL rejects NUL characters in text and lone UTF-16 surrogates (which JSON can carry as
``"\\ud800"``), VARCHAR(n) overflows and integers beyond the column's range; SQLite accepts all of
these silently, so a bug would only show in production. Every API schema uses these fields.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _printable(value: str) -> str:
    if "\x00" in value:
        raise ma.ValidationError("Text must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("Text must be valid Unicode.") from None
    return value


class Str(ma.fields.String):
    """A string the database accepts; ``max_length`` mirrors the column's ``String(n)``."""

    def __init__(self, *, max_length: int | None = None, min_length: int | None = None,
                 **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        if isinstance(validators, ma.validate.Validator):  # pragma: no cover - defensive
            validators = [validators]
        validators.insert(0, _printable)
        if max_length is not None or min_length is not None:
            validators.insert(1, validate.Length(min=min_length, max=max_length))
        super().__init__(validate=validators, **kwargs)


class Int(ma.fields.Integer):
    """A strict integer (no ``"1"`` or ``1.5``) within the column's range (32 bits unless told)."""

    def __init__(self, *, minimum: int = INT32_MIN, maximum: int = INT32_MAX,
                 **kwargs: Any) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        validators.insert(0, validate.Range(min=minimum, max=maximum))
        kwargs.setdefault("strict", True)
        super().__init__(validate=validators, **kwargs)


class QueryInt(Int):
    """An integer in the query string (always text there, so not strict)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["strict"] = False
        super().__init__(**kwargs)


def one_of(choices: Any) -> validate.OneOf:
    return validate.OneOf(list(choices))


class ApiSchema(ma.Schema):
    """Base of request and response schemas: unknown fields are refused (422)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class Ref(Str):
    """A reference to another record by its natural key (a location by ``code``, an object by
    ``object_number``): dumped from the related record, loaded as the key for the service to look
    up (an unknown key is a 422 naming the field)."""

    def __init__(self, key: str = "code", **kwargs: Any) -> None:
        self.key = key
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return getattr(value, self.key)
