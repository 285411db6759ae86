"""Importing spreadsheets: the dry-run report, the all-or-nothing commit, rollback, the CLI."""

from __future__ import annotations

import csv
import gzip
import io
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.core.audit import AuditLog, reason
from catalog.core.errors import DomainError, PermissionDenied
from catalog.imports.models import ObjectImport
from catalog.imports.services import import_file, rollback_import
from catalog.objects.models import CatalogueObject, ObjectDimension, ObjectMaker
from catalog.parties.models import Party
from tests.conftest import REPO, SHARED
from tests.search.factories import make_object

# The shared data sit beside the checkout (or beside the folder of worktrees).
TATE = next((base / "data" / "museum" / "tate_artworks_cc0.csv.gz"
             for base in (SHARED, REPO.parent.parent / "shared")
             if (base / "data" / "museum" / "tate_artworks_cc0.csv.gz").exists()),
            SHARED / "data" / "museum" / "tate_artworks_cc0.csv.gz")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def tate_sample(path: Path, rows: int) -> Path:
    with gzip.open(TATE, "rt", encoding="utf-8", newline="") as source:
        lines = list(csv.reader(source))[: rows + 1]
    return write_csv(path, lines)


def count(session: Any, model: Any) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


GOOD = [
    ["Accession number", "Title", "Artist", "Date", "Medium", "Dimensions", "Credit line",
     "Department"],
    ["2024.1.1", "View of the Thames", "Ann Painter", "c.1850", "Oil on canvas",
     "support: 600 x 400 mm", "Gift of the artist", "Paintings"],
    ["2024.1.2", "Study of a Tree", "Ann Painter", "1850–5", "Graphite on paper",
     "Overall display dimensions variable", "", "Prints and drawings"],
    ["2024.1.10", "Harbour", "ann painter", "date not known", "", "", "", "Paintings"],
]


def test_dry_run_reports_every_problem_row_by_row_and_writes_no_object(
        db_session: Any, tmp_path: Path) -> None:
    make_object(db_session, "T03868")
    path = write_csv(tmp_path / "objects.csv", [
        ["Object number", "Title", "Number of objects", "Status", "Date", "Flavour"],
        ["2024.1.1", "Fine", "1", "accessioned", "1850", "sweet"],
        ["", "No number", "1", "", "", ""],
        ["2024.1.1", "Twice", "1", "", "", ""],
        ["2024.1.3", "Bad count", "two", "", "", ""],
        ["2024.1.4", "Bad status", "1", "lost", "", ""],
        ["2024.1.5", "Odd date", "1", "", "sometime in spring", ""],
        ["t03868", "Already there", "1", "", "", ""],
    ])
    record, plan = import_file(db_session, path=path, dry_run=True)
    found = {(p.row, p.column, p.level) for p in plan.problems}
    assert found == {
        (3, "Object number", "error"),   # missing
        (4, "Object number", "error"),   # duplicate of row 2
        (5, "Number of objects", "error"),
        (6, "Status", "error"),
        (7, "Date", "warning"),          # kept as text, not guessed
        (8, "Object number", "error"),   # already in the catalogue
    }
    messages = {p.row: p.message for p in plan.problems}
    assert "row 2" in messages[4]
    assert "already in the catalogue" in messages[8]
    assert plan.ignored == ["Flavour"]
    assert count(db_session, CatalogueObject) == 1
    assert record.id is not None
    assert record.error_count == 5
    assert record.warning_count == 1
    assert record.status == "failed"


def test_import_creates_every_row_with_makers_dates_and_dimensions(
        db_session: Any, tmp_path: Path) -> None:
    record, plan = import_file(db_session, path=write_csv(tmp_path / "good.csv", GOOD))
    assert plan.errors == []
    assert record.status == "committed"
    assert record.created_count == 3
    rows = {o.object_number: o for o in db_session.scalars(sa.select(CatalogueObject))}
    assert set(rows) == {"2024.1.1", "2024.1.2", "2024.1.10"}
    first = rows["2024.1.1"]
    assert (first.production_date, first.earliest_year, first.latest_year) == ("c.1850", 1850,
                                                                              1850)
    assert rows["2024.1.2"].latest_year == 1855
    assert rows["2024.1.10"].earliest_year is None
    assert first.materials == "Oil on canvas"
    assert first.department == "Paintings"
    assert first.import_id == record.id
    dims = db_session.scalars(sa.select(ObjectDimension).where(
        ObjectDimension.object_id == first.id).order_by(ObjectDimension.position)).all()
    assert [(d.part, d.dimension, float(d.value), d.unit) for d in dims] == [
        ("support", "height", 600.0, "mm"), ("support", "width", 400.0, "mm")]
    # The unread dimension stays as text, and the report says so.
    assert rows["2024.1.2"].dimensions_display == "Overall display dimensions variable"
    assert [(p.row, p.column) for p in plan.warnings] == [(3, "Dimensions")]
    # One maker, deduplicated across rows whatever the case.
    makers = db_session.scalars(sa.select(Party).where(sa.func.lower(Party.name) == "ann painter"))
    assert len(makers.all()) == 1
    assert count(db_session, ObjectMaker) == 3
    # Imported rows are in the search index, and later edits keep it current.
    from catalog.search.services import match_query

    def found(q: str) -> set[int]:
        return {row.id for row in db_session.execute(match_query(db_session, q))}

    assert found("thames painter") == {first.id}
    assert found("2024.1.1") >= {first.id}
    first.title = "View of the Medway"
    db_session.flush()
    assert found("medway") == {first.id}
    assert found("thames") == set()
    # One audit row summarises the import.
    audit = db_session.scalars(sa.select(AuditLog).where(AuditLog.record_type == "imports")).all()
    assert [(a.action, a.record_id) for a in audit] == [("import", str(record.id))]
    assert audit[0].changes["objects_created"] == [None, "3"]


def test_one_bad_row_means_nothing_is_imported(db_session: Any, tmp_path: Path) -> None:
    rows = [*GOOD, ["", "No number", "", "", "", "", "", ""]]
    record, plan = import_file(db_session, path=write_csv(tmp_path / "bad.csv", rows))
    assert record.status == "failed"
    assert len(plan.errors) == 1
    assert count(db_session, CatalogueObject) == 0
    assert count(db_session, Party) == 0


def test_existing_makers_are_reused(db_session: Any, tmp_path: Path) -> None:
    party = Party(name="Ann Painter", sort_name="Painter, Ann")
    db_session.add(party)
    db_session.flush()
    record, _ = import_file(db_session, path=write_csv(tmp_path / "good.csv", GOOD))
    assert record.makers_created == 0
    assert set(db_session.scalars(sa.select(ObjectMaker.party_id))) == {party.id}


def test_rollback_removes_an_untouched_import_as_one_audited_operation(
        db_session: Any, tmp_path: Path) -> None:
    record, _ = import_file(db_session, path=write_csv(tmp_path / "good.csv", GOOD))
    rollback_import(db_session, import_id=record.id)
    assert count(db_session, CatalogueObject) == 0
    assert count(db_session, Party) == 0  # the maker it created went with it
    assert record.status == "rolled_back"
    actions = db_session.scalars(sa.select(AuditLog.action).where(
        AuditLog.record_type == "imports").order_by(AuditLog.id)).all()
    assert actions == ["import", "rollback"]
    with pytest.raises(DomainError, match="Only a completed import"):
        rollback_import(db_session, import_id=record.id)


def test_rollback_is_refused_once_an_object_has_been_edited(db_session: Any,
                                                            tmp_path: Path) -> None:
    record, _ = import_file(db_session, path=write_csv(tmp_path / "good.csv", GOOD))
    obj = db_session.scalar(sa.select(CatalogueObject).where(
        CatalogueObject.object_number == "2024.1.2"))
    with reason("corrected title"):
        obj.title = "Study of an Oak"
        db_session.flush()
    with pytest.raises(DomainError, match="edited since"):
        rollback_import(db_session, import_id=record.id)
    assert count(db_session, CatalogueObject) == 3


def test_import_needs_the_import_permission(db_session: Any, tmp_path: Path,
                                            make_user: Any) -> None:
    viewer = make_user("viewer")
    with pytest.raises(PermissionDenied):
        import_file(db_session, path=write_csv(tmp_path / "good.csv", GOOD), user=viewer)


def test_xlsx_files_import_like_csv(db_session: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in GOOD:
        sheet.append(row)
    sheet.append(["2024.1.11", "Numbers as numbers", "", 1851, "", "", "", ""])
    book.save(tmp_path / "objects.xlsx")
    record, plan = import_file(db_session, path=tmp_path / "objects.xlsx")
    assert plan.errors == []
    assert record.created_count == 4
    obj = db_session.scalar(sa.select(CatalogueObject).where(
        CatalogueObject.object_number == "2024.1.11"))
    assert obj.earliest_year == 1851


def test_a_file_that_is_not_a_spreadsheet_is_refused(db_session: Any, tmp_path: Path) -> None:
    (tmp_path / "objects.xlsx").write_bytes(b"not a zip file at all")
    with pytest.raises(DomainError, match="not a readable Excel"):
        import_file(db_session, path=tmp_path / "objects.xlsx")
    with pytest.raises(DomainError, match="Only CSV"):
        import_file(db_session, path=tmp_path / "objects.pdf")


def test_cli_dry_run_then_import_with_a_column_map(app: Any, db_session: Any,
                                                   tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", [["Ref", "Name of work", "Who"],
                                            ["X.1", "A chair", "Joiner & Sons"],
                                            ["X.2", "A table", "Joiner & Sons"]])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "objects", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert "No column holds the object number" in result.output
    args = ["import", "objects", str(path), "--map", "Ref=object_number",
            "--map", "Name of work=title", "--map", "Who=makers"]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing imported." in result.output
    assert count(db_session, CatalogueObject) == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Imported 2 object(s), 1 new maker(s)" in result.output
    assert sorted(db_session.scalars(sa.select(CatalogueObject.title))) == ["A chair", "A table"]
    result = runner.invoke(args=["import", "objects", str(path), "--map", "Nope=title"])
    assert result.exit_code == 1
    assert "no column “Nope”" in result.output


def test_the_first_2000_tate_artworks(db_session: Any, tmp_path: Path) -> None:
    record, plan = import_file(db_session, path=tate_sample(tmp_path / "tate.csv", 2000))
    assert plan.errors == []
    assert record.created_count == 2000
    assert {"tate_id", "url"} <= set(plan.ignored)
    blake = db_session.scalar(sa.select(CatalogueObject).where(
        CatalogueObject.object_number == "A00001"))
    assert blake.production_date == "date not known"
    assert blake.earliest_year is None
    assert blake.dimensions_display == "support: 394 x 419 mm"
    assert blake.makers[0].party.name == "Robert Blake"
    assert blake.credit_line == "Presented by Mrs John Richmond 1922"
    dated = db_session.scalar(sa.select(sa.func.count()).select_from(CatalogueObject)
                              .where(CatalogueObject.earliest_year.is_not(None)))
    assert dated > 500
    # Every warning names a row and a column and keeps the text.
    assert all(p.row >= 2 and p.column and p.level == "warning" for p in plan.problems)


@pytest.mark.slow
def test_the_full_tate_collection_imports_on_sqlite(db_session: Any, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the full-file speed test runs on SQLite; PostgreSQL takes the 2,000 sample")
    started = time.perf_counter()
    cpu = time.process_time()
    record, plan = import_file(db_session, path=TATE)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert plan.errors == []
    assert record.created_count == 69_202 == count(db_session, CatalogueObject)
    assert record.makers_created > 3000
    print(f"\nTate: {record.created_count} rows in {elapsed:.1f} s wall "
          f"({record.created_count / elapsed:,.0f} rows/s), {cpu:.1f} s CPU "
          f"({record.created_count / cpu:,.0f} rows/s per CPU second), "
          f"{len(plan.warnings)} warnings")


def test_upload_page_checks_then_imports_then_rolls_back(client: Any, auth: Any,
                                                         db_session: Any) -> None:
    auth.login("registrar")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(GOOD)
    response = client.post("/imports/", data={
        "file": (io.BytesIO(buffer.getvalue().encode()), "objects.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Import 3 objects" in html
    assert "not a measurement we can read" in html
    record = db_session.scalar(sa.select(ObjectImport))
    assert record.status == "checked"
    response = client.post(f"/imports/{record.id}/commit")
    assert response.status_code == 302
    assert count(db_session, CatalogueObject) == 3
    status = client.get(f"/imports/{record.id}/status").get_json()
    assert status["status"] == "committed"
    assert status["done"] == 3
    response = client.post(f"/imports/{record.id}/rollback")
    assert response.status_code == 302
    assert count(db_session, CatalogueObject) == 0
    problems = client.get(f"/imports/{record.id}/problems.csv").get_data(as_text=True)
    assert "Overall display dimensions variable" in problems


def test_upload_page_mapping_and_refusals(client: Any, auth: Any, db_session: Any) -> None:
    auth.login("registrar")
    response = client.post("/imports/", data={
        "file": (io.BytesIO(b"%PDF-1.4"), "objects.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Only CSV" in response.get_data(as_text=True)
    data = b"Ref,Name of work\nX.1,A chair\n"
    client.post("/imports/", data={"file": (io.BytesIO(data), "o.csv")},
                content_type="multipart/form-data")
    # Without an object-number column the file cannot even be checked.
    assert count(db_session, ObjectImport) == 0
    data = b"Number,Name of work\nX.1,A chair\n"
    client.post("/imports/", data={"file": (io.BytesIO(data), "o.csv")},
                content_type="multipart/form-data")
    record = db_session.scalar(sa.select(ObjectImport))
    assert record.ignored_columns == ["Name of work"]
    client.post(f"/imports/{record.id}/mapping", data={"map-0": "object_number",
                                                       "map-1": "title"})
    db_session.refresh(record)
    assert record.mapping == {"Number": "object_number", "Name of work": "title"}


def test_viewers_cannot_reach_the_import_pages(client: Any, auth: Any) -> None:
    auth.login("viewer")
    assert client.get("/imports/").status_code == 403


def test_a_long_import_runs_in_the_background_and_reports_progress(
        app: Any, committed_db: Any) -> None:
    from catalog.users.services import create_user
    from tests.conftest import TEST_PASSWORD

    create_user(committed_db, email="bulk@example.org", password=TEST_PASSWORD,
                role_codes=["registrar"])
    committed_db.commit()
    client = app.test_client()
    client.post("/login", data={"email": "bulk@example.org", "password": TEST_PASSWORD})
    buffer = io.StringIO()
    csv.writer(buffer).writerows(GOOD)
    client.post("/imports/", data={"file": (io.BytesIO(buffer.getvalue().encode()), "bulk.csv")},
                content_type="multipart/form-data")
    import_id = committed_db.scalar(sa.select(ObjectImport.id))
    app.config["IMPORT_INLINE_ROWS"] = 1  # three rows count as "long" here
    try:
        assert client.post(f"/imports/{import_id}/commit").status_code == 302
        deadline = time.monotonic() + 20
        status = client.get(f"/imports/{import_id}/status").get_json()
        while status["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
            status = client.get(f"/imports/{import_id}/status").get_json()
    finally:
        app.config["IMPORT_INLINE_ROWS"] = 5_000
    assert status["status"] == "committed", status
    assert status["done"] == status["total"] == 3
    committed_db.expire_all()
    assert count(committed_db, CatalogueObject) == 3
