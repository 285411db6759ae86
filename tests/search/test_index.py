"""The full-text index exists at the head of the migrations and follows inserts and deletes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from catalog.objects.models import CatalogueObject
from catalog.search.services import match_query
from tests.search.factories import make_object


def test_index_objects_exist(db_session: Any, backend: str) -> None:
    conn = db_session.connection()
    if backend == "sqlite":
        names = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name LIKE 'objects%fts%'").scalars())
        # A later migration that rebuilds `objects` drops triggers: this catches it.
        assert {"objects_fts", "objects_number_fts", "objects_fts_ai", "objects_fts_ad",
                "objects_fts_au"} <= names
    else:
        names = set(conn.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'objects'").scalars())
        assert {"ix_objects_search_tsv", "ix_objects_number_trgm"} <= names


def test_core_inserts_and_deletes_are_indexed(db_session: Any) -> None:
    obj = make_object(db_session, "IDX.1", title="Lantern")
    db_session.execute(sa.insert(CatalogueObject.__table__), [{
        "object_number": "IDX.2", "number_key": "idx.2", "sort_key": "idx.0102",
        "status": "accessioned", "number_of_objects": 1, "title": "Lantern slide",
        "created_at": obj.created_at, "updated_at": obj.created_at}])

    def found(q: str) -> int:
        return len(db_session.execute(match_query(db_session, q)).all())

    assert found("lantern") == 2
    db_session.execute(sa.delete(CatalogueObject.__table__).where(
        CatalogueObject.object_number == "IDX.2"))
    assert found("lantern") == 1
    assert found("dx.1") == 1
