"""Exporting object records: CSV here, other formats registered by other domains.

The CSV columns are the importer's field names, so an export imports back unchanged
(tests/imports/test_export.py proves the round trip into an empty database).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.objects.models import CatalogueObject, ObjectMaker, OtherNumber
from catalog.parties.models import Party

#: format -> (label, media type, file extension, writer(session, object ids or None) -> chunks)
Exporter = Callable[[Session, "sa.Select[Any] | None"], Iterable[str | bytes]]
EXPORT_FORMATS: dict[str, tuple[str, str, str, Exporter]] = {}


def register_export_format(code: str, label: str, media_type: str, extension: str,
                           writer: Exporter) -> None:
    """Make ``catalog export objects --format CODE`` (and the export buttons) offer a format.

    ``writer(session, ids)`` yields the file in pieces; ``ids`` is a SELECT of object ids (a
    selection or a search result) or None for every object.
    """
    EXPORT_FORMATS[code] = (label, media_type, extension, writer)


#: exported columns: header (an importer field name) -> object attribute
CSV_COLUMNS = [
    "object_number", "object_name", "title", "number_of_objects", "parts", "brief_description",
    "physical_description", "materials", "techniques", "dimensions", "production_date",
    "earliest_year", "latest_year", "production_place", "inscriptions", "department", "status",
    "credit_line", "rights", "keywords", "makers", "other_numbers",
]
_ATTRIBUTE = {"dimensions": "dimensions_display"}
#: a spreadsheet would run a cell starting with these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1_000


def protect_cell(value: str) -> str:
    """Neutralise spreadsheet formulas with a leading apostrophe (the importer takes it off)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def unprotect_cell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _rows(session: Session, ids: sa.Select[Any] | None) -> Iterator[list[str]]:
    table = CatalogueObject.__table__
    columns = [table.c[_ATTRIBUTE.get(c, c)] for c in CSV_COLUMNS if c in _ATTRIBUTE
               or c in table.c]
    last_key, last_id = "", 0
    while True:
        query = (sa.select(table.c.id, table.c.sort_key, *columns)
                 .where(sa.tuple_(table.c.sort_key, table.c.id) > sa.tuple_(last_key, last_id))
                 .order_by(table.c.sort_key, table.c.id).limit(CHUNK))
        if ids is not None:
            query = query.where(table.c.id.in_(ids))
        batch = session.execute(query).all()
        if not batch:
            return
        object_ids = [row.id for row in batch]
        makers: dict[int, list[str]] = {}
        for object_id, name, role in session.execute(
                sa.select(ObjectMaker.object_id, Party.name, ObjectMaker.role)
                .join(Party, Party.id == ObjectMaker.party_id)
                .where(ObjectMaker.object_id.in_(object_ids))
                .order_by(ObjectMaker.object_id, ObjectMaker.position, ObjectMaker.id)):
            makers.setdefault(object_id, []).append(f"{name} [{role}]")
        numbers: dict[int, list[str]] = {}
        for object_id, number, kind in session.execute(
                sa.select(OtherNumber.object_id, OtherNumber.number, OtherNumber.kind)
                .where(OtherNumber.object_id.in_(object_ids))
                .order_by(OtherNumber.object_id, OtherNumber.id)):
            numbers.setdefault(object_id, []).append(f"{number} [{kind}]")
        for row in batch:
            values = row._mapping
            out = []
            for column in CSV_COLUMNS:
                if column == "makers":
                    value: Any = " | ".join(makers.get(row.id, []))
                elif column == "other_numbers":
                    value = " | ".join(numbers.get(row.id, []))
                else:
                    value = values[_ATTRIBUTE.get(column, column)]
                out.append(protect_cell("" if value is None else str(value)))
            yield out
        last_key, last_id = batch[-1].sort_key, batch[-1].id


def export_csv(session: Session, ids: sa.Select[Any] | None = None) -> Iterator[str]:
    """The objects (all, or those whose id ``ids`` selects) as CSV, in number order, in pieces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for count, row in enumerate(_rows(session, ids), start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


register_export_format("csv", "CSV (spreadsheet)", "text/csv; charset=utf-8", "csv", export_csv)


def write_csv_export(session: Session, stmt: sa.Select[Any], out: Any) -> int:
    """``catalog export objects --format csv``: the writer the export command's registry calls
    with a ``select(CatalogueObject)`` (all objects, or the command's filters)."""
    ids = stmt.with_only_columns(CatalogueObject.id).order_by(None)
    rows = -1  # the header line is not an object
    for piece in export_csv(session, ids):
        out.write(piece.encode("utf-8"))
        rows += piece.count("\r\n")  # a cell holding CRLF would count twice: a message only
    return max(rows, 0)
