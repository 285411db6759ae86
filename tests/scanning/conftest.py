"""Factories for scanning, labels and inventory tests (objects and locations)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest


@pytest.fixture
def make_location(db_session: Any) -> Callable[..., Any]:
    from catalog.locations.models import Location

    def factory(code: str, *, parent: Any = None, name: str | None = None, **kw: Any) -> Any:
        location = Location(code=code, name=name or f"Location {code}", parent=parent, **kw)
        db_session.add(location)
        # committed (a savepoint of the test's transaction): a request's rollback keeps it
        db_session.commit()
        return location

    return factory


@pytest.fixture
def make_object(db_session: Any) -> Callable[..., Any]:
    from catalog.core.db import utcnow
    from catalog.locations.services import move_objects
    from catalog.objects.models import CatalogueObject
    from catalog.objects.numbers import natural_sort_key, normalise_number

    def factory(number: str, *, title: str | None = None, location: Any = None,
                **kw: Any) -> Any:
        obj = CatalogueObject(object_number=number, number_key=normalise_number(number),
                              sort_key=natural_sort_key(number),
                              title=title or f"Object {number}", **kw)
        db_session.add(obj)
        db_session.flush()
        if location is not None:
            # placed a day ago, so that scans made "now" come after the placement
            move_objects(db_session, objects=[obj], to_location=location, actor=None,
                         moved_at=utcnow() - timedelta(days=1))
        db_session.commit()
        return obj

    return factory
