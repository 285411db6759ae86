"""The same scan arriving twice at the same moment (a retry racing the original) records once."""

from __future__ import annotations

import threading
import uuid

import sqlalchemy as sa

from catalog.locations.models import Location, Movement
from catalog.objects.models import CatalogueObject
from catalog.objects.numbers import natural_sort_key, normalise_number
from catalog.scanning.models import Scan


def test_simultaneous_copies_of_one_scan_record_one_move(app, committed_db):
    from catalog.extensions import db
    from catalog.scanning.services import record_scan
    from catalog.users.models import User
    from catalog.users.services import create_user

    user = create_user(committed_db, email="racing-tablet@example.org", password="x" * 12,
                       role_codes=["technician"])
    box = Location(code="RACE-BOX", name="Race box")
    obj = CatalogueObject(object_number="RACE.1", number_key=normalise_number("RACE.1"),
                          sort_key=natural_sort_key("RACE.1"))
    committed_db.add_all([box, obj])
    committed_db.flush()
    user_id, object_id = user.id, obj.id
    committed_db.commit()
    client_id = str(uuid.uuid4())
    copies = 3
    barrier = threading.Barrier(copies)
    outcomes: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def tablet() -> None:
        try:
            with app.app_context():
                actor = db.session.get(User, user_id)
                _ = actor.permissions
                db.session.commit()  # hold no transaction (SQLite lock) before the race
                barrier.wait(timeout=30)
                outcome = record_scan(db.session, client_id=client_id, code="RACE.1",
                                      mode="move", actor=actor, location_code="RACE-BOX")
                db.session.commit()
                outcomes.append((outcome.scan.id, outcome.repeated))
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=tablet) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len({scan_id for scan_id, _ in outcomes}) == 1
    assert sorted(repeated for _, repeated in outcomes) == [False] + [True] * (copies - 1)
    assert committed_db.scalar(sa.select(sa.func.count()).select_from(Scan)) == 1
    moves = committed_db.scalars(sa.select(Movement).where(Movement.object_id == object_id)).all()
    assert len(moves) == 1
