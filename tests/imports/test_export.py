"""Export: CSV of everything through the CLI, round-trippable through the importer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog import create_app
from catalog.core.migrations import upgrade
from catalog.extensions import db
from catalog.imports.exporting import EXPORT_FORMATS, export_csv
from catalog.imports.services import import_file
from catalog.objects.models import CatalogueObject, OtherNumber
from tests.conftest import drop_pg_database, make_database_url, test_config
from tests.imports.test_import import tate_sample
from tests.search.factories import make_object, make_party


@pytest.fixture
def empty_app(backend: str, tmp_path: Path) -> Any:
    """A second, empty catalogue to import an export into."""
    url = make_database_url(backend, tmp_path / "empty")
    (tmp_path / "empty").mkdir(exist_ok=True)
    application = create_app(test_config(url, tmp_path / "empty"))
    with application.app_context():
        upgrade()
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        drop_pg_database(url)


def test_export_then_import_into_an_empty_catalogue_gives_the_same_catalogue(
        app: Any, db_session: Any, empty_app: Any, tmp_path: Path) -> None:
    import_file(db_session, path=tate_sample(tmp_path / "tate.csv", 300))
    maker = make_party(db_session, "Ann Painter")
    obj = make_object(db_session, "2024.1.1", makers=(maker,), title="=HYPERLINK(\"x\")",
                      keywords="a; b", status="loan_in", number_of_objects=3, parts="a–c",
                      inscriptions="Signed\nand dated", earliest_year=-500, latest_year=-450,
                      production_date="5th century BC")
    obj.other_numbers.append(OtherNumber(number="L.2020.4", kind="loan"))
    db_session.flush()
    runner = app.test_cli_runner()
    first = tmp_path / "first.csv"
    result = runner.invoke(args=["export", "objects", "--format", "csv", "-o", str(first)])
    assert result.exit_code == 0, result.output
    text = first.read_text(encoding="utf-8")
    # A cell a spreadsheet would run as a formula is neutralised …
    assert "'=HYPERLINK" in text
    # db.session is bound to the first catalogue's test connection: use a session of our own.
    with empty_app.app_context(), Session(db.engine) as session:
        record, plan = import_file(session, path=first)
        assert plan.errors == [], plan.errors[:3]
        session.commit()
        second = "".join(export_csv(session))
        back = session.scalar(sa.select(CatalogueObject).where(
            CatalogueObject.object_number == "2024.1.1"))
        # … and the importer takes the apostrophe off again.
        assert back.title == '=HYPERLINK("x")'
        assert (back.earliest_year, back.latest_year) == (-500, -450)
        assert [(n.number, n.kind) for n in back.other_numbers] == [("L.2020.4", "loan")]
        assert record.created_count == 301
    assert second.replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_the_export_format_registry_and_unknown_formats(app: Any, db_session: Any) -> None:
    assert "csv" in EXPORT_FORMATS
    result = app.test_cli_runner().invoke(args=["export", "objects", "--format", "nope"])
    assert result.exit_code == 1
    assert "unknown format 'nope'" in result.output
