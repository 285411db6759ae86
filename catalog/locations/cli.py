"""``catalog locations``: import a location tree."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from catalog.cli import command_errors, unit_of_work


@click.group("locations")
def locations_group() -> None:
    """Storage locations."""


@locations_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--prefix", default="NGA", show_default=True, help="Code prefix of the new tree.")
@click.option("--site-name", default="National Gallery of Art", show_default=True)
@with_appcontext
@command_errors
def import_command(file: Path, prefix: str, site_name: str) -> None:
    """Import a location tree from an NGA locations.csv (floors from the files next to it)."""
    from catalog.core.audit import reason
    from catalog.locations.importer import import_nga_locations

    with unit_of_work() as session, reason(f"location tree imported from {file.name}"):
        result = import_nga_locations(session, file, prefix=prefix, site_name=site_name)
    click.echo(f"{result.rows} rows read: {result.created} locations created, "
               f"{result.updated} renamed.")
