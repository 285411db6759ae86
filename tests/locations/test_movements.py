"""Movements: moves, refusals, containers, selections, history, away from home, salvage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from catalog.core.errors import PermissionDenied, ValidationError
from catalog.locations import services
from catalog.locations.models import Movement
from tests.locations.factories import make_object, small_tree


@pytest.fixture
def tree(db_session):
    return small_tree(db_session)


def test_move_records_and_updates_current_and_home(db_session, tree, make_user):
    tech = make_user("technician")
    vase = make_object(db_session, "2024.1.1")
    services.move_selection(db_session, object_ids=[vase.id], to_location_code="shelf-b",
                            actor=tech, reason="Storage", method="Trolley")
    assert vase.current_location_id == tree["shelf_b"].id
    assert vase.home_location_id == tree["shelf_b"].id  # first move sets home
    services.move_selection(db_session, object_ids=[vase.id], to_location_code="SHELF-A",
                            actor=tech, reason="Photography")
    assert vase.current_location_id == tree["shelf_a"].id
    assert vase.home_location_id == tree["shelf_b"].id
    history = services.movement_history(db_session, vase.id)
    assert [m.to_location_id for m in history] == [tree["shelf_a"].id, tree["shelf_b"].id]
    assert history[0].from_location_id == tree["shelf_b"].id
    assert history[0].moved_by_id == tech.id
    assert services.objects_away_from_home(db_session) == [vase]


def test_move_into_full_or_unknown_location_is_refused(db_session, tree, make_user):
    tech = make_user("technician")
    objs = [make_object(db_session, f"2024.2.{i}") for i in range(1, 5)]
    with pytest.raises(ValidationError, match="SHELF-A holds 0 of 3 objects; 4 more do not fit"):
        services.move_selection(db_session, object_ids=[o.id for o in objs],
                                to_location_code="SHELF-A", actor=tech)
    with pytest.raises(ValidationError, match="no location with the code 'NOWHERE'"):
        services.move_selection(db_session, object_ids=[objs[0].id], to_location_code="NOWHERE",
                                actor=tech)
    with pytest.raises(ValidationError, match="Unknown object id"):
        services.move_selection(db_session, object_ids=[objs[0].id, 999999],
                                to_location_code="SHELF-B", actor=tech)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Movement)) == 0
    assert all(o.current_location_id is None for o in objs)


def test_viewer_cannot_move(db_session, tree, make_user):
    viewer = make_user("viewer")
    obj = make_object(db_session, "2024.3.1")
    with pytest.raises(PermissionDenied):
        services.move_selection(db_session, object_ids=[obj.id], to_location_code="SHELF-B",
                                actor=viewer)
    with pytest.raises(PermissionDenied):
        services.move_container(db_session, container=tree["box"], to_parent=tree["shelf_b"],
                                actor=viewer)


def test_moving_a_box_moves_its_contents(db_session, tree, make_user):
    tech = make_user("technician")
    a, b = make_object(db_session, "2024.4.1"), make_object(db_session, "2024.4.2")
    services.move_objects(db_session, objects=[a, b], to_location=tree["box"], actor=tech)
    movements = services.move_container(db_session, container=tree["box"],
                                        to_parent=tree["shelf_b"], actor=tech, reason="Storage")
    assert tree["box"].parent_id == tree["shelf_b"].id
    assert len(movements) == 2
    assert a.current_location_id == tree["box"].id  # still in the box
    assert "SHELF-B" in services.full_path(a.current_location)
    assert all("moved with container BOX-1" in m.note for m in movements)
    assert all(m.via_container_id == tree["box"].id for m in movements)
    with pytest.raises(ValidationError, match="inside itself"):
        services.move_container(db_session, container=tree["box"], to_parent=tree["box"],
                                actor=tech)
    with pytest.raises(ValidationError, match="not a container"):
        services.move_container(db_session, container=tree["shelf_a"], to_parent=tree["shelf_b"],
                                actor=tech)


def test_where_was_the_object_on_a_date(db_session, tree, make_user):
    tech = make_user("technician")
    obj = make_object(db_session, "2024.5.1")
    jan = datetime(2025, 1, 10, 12, tzinfo=UTC)
    services.move_objects(db_session, objects=[obj], to_location=tree["shelf_a"], actor=tech,
                          moved_at=jan)
    services.move_objects(db_session, objects=[obj], to_location=tree["shelf_b"], actor=tech,
                          moved_at=jan + timedelta(days=30))
    assert services.location_on(db_session, obj.id, jan - timedelta(days=1)) is None
    assert services.location_on(db_session, obj.id, jan + timedelta(days=5)).to_location_id == \
        tree["shelf_a"].id
    assert services.location_on(db_session, obj.id, jan + timedelta(days=45)).to_location_id == \
        tree["shelf_b"].id


def test_planned_move_changes_nothing_until_done(db_session, tree, make_user):
    tech = make_user("technician")
    obj = make_object(db_session, "2024.6.1")
    (plan,) = services.move_objects(db_session, objects=[obj], to_location=tree["shelf_b"],
                                    actor=tech, status="planned", reason="Display")
    assert obj.current_location_id is None
    assert services.planned_movements(db_session) == [plan]
    done = services.complete_planned_move(db_session, plan, actor=tech)
    assert obj.current_location_id == tree["shelf_b"].id
    assert done.status == "done"
    assert services.planned_movements(db_session) == []


def test_find_objects_by_number_names_the_missing(db_session):
    make_object(db_session, "T03868")
    assert [o.object_number for o in services.find_objects_by_numbers(db_session, [" t03868 "])] \
        == ["T03868"]
    with pytest.raises(ValidationError, match="No object with the number X1"):
        services.find_objects_by_numbers(db_session, ["T03868", "X1"])


def test_salvage_list_orders_by_priority(db_session, tree, make_user):
    manager = make_user("collections_manager")
    low = make_object(db_session, "S.1")
    high = make_object(db_session, "S.2")
    unassessed = make_object(db_session, "S.3")
    services.move_objects(db_session, objects=[low, high, unassessed], to_location=tree["shelf_b"],
                          actor=manager)
    services.set_salvage_priority(db_session, low, actor=manager, priority=4)
    services.set_salvage_priority(db_session, high, actor=manager, priority=1)
    with pytest.raises(ValidationError):
        services.set_salvage_priority(db_session, high, actor=manager, priority=9)
    with pytest.raises(PermissionDenied):
        services.set_salvage_priority(db_session, high, actor=make_user("technician"), priority=2)
    rows = services.salvage_list(db_session, tree["store"])
    assert [o.object_number for o, _ in rows] == ["S.2", "S.1", "S.3"]
