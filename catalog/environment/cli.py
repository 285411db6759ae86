"""``catalog environment``: import logger files and check for alerts."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from catalog.cli import command_errors, unit_of_work


@click.group("environment")
def environment_group() -> None:
    """Environmental monitoring."""


@environment_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--location", "location_code", required=True, help="Code of the logger's location.")
@click.option("--sensor", "sensor_code", help="Sensor code (created when new).")
@click.option("--timezone", help="Zone of the times in the file (default: the sensor's, or "
              "the museum's for a new sensor).")
@with_appcontext
@command_errors
def import_command(file: Path, location_code: str, sensor_code: str | None,
                   timezone: str | None) -> None:
    """Import a Hanwell, Tinytag, Meaco or T&D export; an unreadable file imports nothing."""
    from catalog.environment.parsers import parse_logger_file
    from catalog.environment.services import import_file, sensor_for_import

    data = file.read_bytes()
    zone = timezone or current_app.config["MUSEUM_TIMEZONE"]
    # Parse first: the sensor's make comes from the file, and a bad file creates nothing.
    parsed = parse_logger_file(data, filename=file.name, timezone=zone)
    kind = parsed.file_format if parsed.file_format != "csv" else "other"
    with unit_of_work() as session:
        sensor = sensor_for_import(session, location_code=location_code, sensor_code=sensor_code,
                                   actor=None, kind=kind, timezone=zone)
        outcome = import_file(session, sensor=sensor, data=data, filename=file.name, actor=None,
                              timezone=timezone)
    record = outcome.record
    click.echo(f"{file.name}: {record.rows_imported} reading(s) imported for {sensor.code}, "
               f"{record.rows_duplicate} duplicate(s) skipped; "
               f"{len(outcome.alerts_opened)} alert(s) opened.")


@environment_group.command("check")
@click.option("--silent-hours", type=int, help="Hours without readings before a sensor is "
              "flagged silent.")
@click.option("--excursion-minutes", type=click.IntRange(min=0), help="How long readings must "
              "stay outside the target before an alert opens (default: "
              "ENVIRONMENT_EXCURSION_MINUTES, 120).")
@with_appcontext
@command_errors
def check_command(silent_hours: int | None, excursion_minutes: int | None) -> None:
    """Evaluate every sensor's readings against its location's targets; flag silent sensors."""
    from catalog.environment.services import check_all

    hours = silent_hours or current_app.config["ENVIRONMENT_SILENT_HOURS"]
    with unit_of_work() as session:
        opened = check_all(session, silent_hours=hours, excursion_minutes=excursion_minutes)
    click.echo(f"{len(opened)} alert(s) opened.")
    for alert in opened:
        click.echo(f"  {alert.message}")
