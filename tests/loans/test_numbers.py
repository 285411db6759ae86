"""Two collections managers creating loans at the same moment get different numbers."""

from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa

from catalog.loans.models import Loan


def test_concurrent_loans_get_distinct_numbers(app, committed_db):
    from catalog.extensions import db
    from catalog.loans.services import create_loan
    from catalog.parties.models import Party
    from catalog.users.services import create_user

    user = create_user(committed_db, email="loans-racer@example.org", password="x" * 12,
                       role_codes=["collections_manager"])
    party = Party(kind="organisation", name="Racing Museum", sort_name="Racing Museum")
    committed_db.add(party)
    committed_db.flush()
    user_id, party_id = user.id, party.id
    committed_db.commit()  # hold no transaction (SQLite: no write lock) during the race
    threads_count, per_thread = 3, 4
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def manager() -> None:
        try:
            with app.app_context():
                from catalog.users.models import User

                actor = db.session.get(User, user_id)
                db.session.commit()
                barrier.wait(timeout=30)
                for _ in range(per_thread):
                    create_loan(db.session, direction="out",
                                party=db.session.get(Party, party_id),
                                start_date=date(2031, 5, 1), end_date=date(2031, 6, 1),
                                actor=actor)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=manager) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    numbers = committed_db.scalars(sa.select(Loan.number)).all()
    assert sorted(numbers) == sorted(f"LO.2031.{n}"
                                     for n in range(1, threads_count * per_thread + 1))
