"""Small builders for storage tests (locations and objects straight into the session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject


def make_location(session: Any, code: str, *, kind: str = "room", parent: Location | None = None,
                  **kw: Any) -> Location:
    location = Location(code=code, name=kw.pop("name", f"Place {code}"), kind=kind,
                        parent=parent, **kw)
    session.add(location)
    session.flush()
    return location


def make_object(session: Any, number: str, **kw: Any) -> CatalogueObject:
    from catalog.objects.numbers import natural_sort_key, normalise_number

    obj = CatalogueObject(object_number=number, number_key=normalise_number(number),
                          sort_key=natural_sort_key(number),
                          title=kw.pop("title", f"Object {number}"), **kw)
    session.add(obj)
    session.flush()
    return obj


def small_tree(session: Any) -> dict[str, Location]:
    """SITE > BLDG > STORE (Bizot target) > UNIT > SHELF-A, SHELF-B; BOX-1 (container) on A."""
    site = make_location(session, "SITE", kind="site")
    bldg = make_location(session, "BLDG", kind="building", parent=site)
    store = make_location(session, "STORE", kind="room", parent=bldg, target_preset="bizot2023")
    unit = make_location(session, "UNIT-1", kind="unit", parent=store)
    shelf_a = make_location(session, "SHELF-A", kind="shelf", parent=unit, capacity=3)
    shelf_b = make_location(session, "SHELF-B", kind="shelf", parent=unit)
    box = make_location(session, "BOX-1", kind="box", parent=shelf_a, is_container=True)
    return {"site": site, "bldg": bldg, "store": store, "unit": unit, "shelf_a": shelf_a,
            "shelf_b": shelf_b, "box": box}


def shared_data() -> Path:
    """/work/shared/data from a checkout at /work/main or a worktree at /work/wt/<name>."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/data not found above the repository")
