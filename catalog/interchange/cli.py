"""``catalog backup FILE`` and ``catalog restore FILE``.

(``catalog export objects --format lido`` is the imports module's export command with the
``lido`` format this package registers.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from catalog.cli import command_errors


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
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
