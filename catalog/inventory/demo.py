"""Demo data: inventory intervals on the demo stores, so the overdue report has something."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.demo import demo_loader


@demo_loader(65, "inventory")
def load_inventory(session: Session) -> list[str]:
    from catalog.inventory.models import InventorySchedule
    from catalog.inventory.services import museum_today
    from catalog.locations.models import Location

    today = museum_today()
    added = 0
    # Top-level demo locations get a yearly inventory; the first one is long overdue.
    roots = session.scalars(sa.select(Location).where(Location.parent_id.is_(None),
                                                      Location.is_active.is_(True))
                            .order_by(Location.code).limit(5)).all()
    for index, location in enumerate(roots):
        if session.get(InventorySchedule, location.id) is not None:
            continue
        last = today - timedelta(days=400 if index == 0 else 100)
        session.add(InventorySchedule(location_id=location.id, interval_days=365,
                                      last_inventory_on=last,
                                      next_inventory_on=last + timedelta(days=365)))
        added += 1
    session.flush()
    return [f"inventory: {added} location schedule(s) added"]
