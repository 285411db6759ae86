"""Keeping ``objects.search_text`` current: the words a search finds besides number and title.

The database indexes ``object_number``, ``title`` and ``search_text`` (SQLite FTS5 kept in sync by
triggers, PostgreSQL an expression GIN index), so every writer only has to keep this one column
right. ORM writers get it from the ``before_flush`` hook below; the bulk importer calls
the same text itself (catalog.imports.services.prepare, same fields, same order).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

#: object columns whose words are findable (besides number and title, indexed directly)
TEXT_FIELDS = ("object_name", "brief_description", "physical_description", "materials",
               "techniques", "keywords", "production_place", "inscriptions", "credit_line")


def compose_search_text(values: dict[str, Any] | Any, maker_names: Iterable[str] = (),
                        other_numbers: Iterable[str] = ()) -> str:
    """The indexed text of one object: maker names first, other numbers, then descriptive text."""
    get = values.get if isinstance(values, dict) else lambda key: getattr(values, key, None)
    parts = [*maker_names, *other_numbers]
    parts.extend(str(get(name)) for name in TEXT_FIELDS if get(name))
    return " | ".join(p for p in parts if p)


def _refresh(session: Session, obj: Any) -> None:
    from catalog.parties.models import Party

    with session.no_autoflush:
        names = []
        for maker in obj.makers:
            if maker in session.deleted:
                continue
            party = maker.party or (session.get(Party, maker.party_id) if maker.party_id else None)
            if party is not None:
                names.append(party.name)
        numbers = [n.number for n in obj.other_numbers if n not in session.deleted]
    text = compose_search_text(obj, names, numbers)
    if obj.search_text != text:
        obj.search_text = text


_WATCHED = frozenset(TEXT_FIELDS)


@event.listens_for(Session, "before_flush")
def _update_search_text(session: Session, flush_context: Any, instances: Any) -> None:
    from catalog.objects.models import CatalogueObject, ObjectMaker, OtherNumber

    stale: dict[int, Any] = {}
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, CatalogueObject):
            state = inspect(obj)
            if obj in session.new or any(state.attrs[name].history.has_changes()
                                         for name in _WATCHED):
                stale[id(obj)] = obj
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            if isinstance(obj, ObjectMaker | OtherNumber) and obj.object is not None:
                stale[id(obj.object)] = obj.object
    for obj in stale.values():
        if obj not in session.deleted:
            _refresh(session, obj)
