"""Factories for object tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def registrar(make_user: Callable[..., Any]) -> Any:
    return make_user("registrar")


@pytest.fixture
def make_object(db_session: Any, registrar: Any) -> Callable[..., Any]:
    from catalog.objects.services import create_object

    counter = iter(range(1, 100_000))

    def factory(**overrides: Any) -> Any:
        fields: dict[str, Any] = {
            "object_number": f"2024.1.{next(counter)}", "object_name": "painting",
            "brief_description": "Oil sketch of a harbour", "status": "accessioned",
        }
        fields.update(overrides)
        return create_object(db_session, actor=overrides.pop("actor", registrar), **fields)

    return factory
