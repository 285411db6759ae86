"""Scanning services: resolving codes, recording scans once, moves, conflicts, undo."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog.core.db import utcnow
from catalog.core.errors import NotFoundError, PermissionDenied, ValidationError
from catalog.locations.models import Movement
from catalog.locations.services import move_objects
from catalog.scanning import codes
from catalog.scanning.models import ConditionNote, Scan
from catalog.scanning.services import (
    apply_conflicted_scan,
    link_legacy_barcode,
    record_scan,
    resolve_code,
    undo_scan,
)


def cid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def store(make_location):
    room = make_location("STORE-A", name="Store A", kind="room")
    shelf = make_location("STORE-A-S1", parent=room, name="Shelf 1", kind="shelf")
    box = make_location("BOX-7", parent=shelf, name="Box 7", kind="box", is_container=True)
    return room, shelf, box


def test_resolve_every_kind_of_code(db_session, store, make_object):
    room, shelf, _ = store
    jug = make_object("2024.1.1", title="Jug", location=shelf)
    assert resolve_code(db_session, codes.object_code(jug.id)).record is jug
    assert resolve_code(db_session, f"http://catalog.test/s/{codes.location_code(room.id)}"
                        ).record is room
    assert resolve_code(db_session, "store-a-s1").record is shelf
    found = resolve_code(db_session, " 2024.1.1 ")
    assert (found.kind, found.record, found.matched_by) == ("object", jug, "object_number")
    link_legacy_barcode(db_session, barcode="00012345", target_code="2024.1.1")
    assert resolve_code(db_session, "00012345").matched_by == "legacy_barcode"
    with pytest.raises(NotFoundError):
        resolve_code(db_session, "NOTHING-HERE")
    # a QR payload names a scan code only, even if some location had that text as its code
    with pytest.raises(NotFoundError):
        resolve_code(db_session, "http://catalog.test/s/STORE-A")


def test_scan_codes_survive_renumbering(db_session, store, make_object):
    jug = make_object("2024.1.2", location=store[0])
    code = codes.object_code(jug.id)
    jug.object_number = "2024.99.1"
    jug.number_key = "2024.99.1"  # as the objects domain's renumbering does
    db_session.flush()
    assert resolve_code(db_session, code).record is jug


def test_legacy_barcode_is_linked_once(db_session, store, make_object):
    make_object("2024.1.3")
    link_legacy_barcode(db_session, barcode="ACME 0042", target_code="2024.1.3")
    with pytest.raises(ValidationError, match="already linked"):
        link_legacy_barcode(db_session, barcode="acme0042", target_code="STORE-A")
    with pytest.raises(NotFoundError):
        link_legacy_barcode(db_session, barcode="OTHER", target_code="no such thing")


def test_move_scan_is_recorded_exactly_once(db_session, make_user, store, make_object):
    tech = make_user("technician")
    room, _, box = store
    vase = make_object("2024.2.1", location=room)
    client_id = cid()
    first = record_scan(db_session, client_id=client_id, code=codes.payload(
        "http://catalog.test", codes.object_code(vase.id)), mode="move", actor=tech,
        location_code=codes.location_code(box.id))
    assert (first.repeated, first.scan.status) == (False, "recorded")
    assert vase.current_location_id == box.id
    again = record_scan(db_session, client_id=client_id, code="anything", mode="move",
                        actor=tech, location_code="STORE-A")
    assert again.repeated
    assert again.scan.id == first.scan.id
    assert vase.current_location_id == box.id
    with pytest.raises(ValidationError, match="another user"):
        record_scan(db_session, client_id=client_id, code="x", mode="lookup",
                    actor=make_user("technician"))
    moves = db_session.scalars(sa.select(Movement).where(Movement.object_id == vase.id)).all()
    assert len(moves) == 2  # the factory's first placement and the scanned move
    assert moves[-1].method == "scan"
    assert moves[-1].moved_by_id == tech.id


def test_offline_move_overtaken_by_a_newer_move_is_a_conflict(db_session, make_user, store,
                                                             make_object):
    tech = make_user("technician")
    room, shelf, box = store
    bowl = make_object("2024.2.2", location=room)
    scanned_offline = utcnow() - timedelta(minutes=30)
    # Meanwhile a colleague moves the bowl to the shelf (after the offline scan was made).
    move_objects(db_session, objects=[bowl], to_location=shelf, actor=None,
                 moved_at=utcnow() - timedelta(minutes=5))
    outcome = record_scan(db_session, client_id=cid(), code=codes.object_code(bowl.id),
                          mode="move", actor=tech, location_code="BOX-7",
                          scanned_at=scanned_offline)
    assert outcome.scan.status == "conflict"
    assert "STORE-A-S1" in outcome.scan.message
    assert "after this scan" in outcome.scan.message
    assert bowl.current_location_id == shelf.id  # nothing moved silently
    manager = make_user("collections_manager")
    apply_conflicted_scan(db_session, scan=outcome.scan, actor=manager)
    assert bowl.current_location_id == box.id
    assert outcome.scan.status == "recorded"


def test_expected_location_mismatch_is_a_conflict(db_session, make_user, store, make_object):
    tech = make_user("technician")
    room, shelf, _ = store
    cup = make_object("2024.2.3", location=shelf)
    outcome = record_scan(db_session, client_id=cid(), code="2024.2.3", mode="move",
                          actor=tech, location_code="BOX-7", expected_location_code="STORE-A")
    assert outcome.scan.status == "conflict"
    assert cup.current_location_id == shelf.id
    assert room.id != shelf.id


def test_business_refusals_are_recorded_as_rejected(db_session, make_user, store, make_object):
    tech = make_user("technician")
    room, _, _ = store
    full = store[2]
    full.capacity = 0
    make_object("2024.3.1", location=room)
    outcome = record_scan(db_session, client_id=cid(), code="2024.3.1", mode="move", actor=tech,
                          location_code="BOX-7")
    assert outcome.scan.status == "rejected"
    assert "holds 0 of 0" in outcome.scan.message
    unknown = record_scan(db_session, client_id=cid(), code="WHAT-IS-THIS", mode="lookup",
                          actor=tech)
    assert unknown.scan.status == "rejected"
    no_target = record_scan(db_session, client_id=cid(), code="2024.3.1", mode="move",
                            actor=tech)
    assert no_target.scan.status == "rejected"
    assert "location" in no_target.scan.message


def test_malformed_scans_record_nothing(db_session, make_user):
    tech = make_user("technician")
    with pytest.raises(ValidationError):
        record_scan(db_session, client_id="short", code="x", mode="lookup", actor=tech)
    with pytest.raises(ValidationError):
        record_scan(db_session, client_id=cid(), code="x", mode="dance", actor=tech)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Scan)) == 0


def test_viewers_cannot_scan_and_conservators_cannot_move(db_session, make_user, store,
                                                          make_object):
    make_object("2024.4.1", location=store[0])
    with pytest.raises(PermissionDenied):
        record_scan(db_session, client_id=cid(), code="2024.4.1", mode="lookup",
                    actor=make_user("viewer"))
    outcome = record_scan(db_session, client_id=cid(), code="2024.4.1", mode="move",
                          actor=make_user("conservator"), location_code="BOX-7")
    assert outcome.scan.status == "rejected"


def test_condition_note_and_undo(db_session, make_user, store, make_object):
    tech = make_user("technician")
    frame = make_object("2024.5.1", location=store[0])
    outcome = record_scan(db_session, client_id=cid(), code=codes.object_code(frame.id),
                          mode="condition", actor=tech, note="Corner chipped")
    note = db_session.scalar(sa.select(ConditionNote).where(ConditionNote.object_id == frame.id))
    assert note.note == "Corner chipped"
    assert note.noted_by_id == tech.id
    undo_scan(db_session, scan=outcome.scan, actor=tech)
    assert note.is_withdrawn
    assert outcome.scan.status == "undone"


def test_undo_a_move_puts_the_object_back(db_session, make_user, store, make_object):
    tech = make_user("technician")
    room, _, box = store
    plate = make_object("2024.5.2", location=room)
    outcome = record_scan(db_session, client_id=cid(), code="2024.5.2", mode="move", actor=tech,
                          location_code="BOX-7")
    assert plate.current_location_id == box.id
    with pytest.raises(Exception, match="your own"):
        undo_scan(db_session, scan=outcome.scan, actor=make_user("technician"))
    undo_scan(db_session, scan=outcome.scan, actor=tech)
    assert plate.current_location_id == room.id


def test_a_clock_in_the_future_does_not_win_conflicts(db_session, make_user, store, make_object):
    tech = make_user("technician")
    make_object("2024.6.1", location=store[0])
    outcome = record_scan(db_session, client_id=cid(), code="2024.6.1", mode="lookup",
                          actor=tech, scanned_at=utcnow() + timedelta(days=2))
    assert outcome.scan.scanned_at <= utcnow()


def test_scanning_a_container_in_move_mode_moves_it_with_its_contents(db_session, make_user,
                                                                      store, make_object,
                                                                      make_location):
    tech = make_user("technician")
    room, shelf, box = store
    other_shelf = make_location("STORE-A-S2", parent=room, kind="shelf")
    inside = make_object("2024.9.1", location=box)
    outcome = record_scan(db_session, client_id=cid(), code=codes.location_code(box.id),
                          mode="move", actor=tech, location_code="STORE-A-S2")
    assert outcome.scan.status == "recorded", outcome.scan.message
    assert box.parent_id == other_shelf.id
    assert inside.current_location_id == box.id
    assert "1 object(s)" in outcome.scan.message
    plain = record_scan(db_session, client_id=cid(), code="STORE-A-S1", mode="move",
                        actor=tech, location_code="STORE-A-S2")
    assert plain.scan.status == "rejected"
    assert shelf.parent_id == room.id
