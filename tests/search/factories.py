"""Small builders of catalogue records for the search and import tests."""

from __future__ import annotations

from typing import Any

from catalog.objects.models import CatalogueObject, ObjectMaker
from catalog.objects.numbers import natural_sort_key, normalise_number
from catalog.parties.models import Party


def make_party(session: Any, name: str) -> Party:
    party = Party(name=name, sort_name=name, kind="person")
    session.add(party)
    session.flush()
    return party


def make_object(session: Any, number: str, *, makers: tuple[Party, ...] = (), **fields: Any
                ) -> CatalogueObject:
    obj = CatalogueObject(object_number=number, number_key=normalise_number(number),
                          sort_key=natural_sort_key(number), **fields)
    for position, party in enumerate(makers):
        obj.makers.append(ObjectMaker(party=party, role="artist", position=position))
    session.add(obj)
    session.flush()
    return obj
