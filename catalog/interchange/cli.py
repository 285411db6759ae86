"""``catalog export objects``, ``catalog backup`` and ``catalog restore``.

The export formats are a registry: a domain plugs its writer in with
``EXPORT_FORMATS["csv"] = write_csv`` where ``write_csv(session, stmt, out) -> int`` writes the
objects selected by ``stmt`` (a ``select(CatalogueObject)``) as bytes to ``out`` and returns how
many it wrote.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from catalog.cli import command_errors, fail
from catalog.objects.models import OBJECT_STATUSES, CatalogueObject

Writer = Callable[[Session, sa.Select[Any], IO[bytes]], int]


def write_lido_export(session: Session, stmt: sa.Select[Any], out: IO[bytes]) -> int:
    from catalog.interchange.lido import iter_objects, write_lido
    from catalog.interchange.media import lido_images

    return write_lido(out, iter_objects(session, stmt), lido_context(), images=lido_images)


#: format name -> writer; other domains add theirs (CSV comes from the import/export helper)
EXPORT_FORMATS: dict[str, Writer] = {"lido": write_lido_export}


def lido_context() -> Any:
    from catalog.interchange.lido import LidoContext

    return LidoContext(museum_name=current_app.config["MUSEUM_NAME"],
                       base_url=current_app.config["PUBLIC_BASE_URL"])


def select_objects(session: Session, *, numbers: tuple[str, ...] = (),
                   department: str | None = None, status: str | None = None,
                   published_only: bool = False) -> sa.Select[Any]:
    """The selection the export options describe (every object when none is given)."""
    from catalog.api.records.objects import number_key

    stmt = sa.select(CatalogueObject)
    if numbers:
        keys = {number_key(n): n for n in numbers}
        found = set(session.scalars(sa.select(CatalogueObject.number_key)
                                    .where(CatalogueObject.number_key.in_(keys))))
        if missing := [n for key, n in keys.items() if key not in found]:
            fail(f"no object numbered {missing[0]}")
        stmt = stmt.where(CatalogueObject.number_key.in_(keys))
    if department:
        stmt = stmt.where(sa.func.lower(CatalogueObject.department) == department.lower())
    if status:
        stmt = stmt.where(CatalogueObject.status == status)
    if published_only:
        stmt = stmt.where(CatalogueObject.is_published.is_(True))
    return stmt


def write_atomically(output: str | None, write: Callable[[IO[bytes]], int]) -> int:
    """Write to ``output`` through a temporary file renamed at the end (nothing half-written);
    to stdout when no output is given."""
    if output is None or output == "-":
        count = write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return count
    target = Path(output)
    if not target.parent.is_dir():
        fail(f"the folder {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            count = write(out)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


@click.group("export")
def export_group() -> None:
    """Export records (LIDO XML, CSV …)."""


@export_group.command("objects")
@click.option("--format", "fmt", required=True, help="Export format, e.g. lido or csv.")
@click.option("-o", "--output", default=None, help="File to write (default: standard output).")
@click.option("--number", "numbers", multiple=True, help="Object number (repeatable).")
@click.option("--department", default=None)
@click.option("--status", type=click.Choice(sorted(OBJECT_STATUSES)), default=None)
@click.option("--published-only", is_flag=True, help="Only records marked for publication.")
@with_appcontext
@command_errors
def export_objects(fmt: str, output: str | None, numbers: tuple[str, ...],
                   department: str | None, status: str | None, published_only: bool) -> None:
    """Export every object, or a selection, in FORMAT."""
    from catalog.extensions import db

    writer = EXPORT_FORMATS.get(fmt.lower())
    if writer is None:
        fail(f"unknown format {fmt!r}; choose one of {', '.join(sorted(EXPORT_FORMATS))}")
    session = db.session
    stmt = select_objects(session, numbers=numbers, department=department, status=status,
                          published_only=published_only)
    count = write_atomically(output, lambda out: writer(session, stmt, out))
    if output not in (None, "-"):
        click.echo(f"{count} object(s) written to {output}.", err=True)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
@command_errors
def backup_command(file: str) -> None:
    """Write a consistent snapshot of the database and media files to FILE (.tar.gz)."""
    from catalog.interchange.backup import backup

    manifest = backup(Path(file))
    rows = sum(manifest["tables"].values())
    click.echo(f"Backup written to {file}: {len(manifest['tables'])} tables, {rows} rows, "
               f"{len(manifest['media'])} media files.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
@command_errors
def restore_command(file: str) -> None:
    """Restore a backup FILE into this (empty) instance."""
    from catalog.interchange.backup import restore

    manifest = restore(Path(file))
    rows = sum(manifest["tables"].values())
    click.echo(f"Restored {rows} rows and {len(manifest['media'])} media files from {file}.")


def register(app: Any) -> None:
    app.cli.add_command(export_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
