"""Importing spreadsheets of objects: column mapping, a dry run, an all-or-nothing commit, rollback.

Speed: objects, makers and other numbers are written with Core ``insert()`` in chunks (executemany),
which is what makes 69,000 rows take seconds rather than minutes. The audit listener does not see
Core inserts, so the import writes ONE audit row (action ``import``) naming the import, its file and
its counts; each object's own history starts from that row (the object's ``import_id`` points to
the import). A per-record "insert" row for 69,000 objects would double the work and say nothing the
import record does not.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.audit import AuditLog, _current_actor
from catalog.core.db import utcnow
from catalog.core.errors import DomainError, NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.imports.exporting import unprotect_cell
from catalog.imports.models import ObjectImport
from catalog.imports.parsing import (
    NO_DATE,
    natural_sort_key,
    normalise_number,
    parse_date,
    parse_dimensions,
    parse_makers,
    sort_name,
)
from catalog.imports.reading import file_format, read_table
from catalog.objects.models import (
    OBJECT_STATUSES,
    CatalogueObject,
    ObjectDimension,
    ObjectMaker,
    OtherNumber,
)
from catalog.parties.models import Party, PartyRole
from catalog.search.indexing import TEXT_FIELDS as SEARCH_FIELDS

#: importable field -> label (the targets of a column mapping)
FIELDS: dict[str, str] = {
    "object_number": "Object number",
    "object_name": "Object name",
    "title": "Title",
    "number_of_objects": "Number of objects",
    "parts": "Parts",
    "brief_description": "Brief description",
    "physical_description": "Physical description",
    "materials": "Materials / medium",
    "techniques": "Techniques",
    "dimensions": "Dimensions",
    "production_date": "Production date",
    "earliest_year": "Earliest year",
    "latest_year": "Latest year",
    "production_place": "Production place",
    "inscriptions": "Inscriptions",
    "department": "Department",
    "status": "Status",
    "credit_line": "Credit line",
    "rights": "Rights",
    "keywords": "Keywords",
    "makers": "Maker(s)",
    "maker_role": "Maker role(s)",
    "other_numbers": "Other numbers",
}

#: column headers recognised without a map, compared lower-case without spaces or punctuation
_SYNONYM_TABLE = """
object_number: objectnumber accessionnumber accessionno accno accession objectno number
               inventorynumber inventoryno idnumber objectid
title: title objecttitle
object_name: objectname objecttype type whatisit
number_of_objects: numberofobjects count quantity objectcount
parts: parts
brief_description: description briefdescription summary
physical_description: physicaldescription
materials: medium materials material
techniques: technique techniques
dimensions: dimensions dimension measurements size
production_date: date datetext productiondate dated datemade
earliest_year: year yearstart earliestyear datestart datebegin
latest_year: latestyear yearend dateend
production_place: place productionplace placemade
inscriptions: inscription inscriptions marks
department: department dept collection
status: status
credit_line: creditline credit
rights: rights copyright rightsstatement
keywords: keywords keyword subjects tags
makers: maker makers artist artists creator creators
maker_role: makerrole artistrole role creatorrole
other_numbers: othernumbers othernumber previousnumber
"""


def _synonyms(table: str) -> dict[str, str]:
    synonyms: dict[str, str] = {}
    target = ""
    for line in table.strip().splitlines():
        if ":" in line:
            target, line = line.split(":", 1)  # noqa: PLW2901
        synonyms.update(dict.fromkeys(line.split(), target.strip()))
    return synonyms


SYNONYMS = _synonyms(_SYNONYM_TABLE)

#: longest text each bounded column takes
_LIMITS = {"object_number": 100, "object_name": 200, "parts": 100, "production_date": 200,
           "production_place": 300, "department": 200}
_TEXT_FIELDS = ("title", "object_name", "parts", "brief_description", "physical_description",
                "materials", "techniques", "production_place", "inscriptions", "department",
                "credit_line", "rights", "keywords")
#: problems kept on the import record (all are counted; the CLI can write them all to a file)
PROBLEMS_KEPT = 5_000
CHUNK = 2_000


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass
class Problem:
    """Something wrong (error: blocks the import) or unread (warning) in one cell."""

    row: int
    column: str
    value: str
    message: str
    level: str = "error"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value[:200],
                "message": self.message, "level": self.level}


@dataclass
class Plan:
    """A checked file: what each row would create, and every problem found."""

    mapping: dict[str, str]
    ignored: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    makers: list[list[tuple[str, str]]] = field(default_factory=list)
    other_numbers: list[list[tuple[str, str]]] = field(default_factory=list)
    dimensions: list[list[tuple[str | None, str, Any, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_rows: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def parse_mapping_options(options: Iterable[str]) -> dict[str, str]:
    """``["Acc No=object_number", "Who=makers"]`` → {column: field}."""
    mapping: dict[str, str] = {}
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise ValidationError(f"--map takes COLUMN=field, not {option!r}.")
        mapping[column.strip()] = target.strip()
    return mapping


def build_mapping(headers: list[str], overrides: dict[str, str] | None = None
                  ) -> tuple[dict[str, str], list[str]]:
    """Column → field for every header we recognise; the rest are listed as ignored.

    ``overrides`` map a header to a field, or to ``-`` / ``ignore`` to skip a column.
    """
    overrides = overrides or {}
    by_key = {header_key(h): h for h in headers}
    for column, target in overrides.items():
        if column not in headers and header_key(column) not in by_key:
            raise ValidationError(f"The file has no column “{column}” (it has: "
                                  f"{', '.join(h for h in headers if h)}).", field="mapping")
        if target not in FIELDS and target not in ("-", "ignore"):
            raise ValidationError(f"“{target}” is not a field that can be imported; use one of "
                                  f"{', '.join(FIELDS)}.", field="mapping")
    resolved = {by_key.get(header_key(c), c): t for c, t in overrides.items()}
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    taken: set[str] = set()
    for header in headers:
        target = resolved.get(header)
        if target is None:
            target = SYNONYMS.get(header_key(header))
            if target in set(resolved.values()):
                target = None  # an explicit mapping wins over a recognised name
        if target in (None, "-", "ignore") or target in taken:
            if header:
                ignored.append(header)
            continue
        mapping[header] = target
        taken.add(target)
    if "object_number" not in taken:
        raise ValidationError("No column holds the object number: name it “object_number” or "
                              "“accession number”, or map one (COLUMN=object_number).",
                              field="mapping")
    return mapping, ignored


def _int(value: str) -> int | None:
    try:
        return int(value.replace(",", "")) if value else None
    except ValueError:
        return None


_STATUS_BY_TEXT = {**{k: k for k in OBJECT_STATUSES},
                   **{v.lower(): k for k, v in OBJECT_STATUSES.items()}}
_BRACKETED = re.compile(r"^(?P<value>.+?)\s*\[(?P<kind>[^\]]+)\]$")


def prepare(session: Session, headers: list[str], rows: Iterable[list[str]],
            overrides: dict[str, str] | None = None) -> Plan:
    """Check every row and build what it would insert (the dry run; writes nothing)."""
    mapping, ignored = build_mapping(headers, overrides)
    plan = Plan(mapping=mapping, ignored=ignored)
    index = {target: headers.index(column) for column, target in mapping.items()}
    column_of = {target: column for column, target in mapping.items()}
    seen: dict[str, int] = {}
    pairs = list(index.items())
    add = plan.problems.append
    now = utcnow()
    for line, raw in enumerate(rows, start=2):  # line 1 is the header row
        if not any(raw):
            continue
        plan.total_rows += 1
        width = len(raw)
        values = {t: raw[i] if i < width else "" for t, i in pairs}
        for t, v in values.items():
            if v[:1] == "'":
                values[t] = unprotect_cell(v)
        ok = True

        def error(target: str, message: str, level: str = "error",
                  line: int = line, values: dict[str, str] = values) -> None:
            nonlocal ok
            add(Problem(line, column_of.get(target, target), values.get(target, ""), message,
                        level))
            if level == "error":
                ok = False

        number = values.get("object_number", "")
        key = normalise_number(number) if number else ""
        if not number:
            error("object_number", "the object number is missing")
        elif len(number) > _LIMITS["object_number"]:
            error("object_number", "longer than 100 characters")
        elif key in seen:
            error("object_number", f"the same number as row {seen[key]}")
        else:
            seen[key] = line
        record: dict[str, Any] = {
            "object_number": number, "number_key": key,
            "sort_key": natural_sort_key(number) if number else "",
            "status": "accessioned", "number_of_objects": 1, "created_at": now,
            "updated_at": now,
        }
        for name in _TEXT_FIELDS:
            text = values.get(name) or None
            if text and name in _LIMITS and len(text) > _LIMITS[name]:
                error(name, f"longer than {_LIMITS[name]} characters")
            record[name] = text
        status = values.get("status")
        if status:
            code = _STATUS_BY_TEXT.get(status.strip().lower())
            if code is None:
                error("status", f"not a status; use one of {', '.join(OBJECT_STATUSES)}")
            record["status"] = code or "accessioned"
        count = values.get("number_of_objects")
        if count:
            parsed_count = _int(count)
            if parsed_count is None or parsed_count < 1:
                error("number_of_objects", "not a whole number of at least 1")
            record["number_of_objects"] = parsed_count or 1
        date = parse_date(values.get("production_date"))
        record["production_date"] = date.display if date else None
        earliest, latest = (date.earliest, date.latest) if date else (None, None)
        if date and date.problem:
            error("production_date", date.problem, "warning")
        if date and len(date.display) > _LIMITS["production_date"]:
            error("production_date", "longer than 200 characters")
        years: dict[str, int | None] = {}
        for name in ("earliest_year", "latest_year"):
            text = (values.get(name) or "").strip()
            if not text or text.lower() in NO_DATE:
                continue
            year = _int(text)
            if year is None or not -10_000 < year < 10_000:
                error(name, "not a year; ignored", "warning")
            else:
                years[name] = year
        if "earliest_year" in years and "latest_year" in years:
            # Both stated (as the exporter writes them): they are the catalogue's own values.
            earliest, latest = years["earliest_year"], years["latest_year"]
        elif "earliest_year" in years or "latest_year" in years:
            stated = years.get("earliest_year", years.get("latest_year"))
            if earliest is None and latest is None:
                earliest = latest = stated
            elif stated not in (earliest, latest):
                error("earliest_year" if "earliest_year" in years else "latest_year",
                      f"the date gives {earliest or '?'}–{latest or '?'}; kept the date's years",
                      "warning")
        if earliest is not None and latest is not None and latest < earliest:
            error("latest_year", f"the latest year {latest} is before the earliest {earliest}")
        record["earliest_year"], record["latest_year"] = earliest, latest
        dims = parse_dimensions(values.get("dimensions"))
        record["dimensions_display"] = dims.display if dims else None
        if dims and dims.problem:
            error("dimensions", dims.problem, "warning")
        makers = parse_makers(values.get("makers"), values.get("maker_role"))
        numbers: list[tuple[str, str]] = []
        for item in re.split(r"\s*\|\s*", values.get("other_numbers") or ""):
            if not item:
                continue
            match = _BRACKETED.match(item)
            number_text, kind = (match["value"], match["kind"]) if match else (item, "previous")
            numbers.append((number_text[:100], kind[:20]))
        words = [m[0] for m in makers] + [n[0] for n in numbers]
        words.extend(record[name] for name in SEARCH_FIELDS if record.get(name))
        record["search_text"] = " | ".join(words)
        if ok:
            plan.rows.append(record)
            plan.makers.append(makers)
            plan.other_numbers.append(numbers)
            plan.dimensions.append([(part.part and part.part[:100], name, value, unit)
                                    for part in (dims.parts if dims else [])
                                    for name, value, unit in part.measurements()])
    _check_existing_numbers(session, plan, seen, column_of.get("object_number", "object_number"))
    return plan


def _check_existing_numbers(session: Session, plan: Plan, seen: dict[str, int],
                            column: str) -> None:
    keys = list(seen)
    clashes: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        clashes.update(session.scalars(sa.select(CatalogueObject.number_key)
                                       .where(CatalogueObject.number_key.in_(chunk))))
    if not clashes:
        return
    for key in sorted(clashes, key=lambda k: seen[k]):
        plan.problems.append(Problem(seen[key], column, key,
                                     "this number is already in the catalogue"))
    keep = [i for i, row in enumerate(plan.rows) if row["number_key"] not in clashes]
    plan.rows = [plan.rows[i] for i in keep]
    plan.makers = [plan.makers[i] for i in keep]
    plan.other_numbers = [plan.other_numbers[i] for i in keep]
    plan.dimensions = [plan.dimensions[i] for i in keep]


def _store_report(record: ObjectImport, plan: Plan) -> None:
    record.mapping = plan.mapping
    record.ignored_columns = plan.ignored
    record.total_rows = plan.total_rows
    record.error_count = len(plan.errors)
    record.warning_count = len(plan.warnings)
    ordered = sorted(plan.problems, key=lambda p: (p.level != "error", p.row))
    record.problems = [p.as_dict() for p in ordered[:PROBLEMS_KEPT]]


def check_file(session: Session, *, path: Path, file_name: str, user: Any = None,
               mapping: dict[str, str] | None = None) -> tuple[ObjectImport, Plan]:
    """The dry run: read and check the file, keep the report as an import in status "checked"."""
    if user is not None:
        check(user, "objects.import")
    fmt = file_format(file_name)
    headers, rows = read_table(path, file_name)
    plan = prepare(session, headers, rows, mapping)
    record = ObjectImport(file_name=file_name[:300], file_format=fmt, status="checked",
                          user_id=getattr(user, "id", None), stored_path=str(path))
    _store_report(record, plan)
    session.add(record)
    session.flush()
    return record, plan


def recheck(session: Session, *, record: ObjectImport, mapping: dict[str, str],
            user: Any = None) -> Plan:
    """Check a stored file again with another column mapping (the report is replaced)."""
    if user is not None:
        check(user, "objects.import")
    if record.status != "checked" or not record.stored_path:
        raise DomainError("Only a checked, not yet imported file can be checked again.")
    headers, rows = read_table(Path(record.stored_path), record.file_name)
    plan = prepare(session, headers, rows, mapping)
    _store_report(record, plan)
    session.flush()
    return plan


def _audit(session: Session, record: ObjectImport, action: str, changes: dict[str, Any],
           why: str) -> None:
    actor_id, actor_label = _current_actor()
    session.execute(sa.insert(AuditLog), [{
        "occurred_at": utcnow(), "actor_id": actor_id, "actor_label": actor_label,
        "record_type": "imports", "record_id": str(record.id), "action": action,
        "changes": {k: [None, str(v)] for k, v in changes.items()}, "reason": why,
    }])  # fmt: skip


def _chunks(items: list[Any], size: int) -> Iterator[tuple[int, list[Any]]]:
    for start in range(0, len(items), size):
        yield start, items[start:start + size]


def reserve_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, so that rows can be inserted with a plain
    executemany (RETURNING forces SQLite to one statement per row: five times slower).

    PostgreSQL hands them out from the table's sequence (safe with concurrent writers). SQLite
    has one writer at a time and this transaction already holds the write lock (the import row
    was flushed first), so max(id)+1… cannot be taken by anyone else before we commit.
    """
    if count == 0:
        return []
    bind = session.connection()
    if bind.dialect.name == "postgresql":
        return list(session.scalars(sa.text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        ), {"table": table.name, "n": count}))
    start = (session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _resolve_makers(session: Session, plan: Plan, now: Any) -> tuple[dict[str, int], list[int]]:
    """Party id per maker name (case-insensitive), creating the parties that do not exist yet."""
    names: dict[str, str] = {}
    for makers in plan.makers:
        for name, _ in makers:
            names.setdefault(name.casefold(), name)
    found: dict[str, int] = {}
    folded = list(names)
    for _, chunk in _chunks(folded, 500):
        rows = session.execute(sa.select(Party.id, Party.name)
                               .where(sa.func.lower(Party.name).in_(chunk),
                                      Party.merged_into_id.is_(None))
                               .order_by(Party.id))
        for party_id, name in rows:
            found.setdefault(name.casefold(), party_id)
    missing = [names[k] for k in folded if k not in found]
    created: list[int] = []
    if missing:
        created = reserve_ids(session, Party.__table__, len(missing))
        session.execute(sa.insert(Party.__table__), [
            {"id": party_id, "kind": "person", "name": name, "sort_name": sort_name(name),
             "created_at": now, "updated_at": now}
            for party_id, name in zip(created, missing, strict=True)])
        session.execute(sa.insert(PartyRole), [{"party_id": i, "role": "maker"} for i in created])
        found.update({name.casefold(): i for name, i in zip(missing, created, strict=True)})
    return found, created


def run_import(session: Session, *, record: ObjectImport, path: Path, user: Any = None,
               mapping: dict[str, str] | None = None,
               progress: Callable[[int, int], None] | None = None) -> ObjectImport:
    """Check the file again and, when no row has an error, insert every row (all or nothing).

    With errors nothing is inserted and the import is marked "failed" with its report: the caller
    commits that record so the report can be read. ``progress(done, total)`` is called per chunk.
    """
    if user is not None:
        check(user, "objects.import")
    if record.status not in ("checked", "failed", "running"):
        raise DomainError(f"Import {record.id} is already {record.status.replace('_', ' ')}.")
    started = time.perf_counter()
    headers, rows = read_table(path, record.file_name)
    plan = prepare(session, headers, rows, mapping if mapping is not None else record.mapping)
    _store_report(record, plan)
    if plan.errors:
        record.status = "failed"
        record.message = (f"{len(plan.errors)} problem(s) must be fixed first; nothing was "
                          "imported.")
        record.finished_at = utcnow()
        session.flush()
        return record
    return _insert(session, record, plan, started, progress)


def _insert(session: Session, record: ObjectImport, plan: Plan, started: float,
            progress: Callable[[int, int], None] | None) -> ObjectImport:
    if not plan.rows:
        raise ValidationError("The file has no rows to import.", field="file")
    record.status = "running"
    session.flush()
    sqlite = session.connection().dialect.name == "sqlite"
    if sqlite:
        # A bigger page cache for the duration keeps the objects indexes in memory.
        old_cache = session.execute(sa.text("PRAGMA cache_size")).scalar()
        session.execute(sa.text("PRAGMA cache_size=-131072"))
    try:
        if sqlite:
            _insert_rows_sqlite(session, record, plan, progress)
        else:
            _insert_rows(session, record, plan, progress)
    finally:
        if sqlite:
            session.execute(sa.text(f"PRAGMA cache_size={int(old_cache or -2000)}"))
    if not sqlite and len(plan.rows) >= 10_000:
        # Fresh statistics, so the search plans do not wait for autovacuum to notice.
        session.execute(sa.text("ANALYZE objects"))
        session.execute(sa.text("ANALYZE object_makers"))
    elapsed = max(time.perf_counter() - started, 1e-6)
    total = len(plan.rows)
    record.status = "committed"
    record.created_count = total
    record.rows_per_second = int(total / elapsed)
    record.finished_at = utcnow()
    record.message = f"{total} object(s) imported, {record.makers_created} new maker(s)."
    record.stored_path = None
    session.flush()
    _audit(session, record, "import", {
        "file_name": record.file_name, "objects_created": total,
        "makers_created": record.makers_created, "warnings": record.warning_count,
    }, f"import {record.id} of {record.file_name}")
    if progress is not None:
        progress(total, total)
    return record


def _insert_rows_sqlite(session: Session, record: ObjectImport, plan: Plan,
                        progress: Callable[[int, int], None] | None) -> None:
    """SQLite: index the new rows in the FTS tables with one INSERT … SELECT each instead of a
    trigger firing per row. The insert trigger is dropped and re-created INSIDE this transaction:
    SQLite DDL is transactional and this transaction holds the write lock, so no other
    connection ever sees the catalogue without it, and a failed import restores it on rollback.
    """
    from catalog.search.index_sql import SQLITE_INDEX

    trigger = next(sql for sql in SQLITE_INDEX if "objects_fts_ai" in sql)
    session.execute(sa.text("DROP TRIGGER IF EXISTS objects_fts_ai"))
    _insert_rows(session, record, plan, progress)
    session.execute(sa.text(
        "INSERT INTO objects_fts(rowid, object_number, title, search_text) "
        "SELECT id, object_number, title, search_text FROM objects WHERE import_id = :id"
    ), {"id": record.id})
    session.execute(sa.text(
        "INSERT INTO objects_number_fts(rowid, number_key) "
        "SELECT id, number_key FROM objects WHERE import_id = :id"), {"id": record.id})
    session.execute(sa.text(trigger))


def _insert_rows(session: Session, record: ObjectImport, plan: Plan,
                 progress: Callable[[int, int], None] | None = None) -> None:
    now = utcnow()
    party_ids, created_parties = _resolve_makers(session, plan, now)
    record.makers_created = len(created_parties)
    record.party_ids = created_parties
    objects = CatalogueObject.__table__
    columns = {c.name for c in objects.columns}
    total = len(plan.rows)
    for start, chunk in _chunks(plan.rows, CHUNK):
        ids = reserve_ids(session, objects, len(chunk))
        for object_id, row in zip(ids, chunk, strict=True):
            row["id"], row["import_id"] = object_id, record.id
        values = [{k: v for k, v in row.items() if k in columns} for row in chunk]
        session.execute(sa.insert(objects), values)
        maker_rows = [
            {"object_id": object_id, "party_id": party_ids[name.casefold()], "role": role,
             "position": position}
            for object_id, makers in zip(ids, plan.makers[start:start + CHUNK], strict=True)
            for position, (name, role) in enumerate(makers)
        ]
        if maker_rows:
            session.execute(sa.insert(ObjectMaker.__table__), maker_rows)
        number_rows = [
            {"object_id": object_id, "number": number, "kind": kind}
            for object_id, numbers in zip(ids, plan.other_numbers[start:start + CHUNK],
                                          strict=True)
            for number, kind in numbers
        ]
        if number_rows:
            session.execute(sa.insert(OtherNumber.__table__), number_rows)
        dimension_rows = [
            {"object_id": object_id, "part": part, "dimension": name, "value": value,
             "unit": unit, "position": position}
            for object_id, dims in zip(ids, plan.dimensions[start:start + CHUNK], strict=True)
            for position, (part, name, value, unit) in enumerate(dims)
        ]
        if dimension_rows:
            session.execute(sa.insert(ObjectDimension.__table__), dimension_rows)
        if progress is not None:
            progress(min(start + CHUNK, total), total)


def import_file(session: Session, *, path: Path, file_name: str | None = None, user: Any = None,
                mapping: dict[str, str] | None = None, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> tuple[ObjectImport, Plan]:
    """Check a file and, unless ``dry_run``, import it: what the CLI does in one call."""
    name = file_name or path.name
    started = time.perf_counter()
    record, plan = check_file(session, path=path, file_name=name, user=user, mapping=mapping)
    if dry_run or plan.errors:
        if plan.errors:
            record.status = "failed"
            record.message = f"{len(plan.errors)} problem(s); nothing was imported."
        return record, plan
    _insert(session, record, plan, started, progress)
    return record, plan


def get_import(session: Session, import_id: int) -> ObjectImport:
    record = session.get(ObjectImport, import_id)
    if record is None:
        raise NotFoundError(f"There is no import {import_id}.")
    return record


def rollback_import(session: Session, *, import_id: int, user: Any = None) -> ObjectImport:
    """Undo an import by deleting the records it created, as one audited operation.

    Why a delete is defensible here (records are otherwise never deleted): an import that turns
    out wrong (wrong file, wrong mapping) put rows into the catalogue that nobody has worked on;
    marking 69,000 mistaken rows "deaccessioned" would pollute the catalogue and its numbering for
    ever. So a rollback is allowed only while NONE of its objects has been touched since — no
    edit, no maker or number change, no movement, loan or other record pointing at it — and it
    deletes them in one transaction with one audit row (action ``rollback``) that names the import;
    the import row itself stays with status "rolled back". Once anyone has worked on one of its
    objects, the import belongs to the catalogue and is corrected record by record.
    """
    if user is not None:
        check(user, "objects.import")
    record = get_import(session, import_id)
    if record.status != "committed":
        raise DomainError(f"Only a completed import can be rolled back; import {import_id} is "
                          f"{record.status.replace('_', ' ')}.")
    ids = sa.select(CatalogueObject.id).where(CatalogueObject.import_id == record.id)
    id_texts = sa.select(sa.cast(CatalogueObject.id, sa.String)).where(
        CatalogueObject.import_id == record.id)
    maker_ids = sa.select(sa.cast(ObjectMaker.id, sa.String)).where(ObjectMaker.object_id.in_(ids))
    number_ids = sa.select(sa.cast(OtherNumber.id, sa.String)).where(
        OtherNumber.object_id.in_(ids))
    touched = session.scalar(sa.select(sa.exists().where(sa.or_(
        sa.and_(AuditLog.record_type == "objects", AuditLog.record_id.in_(id_texts)),
        sa.and_(AuditLog.record_type == "object_makers", AuditLog.record_id.in_(maker_ids)),
        sa.and_(AuditLog.record_type == "object_other_numbers",
                AuditLog.record_id.in_(number_ids)),
    ))))
    if touched:
        raise DomainError(f"Import {import_id} cannot be rolled back: some of its objects have "
                          "been edited since. Correct those records one by one instead.")
    from catalog.search.models import SelectedObject

    try:
        with session.begin_nested():
            session.execute(sa.delete(SelectedObject).where(SelectedObject.object_id.in_(ids)))
            session.execute(sa.delete(ObjectMaker.__table__).where(
                ObjectMaker.object_id.in_(ids)))
            session.execute(sa.delete(OtherNumber.__table__).where(
                OtherNumber.object_id.in_(ids)))
            session.execute(sa.delete(ObjectDimension.__table__).where(
                ObjectDimension.object_id.in_(ids)))
            deleted = session.execute(sa.delete(CatalogueObject.__table__).where(
                CatalogueObject.import_id == record.id)).rowcount
    except sa.exc.IntegrityError:
        raise DomainError(
            f"Import {import_id} cannot be rolled back: some of its objects are now referenced "
            "by other records (movements, loans, procedures).") from None
    removed_parties = 0
    unused = list(record.party_ids or [])
    for _, chunk in _chunks(unused, 500):
        still_used = set(session.scalars(sa.select(ObjectMaker.party_id)
                                         .where(ObjectMaker.party_id.in_(chunk))))
        free = [pid for pid in chunk if pid not in still_used]
        if not free:
            continue
        try:
            with session.begin_nested():
                session.execute(sa.delete(PartyRole.__table__).where(
                    PartyRole.party_id.in_(free)))
                removed_parties += session.execute(sa.delete(Party.__table__).where(
                    Party.id.in_(free))).rowcount
        except sa.exc.IntegrityError:
            pass  # a party now used elsewhere (a loan, a donation) stays
    record.status = "rolled_back"
    record.rolled_back_at = utcnow()
    record.message = (f"Rolled back: {deleted} object(s) and {removed_parties} maker(s) "
                      "removed.")
    session.flush()
    _audit(session, record, "rollback", {"objects_removed": deleted,
                                         "makers_removed": removed_parties},
           f"rollback of import {record.id} ({record.file_name})")
    return record
