"""The main pages run a bounded number of queries, however much the record holds (no N+1).

Each page is loaded with a small and a larger record (more makers, movements, objects, lines);
the number of SQL statements must not grow with it and stays under a fixed bound.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from catalog.finance import services as finance
from catalog.locations.services import move_objects
from catalog.objects.services import MakerInput, create_object
from tests.loans.factories import make_loan, make_location, make_object, make_party

#: generous ceilings: far below what one query per row would give at the larger size
BOUNDS = {"record": 30, "search": 30, "location": 30, "loan": 40, "invoice": 30}


def queries(client: Any, count_queries: Any, path: str) -> int:
    client.get(path)  # warm caches that are filled once per process (vocabularies, settings)
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture
def registrar(auth: Any) -> Any:
    return auth.login("admin")


def _object_with(session: Any, actor: Any, n: int, places: list[Any]) -> Any:
    obj = create_object(session, actor=actor, object_number=f"Q.{n}.1", title="Jug",
                        object_name="jug", brief_description="A jug.",
                        makers=[MakerInput(name=f"Potter {n}-{i}") for i in range(n)],
                        other_numbers=[(f"OLD-{n}-{i}", "previous") for i in range(n)])
    for place in places[:n]:
        move_objects(session, objects=[obj], to_location=place, actor=actor, reason="test")
    return obj


def test_object_record_page(client, registrar, db_session, count_queries):
    places = [make_location(db_session) for _ in range(8)]
    small = _object_with(db_session, registrar, 1, places)
    large = _object_with(db_session, registrar, 8, places)
    few = queries(client, count_queries, f"/objects/{small.id}")
    many = queries(client, count_queries, f"/objects/{large.id}")
    assert many == few
    assert many <= BOUNDS["record"]


def test_search_results_page(client, registrar, db_session, count_queries):
    place = make_location(db_session)
    for n in range(5):
        make_object(db_session, f"S.{n}", title=f"Stoneware jug {n}", current_location=place)
    few = queries(client, count_queries, "/search/?q=jug")
    for n in range(5, 30):
        make_object(db_session, f"S.{n}", title=f"Stoneware jug {n}", current_location=place)
    many = queries(client, count_queries, "/search/?q=jug")
    assert many == few
    assert many <= BOUNDS["search"]


def test_location_page(client, registrar, db_session, count_queries):
    room = make_location(db_session)
    for _ in range(2):
        make_location(db_session, parent_id=room.id)
    move_objects(db_session, objects=[make_object(db_session) for _ in range(2)],
                 to_location=room, actor=registrar, reason="test")
    few = queries(client, count_queries, f"/locations/{room.id}")
    for _ in range(6):
        make_location(db_session, parent_id=room.id)
    move_objects(db_session, objects=[make_object(db_session) for _ in range(15)],
                 to_location=room, actor=registrar, reason="test")
    many = queries(client, count_queries, f"/locations/{room.id}")
    assert many == few
    assert many <= BOUNDS["location"]


def test_loan_page(client, registrar, db_session, count_queries):
    from catalog.loans.services import add_object

    small = make_loan(db_session, registrar)
    large = make_loan(db_session, registrar, start=date(2028, 3, 1), end=date(2028, 6, 30))
    for loan, size in ((small, 2), (large, 10)):
        for _ in range(size):
            add_object(db_session, loan, make_object(db_session), actor=registrar)
    few = queries(client, count_queries, f"/loans/{small.id}")
    many = queries(client, count_queries, f"/loans/{large.id}")
    assert many == few
    assert many <= BOUNDS["loan"]


def test_invoice_page(client, registrar, db_session, count_queries):
    party = make_party(db_session, role="borrower")
    pages = []
    for size in (2, 10):
        invoice = finance.create_invoice(db_session, party=party, kind="other", actor=registrar)
        for n in range(size):
            finance.add_line(db_session, invoice, description=f"Fee {n}", quantity=1,
                             unit_price_minor=1_000, actor=registrar)
        finance.issue_invoice(db_session, invoice, actor=registrar)
        pages.append(f"/finance/invoices/{invoice.id}")
    few = queries(client, count_queries, pages[0])
    many = queries(client, count_queries, pages[1])
    assert many == few
    assert many <= BOUNDS["invoice"]
