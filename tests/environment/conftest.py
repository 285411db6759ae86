from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.environment.models import Sensor
from catalog.environment.parsers import ParsedReading
from tests.locations.factories import small_tree


@pytest.fixture
def tree(db_session):
    return small_tree(db_session)


@pytest.fixture
def sensor(db_session, tree):
    s = Sensor(code="TT-1", name="Tinytag in store", kind="tinytag", location=tree["store"],
               timezone="Europe/London")
    db_session.add(s)
    db_session.flush()
    return s


def series(start: datetime, values: list[tuple[float | None, float | None]],
           step: timedelta = timedelta(minutes=15)) -> list[ParsedReading]:
    """Readings every ``step`` from ``start`` with (°C, %RH) values."""
    return [ParsedReading(start + i * step, t, rh, None, i + 1)
            for i, (t, rh) in enumerate(values)]


T0 = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)
