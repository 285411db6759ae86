"""Inventories: findings, discrepancies, dates and the overdue report."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.core.errors import DomainError, InvalidTransition, ValidationError
from catalog.inventory import services


@pytest.fixture
def store(make_location):
    room = make_location("R1", name="Room 1", kind="room")
    shelf1 = make_location("R1-S1", parent=room, kind="shelf")
    shelf2 = make_location("R1-S2", parent=room, kind="shelf")
    elsewhere = make_location("R9", name="Room 9", kind="room")
    return room, shelf1, shelf2, elsewhere


def test_discrepancies_missing_unexpected_misplaced(db_session, make_user, store, make_object):
    tech = make_user("technician")
    room, shelf1, shelf2, elsewhere = store
    ok = make_object("1", location=shelf1)
    gone = make_object("2", location=shelf1)
    stray = make_object("3", location=elsewhere)
    wandered = make_object("4", location=shelf1)
    inventory = services.start_inventory(db_session, location=room, actor=tech)
    assert [o.object_number for o in services.expected_objects(db_session, inventory)] == \
        ["1", "2", "4"]
    services.record_finding(db_session, inventory=inventory, obj=ok, found_location=shelf1,
                            actor=tech)
    services.record_finding(db_session, inventory=inventory, obj=stray, found_location=shelf2,
                            actor=tech)
    services.record_finding(db_session, inventory=inventory, obj=wandered,
                            found_location=shelf2, actor=tech)
    progress = services.progress(db_session, inventory)
    assert [o.id for o in progress.missing] == [gone.id]
    assert [f.object_id for f in progress.unexpected] == [stray.id]
    results = services.finish_inventory(db_session, inventory=inventory, actor=tech,
                                        today=date(2026, 11, 23))
    outcomes = {r.object_id: r.outcome for r in results}
    assert outcomes == {ok.id: "found", gone.id: "missing", stray.id: "unexpected",
                        wandered.id: "misplaced"}
    assert inventory.status == "finished"
    # nothing was moved: the records are corrected only when asked
    assert stray.current_location_id == elsewhere.id
    schedule = services.schedule_for(db_session, room)
    assert schedule.last_inventory_on == date(2026, 11, 23)
    with pytest.raises(InvalidTransition):
        services.record_finding(db_session, inventory=inventory, obj=ok, actor=tech)


def test_finishing_can_correct_the_records(db_session, make_user, store, make_object):
    manager = make_user("collections_manager")
    room, shelf1, shelf2, elsewhere = store
    stray = make_object("10", location=elsewhere)
    missing = make_object("11", location=shelf1)
    inventory = services.start_inventory(db_session, location=room, actor=manager)
    services.record_finding(db_session, inventory=inventory, obj=stray, found_location=shelf2,
                            actor=manager)
    services.finish_inventory(db_session, inventory=inventory, actor=manager,
                              correct_locations=True)
    assert stray.current_location_id == shelf2.id
    assert missing.current_location_id == shelf1.id  # missing objects are never moved


def test_one_open_inventory_per_location_and_place_must_be_inside(db_session, make_user, store,
                                                                  make_object):
    tech = make_user("technician")
    room, _, _, elsewhere = store
    inventory = services.start_inventory(db_session, location=room, actor=tech)
    with pytest.raises(DomainError, match="already open"):
        services.start_inventory(db_session, location=room, actor=tech)
    obj = make_object("20", location=room)
    with pytest.raises(ValidationError, match="not within"):
        services.record_finding(db_session, inventory=inventory, obj=obj,
                                found_location=elsewhere, actor=tech)


def test_picking_from_the_list_and_withdrawing(db_session, make_user, store, make_object):
    tech = make_user("technician")
    room, shelf1, _, _ = store
    a = make_object("30", location=shelf1)
    b = make_object("31", location=shelf1)
    inventory = services.start_inventory(db_session, location=room, actor=tech)
    assert services.record_findings_from_list(db_session, inventory=inventory,
                                              object_ids=[a.id, b.id], actor=tech) == 2
    services.remove_finding(db_session, inventory_id=inventory.id, object_id=b.id, actor=tech)
    progress = services.progress(db_session, inventory)
    assert [o.id for o in progress.missing] == [b.id]
    assert progress.found[0].method == "list"


def test_without_sublocations_only_the_location_itself_counts(db_session, make_user, store,
                                                              make_object):
    tech = make_user("technician")
    room, shelf1, _, _ = store
    make_object("40", location=shelf1)
    here = make_object("41", location=room)
    inventory = services.start_inventory(db_session, location=room, actor=tech,
                                         include_sublocations=False)
    assert [o.id for o in services.expected_objects(db_session, inventory)] == [here.id]


def test_intervals_and_overdue_report(db_session, make_user, store):
    tech = make_user("technician")
    room, shelf1, _, elsewhere = store
    services.set_interval(db_session, location=room, interval_days=365, actor=tech,
                          today=date(2025, 1, 1))
    services.set_interval(db_session, location=elsewhere, interval_days=30, actor=tech,
                          today=date(2026, 11, 1))
    overdue = services.overdue_locations(db_session, as_of=date(2026, 11, 23))
    assert [s.location.code for s in overdue] == ["R1", "R9"]  # most overdue first
    inventory = services.start_inventory(db_session, location=room, actor=tech)
    services.finish_inventory(db_session, inventory=inventory, actor=tech,
                              today=date(2026, 11, 23))
    schedule = services.schedule_for(db_session, room)
    assert schedule.next_inventory_on == date(2027, 11, 23)
    assert [s.location.code for s in services.overdue_locations(
        db_session, as_of=date(2026, 11, 23))] == ["R9"]
    with pytest.raises(ValidationError):
        services.set_interval(db_session, location=shelf1, interval_days=0, actor=tech)


def test_viewers_cannot_run_inventories(db_session, make_user, store):
    from catalog.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_inventory(db_session, location=store[0], actor=make_user("viewer"))


def test_demo_loader_is_idempotent(db_session, make_location):
    from catalog.inventory.demo import load_inventory

    make_location("DEMO-INV-ROOT", name="Demo store")
    assert load_inventory(db_session) != ["inventory: 0 location schedule(s) added"]
    assert load_inventory(db_session) == ["inventory: 0 location schedule(s) added"]
    assert services.overdue_locations(db_session, as_of=services.museum_today())
