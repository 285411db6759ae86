"""Import a location tree from the National Gallery of Art's open data (``locations.csv``).

Each row of ``locations.csv`` is a TMS location: a building (``site``), a room (``room``, named by
``description``) and optionally a unit position within it (``unitposition``: a wall such as E or
W, a baffle, a case). Catalog builds site › building › floor › room › unit from it. The floor
comes from ``preferred_locations.csv`` and ``preferred_locations_tms_locations.csv`` when they sit
next to the file (rooms without a known floor hang directly under their building).

Importing again updates names and adds new places; nothing is deleted.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import ValidationError
from catalog.locations.models import Location

REQUIRED_COLUMNS = {"locationid", "site", "room", "description", "unitposition"}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rows: int = 0
    codes: list[str] = field(default_factory=list)


def _building_code(name: str) -> str:
    """"West Building" → "WB"; "Sculpture Garden (WSG)" → "WSG" (the code the museum uses)."""
    if m := re.search(r"\(([A-Z0-9]+)\)", name):
        return m.group(1)
    return "".join(word[0] for word in name.split() if word[:1].isalnum()).upper()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._:\-]+", "-", text.strip()).strip("-").upper()


def _floors(folder: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(TMS location id → floor key, floor key → floor name) from the preferred-location files."""
    preferred = folder / "preferred_locations.csv"
    mapping = folder / "preferred_locations_tms_locations.csv"
    if not (preferred.exists() and mapping.exists()):
        return {}, {}
    with preferred.open(encoding="utf-8-sig", newline="") as fh:
        places = {r["locationkey"]: r for r in csv.DictReader(fh)}
    floor_names = {key: r["description"] for key, r in places.items()
                   if r["locationtype"] == "floor"}
    by_tms: dict[str, tuple[str, str]] = {}
    with mapping.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            place = places.get(r["preferredlocationkey"])
            if place and place["locationtype"] == "room" and place["partof"] in floor_names:
                by_tms[r["tmslocationid"]] = (place["partof"], floor_names[place["partof"]])
    return by_tms, floor_names


def import_nga_locations(session: Session, path: Path, *, prefix: str = "NGA",
                         site_name: str = "National Gallery of Art") -> ImportResult:
    """Build or update the location tree from an NGA ``locations.csv``.

    Raises:
        ValidationError: the file is not a locations export (names the missing columns or the line).
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise ValidationError(
                    f"{path.name} is not an NGA locations file: no column(s) "
                    + ", ".join(sorted(missing)) + ".")
            rows = []
            for line, row in enumerate(reader, start=2):
                if not (row.get("site") or "").strip() or not (row.get("room") or "").strip():
                    raise ValidationError(f"{path.name} line {line}: a location needs a site "
                                          "and a room.")
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path.name} is not UTF-8 text ({exc.reason}).") from exc
    floor_of_tms, _ = _floors(path.parent)

    existing = {loc.code: loc for loc in session.scalars(
        sa.select(Location).where(sa.or_(Location.code == prefix,
                                         Location.code.like(f"{prefix}-%"))))}
    result = ImportResult(rows=len(rows))

    def upsert(code: str, name: str, kind: str, parent: Location | None,
               notes: str | None = None) -> Location:
        loc = existing.get(code)
        if loc is None:
            loc = Location(code=code, name=name, kind=kind, parent=parent, notes=notes)
            session.add(loc)
            existing[code] = loc
            result.created += 1
            result.codes.append(code)
        elif loc.name != name:
            loc.name = name
            result.updated += 1
        return loc

    site = upsert(prefix, site_name, "site", None)
    # A room's floor: the first of its TMS locations that the preferred-location files place.
    room_floor: dict[str, tuple[str, str]] = {}
    # A few rooms carry two descriptions in TMS: the first one names the room.
    room_name: dict[str, str] = {}
    for row in rows:
        room_name.setdefault(row["room"], row["description"].strip() or row["room"])
        if row["room"] not in room_floor and row["locationid"] in floor_of_tms:
            room_floor[row["room"]] = floor_of_tms[row["locationid"]]
    for row in rows:
        building_name = row["site"].strip()
        building = upsert(f"{prefix}-{_building_code(building_name)}", building_name,
                          "building", site)
        parent = building
        if row["room"] in room_floor:
            floor_key, floor_name = room_floor[row["room"]]
            parent = upsert(f"{prefix}-{_slug(floor_key)}", floor_name, "floor", building)
        room_code = f"{prefix}-{_slug(row['room'])}"
        room = upsert(room_code, room_name[row["room"]], "room", parent)
        if unit := (row.get("unitposition") or "").strip():
            upsert(f"{room_code}/{_slug(unit)}", f"{room.name}, {unit.title()}", "unit", room,
                   notes=f"NGA location id {row['locationid']}")
        elif not room.notes:
            room.notes = f"NGA location id {row['locationid']}"
    session.flush()
    return result
