"""``catalog import objects FILE`` and ``catalog export objects``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from catalog.cli import command_errors, fail, unit_of_work


@click.group("import")
def import_group() -> None:
    """Import spreadsheets into the catalogue."""


def _acting_user(session, email: str | None):  # type: ignore[no-untyped-def]
    if not email:
        return None
    import sqlalchemy as sa

    from catalog.users.models import User

    user = session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        fail(f"no user {email}")
    return user


@import_group.command("objects")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; import nothing.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=field",
              help="Read COLUMN as field (repeatable); field '-' ignores the column.")
@click.option("--user", "email", help="Import as this user (permission objects.import).")
@click.option("--problems", "problems_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every problem to this CSV file.")
@click.option("--show", default=50, show_default=True, help="Problems to print.")
@with_appcontext
@command_errors
def import_objects(file: Path, dry_run: bool, maps: tuple[str, ...], email: str | None,
                   problems_file: Path | None, show: int) -> None:
    """Import objects from FILE (.csv, .csv.gz or .xlsx): all rows or none."""
    from catalog.core.audit import acting_as
    from catalog.imports.exporting import protect_cell
    from catalog.imports.services import import_file, parse_mapping_options

    mapping = parse_mapping_options(maps)
    with unit_of_work() as session:
        user = _acting_user(session, email)

        def progress(done: int, total: int) -> None:
            click.echo(f"  {done}/{total} rows", err=True)

        with acting_as(user):
            record, plan = import_file(session, path=file, user=user, mapping=mapping,
                                       dry_run=dry_run, progress=progress)
    click.echo(f"Import {record.id}: {plan.total_rows} row(s) read from {file.name}.")
    for column, target in plan.mapping.items():
        click.echo(f"  column {column!r} -> {target}")
    if plan.ignored:
        click.echo(f"  ignored columns: {', '.join(plan.ignored)}")
    for problem in plan.problems[:show]:
        click.echo(f"  row {problem.row}, {problem.column} = {problem.value[:60]!r}: "
                   f"{problem.level}: {problem.message}")
    if len(plan.problems) > show:
        click.echo(f"  … and {len(plan.problems) - show} more (use --problems FILE for all)")
    if problems_file:
        with problems_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "column", "value", "level", "message"])
            for p in plan.problems:
                writer.writerow([p.row, protect_cell(p.column), protect_cell(p.value),
                                 p.level, p.message])
    click.echo(f"{len(plan.errors)} error(s), {len(plan.warnings)} warning(s).")
    if plan.errors:
        fail(f"nothing imported: fix the {len(plan.errors)} error(s) first.")
    if dry_run:
        click.echo("Dry run: nothing imported.")
    else:
        click.echo(f"Imported {record.created_count} object(s), {record.makers_created} new "
                   f"maker(s), {record.rows_per_second} rows/s.")


@import_group.command("rollback")
@click.argument("import_id", type=int)
@click.option("--user", "email", help="Act as this user.")
@with_appcontext
@command_errors
def rollback(import_id: int, email: str | None) -> None:
    """Undo import IMPORT_ID (only while none of its objects has been changed)."""
    from catalog.core.audit import acting_as
    from catalog.imports.services import rollback_import

    with unit_of_work() as session:
        user = _acting_user(session, email)
        with acting_as(user):
            record = rollback_import(session, import_id=import_id, user=user)
    click.echo(record.message)


@click.group("export")
def export_group() -> None:
    """Export the catalogue."""


@export_group.command("objects")
@click.option("--format", "fmt", default="csv", show_default=True,
              help="Export format (csv, and any format another module registers).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@click.option("--number", "numbers", multiple=True,
              help="Export only this object number (repeatable); default: every object.")
@with_appcontext
@command_errors
def export_objects(fmt: str, output: Path | None, numbers: tuple[str, ...]) -> None:
    """Export every object record, or the ones numbered."""
    import sqlalchemy as sa

    from catalog.extensions import db
    from catalog.imports.exporting import EXPORT_FORMATS
    from catalog.objects.models import CatalogueObject
    from catalog.objects.numbers import normalise_number

    if fmt not in EXPORT_FORMATS:
        fail(f"unknown format {fmt!r}; known: {', '.join(sorted(EXPORT_FORMATS))}")
    writer = EXPORT_FORMATS[fmt][3]
    ids = None
    if numbers:
        keys = {normalise_number(n): n for n in numbers}
        found = set(db.session.scalars(sa.select(CatalogueObject.number_key)
                                       .where(CatalogueObject.number_key.in_(keys))))
        if missing := [n for key, n in keys.items() if key not in found]:
            fail(f"no object numbered {missing[0]}")
        ids = sa.select(CatalogueObject.id).where(CatalogueObject.number_key.in_(keys))
    handle = output.open("wb") if output else sys.stdout.buffer
    try:
        for piece in writer(db.session, ids):
            handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
    finally:
        if output:
            handle.close()
        else:
            handle.flush()
