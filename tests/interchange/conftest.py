from __future__ import annotations

import csv
import gzip
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from tests.interchange.xmlschemas import SCHEMAS

TATE = SCHEMAS.parent / "data" / "museum" / "tate_artworks_cc0.csv.gz"


def tate_rows(count: int, skip: int = 0) -> list[dict[str, str]]:
    with gzip.open(TATE, "rt", encoding="utf-8", newline="") as handle:
        return list(itertools.islice(csv.DictReader(handle), skip, skip + count))


def load_tate(session: Any, count: int, *, skip: int = 0) -> list[Any]:
    """``count`` real Tate artworks as object records; every other one is published, and
    the classification becomes the department."""
    import sqlalchemy as sa

    from catalog.objects.models import CatalogueObject, ObjectMaker
    from catalog.objects.numbers import natural_sort_key, normalise_number
    from catalog.parties.models import Party

    objects = []
    parties: dict[str, Any] = {}
    for i, row in enumerate(tate_rows(count, skip)):
        year = int(row["year_start"]) if row["year_start"].isdigit() else None
        obj = CatalogueObject(
            object_number=row["accession_number"],
            number_key=normalise_number(row["accession_number"]),
            sort_key=natural_sort_key(row["accession_number"]), title=row["title"],
            object_name="artwork", production_date=row["dateText"], earliest_year=year,
            latest_year=year, materials=row["medium"] or None,
            dimensions_display=row["dimensions"] or None, credit_line=row["creditLine"] or None,
            inscriptions=row["inscription"] or None, department=row["classification"] or None,
            rights="© Tate (CC0 metadata)", is_published=i % 2 == 0,
        )
        session.add(obj)
        if row["artist"]:
            party = parties.get(row["artist"]) or session.scalar(
                sa.select(Party).where(Party.name == row["artist"]))
            if party is None:
                party = Party(name=row["artist"], sort_name=row["artist"], kind="person")
                session.add(party)
            parties[row["artist"]] = party
            obj.makers = [ObjectMaker(party=party, role=row["artist_role"] or "artist")]
        objects.append(obj)
    session.flush()
    return objects


@pytest.fixture
def tate(db_session: Any) -> Callable[..., list[Any]]:
    return lambda count, **kw: load_tate(db_session, count, **kw)
