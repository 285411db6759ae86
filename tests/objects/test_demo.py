"""The demo loader creates realistic objects and procedures, and is idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from catalog.core.audit import acting_as
from catalog.demo import load_users
from catalog.objects.demo import load_objects
from catalog.objects.models import CatalogueObject
from catalog.procedures.models import Acquisition, ObjectEntry


def load_demo(session):
    # Only this domain's loader (after the demo users): the whole demo is other domains' too.
    with acting_as(None):
        load_users(session)
        return load_objects(session)


def test_demo_is_idempotent(db_session):
    load_demo(db_session)
    count = db_session.scalar(sa.select(sa.func.count()).select_from(CatalogueObject))
    assert count >= 30
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Acquisition)) == 1
    assert load_demo(db_session) == [
        "objects: 0 created, 0 images; parties: 0 donors; procedures: 0 created"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(CatalogueObject)) == count
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ObjectEntry)) == 2
    turner = db_session.scalar(sa.select(CatalogueObject).where(
        CatalogueObject.object_number == "D33116"))
    assert turner.makers[0].party.name == "Joseph Mallord William Turner"
    assert turner.dimensions_display == "support: 74 × 165 mm"
    assert turner.primary_image is not None
