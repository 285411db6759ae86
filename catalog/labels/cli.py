"""``catalog labels objects|locations (--all | CODE_OR_NUMBER ...) [--layout NAME] -o FILE.pdf``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from catalog.cli import command_errors, fail
from catalog.labels import services
from catalog.labels.layouts import DEFAULT_LAYOUT, LAYOUTS


@click.command("labels")
@click.argument("kind", type=click.Choice(services.KINDS))
@click.argument("identifiers", nargs=-1)
@click.option("--all", "all_records", is_flag=True, help="Every object (or active location).")
@click.option("--layout", default=DEFAULT_LAYOUT, show_default=True,
              help=f"Label stock: {', '.join(LAYOUTS)}.")
@click.option("--start", default=1, show_default=True,
              help="First free label on a partly used sheet (1 = top left).")
@click.option("--copies", default=1, show_default=True, help="Labels per record.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The PDF file to write.")
@with_appcontext
@command_errors
def labels_command(kind: str, identifiers: tuple[str, ...], all_records: bool, layout: str,
                   start: int, copies: int, output: str) -> None:
    """Print QR labels for objects or locations to a PDF.

    IDENTIFIERS are object numbers, location codes, scan codes or old barcodes.
    """
    from catalog.extensions import db

    if all_records == bool(identifiers):
        fail("give either --all or the numbers/codes to print, not both")
    if all_records:
        records = services.all_records(db.session, kind)
    else:
        records = services.records_by_identifiers(db.session, kind, identifiers)
    content = services.labels_pdf(kind=kind, records=records, layout_name=layout, start=start,
                                  copies=copies, base_url=current_app.config["PUBLIC_BASE_URL"])
    target = Path(output)
    # Written beside the target and renamed: a failed run never leaves half a PDF behind.
    handle, temporary = tempfile.mkstemp(dir=target.parent or Path.cwd(), suffix=".part")
    with os.fdopen(handle, "wb") as stream:
        stream.write(content)
    Path(temporary).replace(target)
    click.echo(f"{len(records) * copies} label(s) for {len(records)} {kind} written to {target}.")
