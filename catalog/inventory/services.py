"""Inventories (SPECTRUM inventory): check what is really in a location against the records.

Start an inventory of a location (with its sub-locations), record each object found there (by
scanning or by ticking it on the list), then finish: every object is given an outcome:

- **found**: found in the location the records give;
- **missing**: the records put it in the inventoried location, nobody found it;
- **unexpected**: found here, but the records put it outside the inventoried location;
- **misplaced**: found within the inventoried location, but not in the sub-location the records
  give (on shelf 3 instead of shelf 2).

Finishing sets the location's last inventory date, and its next date from its interval. Finishing
can also correct the records for what was found (unexpected and misplaced objects are moved, with
the movement service, to where they were found); missing objects are never moved automatically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, InvalidTransition, NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.inventory.models import (
    Inventory,
    InventoryFinding,
    InventoryResult,
    InventorySchedule,
)
from catalog.locations.models import Location
from catalog.locations.services import move_objects
from catalog.objects.models import CatalogueObject


def museum_today() -> date:
    """Today's date in the museum's time zone (inventory dates are the museum's dates)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return datetime.now(ZoneInfo(current_app.config["MUSEUM_TIMEZONE"])).date()


def location_tree_ids(session: Session, root: Location, *, include_sublocations: bool = True
                      ) -> list[int]:
    """Ids of ``root`` and (optionally) every location below it."""
    if not include_sublocations:
        return [root.id]
    from catalog.locations.services import descendant_ids

    return [root.id, *(i for i in descendant_ids(session, root.id) if i != root.id)]


def get_inventory(session: Session, inventory_id: int) -> Inventory:
    inventory = session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFoundError("There is no such inventory.")
    return inventory


def start_inventory(session: Session, *, location: Location, actor: Any,
                    include_sublocations: bool = True, note: str | None = None) -> Inventory:
    """Open an inventory of ``location``.

    Raises:
        DomainError: an inventory of this location is already open.
    """
    check(actor, "inventory.run")
    open_one = session.scalar(sa.select(Inventory.id).where(
        Inventory.location_id == location.id, Inventory.status == "open"))
    if open_one is not None:
        raise DomainError(f"An inventory of {location.code} is already open (no. {open_one}); "
                          "continue that one or finish it first.")
    inventory = Inventory(location_id=location.id, include_sublocations=include_sublocations,
                          status="open", started_at=utcnow(),
                          started_by_id=getattr(actor, "id", None), note=note or None)
    inventory.location = location
    session.add(inventory)
    session.flush()
    return inventory


def expected_objects(session: Session, inventory: Inventory) -> list[CatalogueObject]:
    """The objects the records currently place in the inventoried location(s), by number."""
    tree = location_tree_ids(session, inventory.location,
                             include_sublocations=inventory.include_sublocations)
    return list(session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.current_location_id.in_(tree))
        .order_by(CatalogueObject.sort_key)))


def _require_open(inventory: Inventory) -> None:
    if inventory.status != "open":
        raise InvalidTransition(f"Inventory no. {inventory.id} is {inventory.status}; "
                                "findings can only be recorded while it is open.")


def record_finding(session: Session, *, inventory: Inventory, obj: CatalogueObject,
                   actor: Any, found_location: Location | None = None,
                   found_at: datetime | None = None, method: str = "scan"
                   ) -> InventoryFinding:
    """Record that ``obj`` was found in ``found_location``.

    Without ``found_location``, an object the records place inside the inventoried location is
    found where recorded, any other object in the inventoried location itself.

    Finding an object twice keeps the first finding, unless the second names a different
    sub-location: then the later place counts (it was moved while the inventory ran).

    Raises:
        ValidationError: ``found_location`` is outside the inventoried location.
    """
    check(actor, "inventory.run")
    _require_open(inventory)
    tree = location_tree_ids(session, inventory.location,
                             include_sublocations=inventory.include_sublocations)
    if found_location is None:
        # No sub-location named (scanned at the room's level, or ticked on the list): an object
        # the records place inside counts as found there; anything else was found in the room.
        recorded = obj.current_location
        place = recorded if recorded is not None and recorded.id in tree else inventory.location
    else:
        place = found_location
        if place.id not in tree:
            raise ValidationError(f"{place.code} is not within {inventory.location.code}, the "
                                  "location being inventoried.", field="location_code")
    finding = session.scalar(sa.select(InventoryFinding).where(
        InventoryFinding.inventory_id == inventory.id, InventoryFinding.object_id == obj.id))
    if finding is None:
        finding = InventoryFinding(inventory_id=inventory.id, object_id=obj.id,
                                   found_location_id=place.id, found_at=found_at or utcnow(),
                                   found_by_id=getattr(actor, "id", None), method=method)
        session.add(finding)
    elif finding.found_location_id != place.id:
        finding.found_location_id = place.id
        finding.found_at = found_at or utcnow()
    finding.found_location = place
    finding.object = obj
    session.flush()
    return finding


def record_findings_from_list(session: Session, *, inventory: Inventory, object_ids: Iterable[int],
                              actor: Any) -> int:
    """Tick objects on the expected list as found where the records place them."""
    count = 0
    objects = session.scalars(sa.select(CatalogueObject)
                              .where(CatalogueObject.id.in_(list(object_ids))))
    for obj in objects:
        record_finding(session, inventory=inventory, obj=obj, actor=actor, method="list")
        count += 1
    return count


def remove_finding(session: Session, *, inventory_id: int | None, object_id: int,
                   actor: Any) -> None:
    """Withdraw a finding (undo on the tablet, or a wrong tick)."""
    check(actor, "inventory.run")
    if inventory_id is None:
        return
    inventory = get_inventory(session, inventory_id)
    _require_open(inventory)
    finding = session.scalar(sa.select(InventoryFinding).where(
        InventoryFinding.inventory_id == inventory_id, InventoryFinding.object_id == object_id))
    if finding is not None:
        inventory.findings.remove(finding)
        session.flush()


@dataclass
class Progress:
    """Where an open (or finished) inventory stands."""

    expected: list[CatalogueObject]
    found: list[InventoryFinding]
    missing: list[CatalogueObject] = field(default_factory=list)
    unexpected: list[InventoryFinding] = field(default_factory=list)


def progress(session: Session, inventory: Inventory) -> Progress:
    """Expected objects, findings so far, what is still missing and what was unexpected."""
    expected = expected_objects(session, inventory)
    found = list(inventory.findings)
    found_ids = {f.object_id for f in found}
    expected_ids = {o.id for o in expected}
    return Progress(expected=expected, found=found,
                    missing=[o for o in expected if o.id not in found_ids],
                    unexpected=[f for f in found if f.object_id not in expected_ids])


def finish_inventory(session: Session, *, inventory: Inventory, actor: Any,
                     correct_locations: bool = False, today: date | None = None
                     ) -> list[InventoryResult]:
    """Close the inventory, fix each object's outcome, and date the location's inventory.

    Args:
        correct_locations: move unexpected and misplaced objects, in the records, to where they
            were found (one movement each, reason "Inventory no. N").
    """
    check(actor, "inventory.run")
    _require_open(inventory)
    if correct_locations:
        check(actor, "movements.create")
    tree = set(location_tree_ids(session, inventory.location,
                                 include_sublocations=inventory.include_sublocations))
    expected = {o.id: o for o in expected_objects(session, inventory)}
    findings = {f.object_id: f for f in inventory.findings}
    results: list[InventoryResult] = []
    to_correct: dict[int, list[CatalogueObject]] = {}
    for object_id in sorted(set(expected) | set(findings)):
        finding = findings.get(object_id)
        obj = expected.get(object_id) or (finding.object if finding else None)
        assert obj is not None
        recorded = obj.current_location_id
        if finding is None:
            outcome = "missing"
        elif recorded not in tree:
            outcome = "unexpected"
        elif recorded != finding.found_location_id:
            outcome = "misplaced"
        else:
            outcome = "found"
        result = InventoryResult(inventory_id=inventory.id, object_id=object_id,
                                 expected_location_id=recorded,
                                 found_location_id=finding.found_location_id if finding else None,
                                 outcome=outcome)
        session.add(result)
        results.append(result)
        if correct_locations and outcome in ("unexpected", "misplaced") and finding:
            to_correct.setdefault(finding.found_location_id, []).append(obj)
    for location_id, objects in to_correct.items():
        move_objects(session, objects=objects, to_location=session.get(Location, location_id),
                     actor=actor, reason=f"Inventory no. {inventory.id}", method="inventory")
    inventory.status = "finished"
    inventory.finished_at = utcnow()
    inventory.finished_by_id = getattr(actor, "id", None)
    _date_inventory(session, inventory.location_id, sorted(tree), today or museum_today())
    session.flush()
    return results


def cancel_inventory(session: Session, *, inventory: Inventory, actor: Any) -> Inventory:
    check(actor, "inventory.run")
    _require_open(inventory)
    inventory.status = "cancelled"
    inventory.finished_at = utcnow()
    inventory.finished_by_id = getattr(actor, "id", None)
    session.flush()
    return inventory


def _date_inventory(session: Session, root_id: int, location_ids: list[int], on: date) -> None:
    """The root and every sub-location covered were inventoried on ``on``."""
    schedules = {s.location_id: s for s in session.scalars(
        sa.select(InventorySchedule).where(InventorySchedule.location_id.in_(location_ids)))}
    if root_id not in schedules:
        # The root always gets a record of its last inventory, even without an interval.
        schedules[root_id] = InventorySchedule(location_id=root_id)
        session.add(schedules[root_id])
    for schedule in schedules.values():
        schedule.last_inventory_on = on
        schedule.recompute(on)


def set_interval(session: Session, *, location: Location, interval_days: int | None,
                 actor: Any, today: date | None = None) -> InventorySchedule:
    """Set how often ``location`` is inventoried (None: no regular inventory)."""
    check(actor, "inventory.run")
    if interval_days is not None and not 1 <= interval_days <= 3650:
        raise ValidationError("The interval is between 1 and 3650 days.", field="interval_days")
    schedule = session.get(InventorySchedule, location.id)
    if schedule is None:
        schedule = InventorySchedule(location_id=location.id)
        session.add(schedule)
    schedule.interval_days = interval_days
    schedule.recompute(today or museum_today())
    session.flush()
    return schedule


def schedule_for(session: Session, location: Location) -> InventorySchedule | None:
    return session.get(InventorySchedule, location.id)


def overdue_locations(session: Session, *, as_of: date) -> list[InventorySchedule]:
    """Locations whose next inventory date has passed, most overdue first."""
    return list(session.scalars(
        sa.select(InventorySchedule).join(InventorySchedule.location)
        .where(InventorySchedule.next_inventory_on < as_of, Location.is_active.is_(True))
        .order_by(InventorySchedule.next_inventory_on, Location.code)))


def list_schedules(session: Session, *, limit: int = 500) -> list[InventorySchedule]:
    """Every location with an inventory record: last and next dates, soonest due first."""
    return list(session.scalars(
        sa.select(InventorySchedule).join(InventorySchedule.location)
        .order_by(InventorySchedule.next_inventory_on.is_(None),
                  InventorySchedule.next_inventory_on, Location.code).limit(limit)))


def list_inventories(session: Session, *, status: str | None = None, limit: int = 100
                     ) -> list[Inventory]:
    query = sa.select(Inventory).order_by(Inventory.started_at.desc()).limit(limit)
    if status:
        query = query.where(Inventory.status == status)
    return list(session.scalars(query))


def results_by_outcome(inventory: Inventory) -> dict[str, list[InventoryResult]]:
    grouped: dict[str, list[InventoryResult]] = {
        "missing": [], "unexpected": [], "misplaced": [], "found": []}
    for result in inventory.results:
        grouped[result.outcome].append(result)
    return grouped
