"""Demo storage: a small museum site with targets, a logger with three weeks of readings
(including an RH excursion) and, when the objects demo has run, some objects placed."""

from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.demo import demo_loader
from catalog.locations.models import Location

#: (code, name, kind, parent code, extra)
DEMO_TREE = [
    ("DEMO", "Demo Museum", "site", None, {}),
    ("DEMO-MAIN", "Main Building", "building", "DEMO", {"security_level": 2}),
    ("DEMO-STORE-1", "Store 1 (mixed collections)", "room", "DEMO-MAIN",
     {"target_preset": "bizot2023", "security_level": 4}),
    ("DEMO-S1-U1", "Store 1, racking unit 1", "unit", "DEMO-STORE-1", {}),
    ("DEMO-S1-U1-A", "Unit 1, shelf A", "shelf", "DEMO-S1-U1", {"capacity": 20}),
    ("DEMO-S1-U1-B", "Unit 1, shelf B", "shelf", "DEMO-S1-U1", {"capacity": 20}),
    ("DEMO-BOX-1", "Archive box 1", "box", "DEMO-S1-U1-A", {"is_container": True,
                                                            "capacity": 10}),
    ("DEMO-PAPER", "Works on paper store", "room", "DEMO-MAIN",
     {"target_preset": "custom", "target_temp_min": 1600, "target_temp_max": 2000,
      "target_rh_min": 450, "target_rh_max": 550, "target_rh_swing": 50, "security_level": 4}),
    ("DEMO-PAPER-D1", "Plan chest, drawer 1", "drawer", "DEMO-PAPER", {"is_container": True}),
    ("DEMO-GAL-1", "Gallery 1", "room", "DEMO-MAIN", {"target_preset": "ashrae_a1"}),
]


@demo_loader(60, "storage")
def load_storage(session: Session) -> list[str]:
    from catalog.environment.models import Sensor
    from catalog.environment.parsers import ParsedReading
    from catalog.environment.services import store_readings
    from catalog.locations.services import move_objects
    from catalog.objects.models import CatalogueObject

    by_code = {loc.code: loc for loc in session.scalars(
        sa.select(Location).where(Location.code.like("DEMO%")))}
    created = 0
    for code, name, kind, parent, extra in DEMO_TREE:
        if code not in by_code:
            loc = Location(code=code, name=name, kind=kind, parent=by_code.get(parent or ""),
                           **extra)
            session.add(loc)
            by_code[code] = loc
            created += 1
    session.flush()
    report = [f"storage: {created} locations created"]

    if session.scalar(sa.select(Sensor.id).where(Sensor.code == "DEMO-TT-1")) is None:
        sensor = Sensor(code="DEMO-TT-1", name="Tinytag in Store 1", kind="tinytag",
                        serial_number="DEMO-0001", location=by_code["DEMO-STORE-1"],
                        timezone="Europe/London")
        session.add(sensor)
        session.flush()
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        start = now - timedelta(days=21)
        readings = []
        for i in range(21 * 96):
            when = start + timedelta(minutes=15 * i)
            hours = i / 4
            temp = 19.5 + 1.5 * math.sin(2 * math.pi * (hours - 9) / 24)
            rh = 50 + 4 * math.sin(2 * math.pi * hours / 24 / 3.5)
            if 10 * 24 <= hours < 10 * 24 + 6:  # a leaking roof on day ten
                rh = 67 + (hours - 240) / 2
            readings.append(ParsedReading(when, round(temp, 2), round(rh, 1), None, i + 1))
        outcome = store_readings(session, sensor, readings, source="demo", actor=None)
        report.append(f"storage: sensor DEMO-TT-1 with {outcome.record.rows_imported} readings, "
                      f"{len(outcome.alerts_opened)} alert(s)")

    placed = 0
    if by_code["DEMO-S1-U1-A"].id is not None and session.scalar(
            sa.select(sa.func.count()).select_from(CatalogueObject)
            .where(CatalogueObject.current_location_id.in_([loc.id for loc in by_code.values()]))
    ) == 0:
        unplaced = list(session.scalars(sa.select(CatalogueObject).where(
            CatalogueObject.current_location_id.is_(None)).order_by(CatalogueObject.sort_key)
            .limit(24)))
        targets = ["DEMO-S1-U1-A", "DEMO-S1-U1-B", "DEMO-BOX-1", "DEMO-PAPER-D1", "DEMO-GAL-1"]
        for index, obj in enumerate(unplaced):
            move_objects(session, objects=[obj], to_location=by_code[targets[index % 5]],
                         actor=None, reason="Storage", method="Hand carry", sets_home=True,
                         note="demo placement")
            if index % 4 == 0:
                obj.salvage_priority = 1 + index % 5
            placed += 1
        report.append(f"storage: {placed} demo object(s) placed" if placed else
                      "storage: no demo objects to place (the objects demo has not run)")
    return report
