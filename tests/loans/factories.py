"""Small builders for loan, condition and valuation tests (objects, parties, locations)."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject
from catalog.objects.numbers import natural_sort_key, normalise_number
from catalog.parties.models import Party, PartyRole

_seq = count(1)


def make_object(session: Any, number: str | None = None, **kw: Any) -> CatalogueObject:
    number = number or f"T.{next(_seq):05d}"
    kw.setdefault("title", f"Object {number}")
    kw.setdefault("status", "accessioned")
    obj = CatalogueObject(object_number=number, number_key=normalise_number(number),
                          sort_key=natural_sort_key(number), **kw)
    session.add(obj)
    session.flush()
    return obj


def make_party(session: Any, name: str | None = None, role: str = "borrower") -> Party:
    name = name or f"Museum {next(_seq)}"
    party = Party(kind="organisation", name=name, sort_name=name)
    party.roles.append(PartyRole(role=role))
    session.add(party)
    session.flush()
    return party


def make_location(session: Any, code: str | None = None, **kw: Any) -> Location:
    code = code or f"LOC-{next(_seq)}"
    location = Location(code=code, name=kw.pop("name", code), **kw)
    session.add(location)
    session.flush()
    return location


def stored_object(session: Any, home: Location | None = None, **kw: Any) -> CatalogueObject:
    """An object in a store (home and current location set through the movement service)."""
    from catalog.locations.services import move_objects

    obj = make_object(session, **kw)
    move_objects(session, objects=[obj], to_location=home or make_location(session),
                 actor=None, reason="test", sets_home=True)
    return obj


def make_loan(session: Any, actor: Any = None, *, direction: str = "out",
              start: date = date(2027, 3, 1), end: date = date(2027, 6, 30),
              return_due: date | None = None, party: Party | None = None, **kw: Any) -> Any:
    from catalog.loans.services import create_loan

    return create_loan(session, direction=direction,
                       party=party or make_party(session, role="borrower"
                                                 if direction == "out" else "lender"),
                       start_date=start, end_date=end, return_due=return_due, actor=actor, **kw)


def advance(session: Any, loan: Any, *actions: str, actor: Any = None, **kw: Any) -> None:
    from catalog.loans.services import take_step

    for action in actions:
        take_step(session, loan, action, actor=actor, **kw)
