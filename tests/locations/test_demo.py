from __future__ import annotations

import sqlalchemy as sa

from catalog.environment.models import Alert, Reading
from catalog.locations.demo import load_storage
from catalog.locations.models import Location
from tests.locations.factories import make_object


def test_demo_is_idempotent_and_places_objects(db_session):
    objs = [make_object(db_session, f"DEMO.{i}") for i in range(6)]
    first = load_storage(db_session)
    assert "10 locations created" in first[0]
    assert sum(o.current_location_id is not None for o in objs) == 6
    readings = db_session.scalar(sa.select(sa.func.count()).select_from(Reading))
    assert readings == 21 * 96
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Alert).where(
        Alert.kind == "rh_high")) == 1
    again = load_storage(db_session)
    assert "0 locations created" in again[0]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Reading)) == readings
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Location)) == 10
