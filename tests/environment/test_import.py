"""Importing logger files: stored compactly, duplicates skipped, all or nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.environment import services
from catalog.environment.models import Reading, ReadingImport, Sensor
from catalog.environment.parsers import LoggerFileError
from tests.environment.test_parsers import ENV, EXPECTED


def _count(session, sensor):
    return session.scalar(sa.select(sa.func.count()).select_from(Reading)
                          .where(Reading.sensor_id == sensor.id))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_real_file_imports(db_session, sensor, name):
    _, count, first, last = EXPECTED[name]
    outcome = services.import_file(db_session, sensor=sensor, data=(ENV / name).read_bytes(),
                                   filename=name, actor=None)
    assert outcome.record.rows_imported == count
    rows = list(db_session.scalars(sa.select(Reading).where(Reading.sensor_id == sensor.id)
                                   .order_by(Reading.taken_at)))
    assert len(rows) == count
    for row, (when, temp, rh, lux) in ((rows[0], first), (rows[-1], last)):
        assert row.taken_at == when
        assert row.temperature == (None if temp is None else round(temp * 100))
        assert row.humidity == (None if rh is None else round(rh * 10))
        assert row.lux == (None if lux is None else round(lux * 100))


def test_reimport_skips_duplicates(db_session, sensor):
    data = (ENV / "tandd/TandD_1.csv").read_bytes()
    services.import_file(db_session, sensor=sensor, data=data, filename="a.csv", actor=None)
    # The same readings under another name (the Case_1 copy) are all duplicates.
    again = services.import_file(db_session, sensor=sensor, filename="b.csv", actor=None,
                                 data=(ENV / "tandd/Case_1_A0000000.csv").read_bytes())
    assert again.record.rows_imported == 0
    assert again.record.rows_duplicate == 10
    assert _count(db_session, sensor) == 10


def test_bad_file_imports_nothing(db_session, sensor):
    good = (ENV / "meaco/Meaco_1.csv").read_bytes()
    bad = good.replace(b"21.25,56.39", b"21.25,999", 1)
    with pytest.raises(LoggerFileError, match=r"bad\.csv line 9: the relative humidity 999"):
        services.import_file(db_session, sensor=sensor, data=bad, filename="bad.csv", actor=None)
    assert _count(db_session, sensor) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ReadingImport)) == 0


def test_import_needs_permission(db_session, sensor, make_user):
    from catalog.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_file(db_session, sensor=sensor, actor=make_user("technician"),
                             data=(ENV / "meaco/Meaco_1.csv").read_bytes(), filename="m.csv")


def test_cli_import_and_check(app, committed_db):
    from catalog.environment.cli import environment_group
    from tests.locations.factories import make_location

    make_location(committed_db, "ARCHIVE", target_preset="bizot2023")
    committed_db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(environment_group, ["import", str(ENV / "tinytag/TinyTag_1.csv"),
                                               "--location", "ARCHIVE"])
    assert result.exit_code == 0, result.output
    assert "10 reading(s) imported for ARCHIVE-TINYTAG" in result.output
    result = runner.invoke(environment_group, ["import", str(ENV / "tinytag/TinyTag_1.csv"),
                                               "--location", "ARCHIVE"])
    assert "0 reading(s) imported" in result.output
    assert "10 duplicate(s) skipped" in result.output
    broken = ENV / "tinytag/TinyTag_2.csv"
    result = runner.invoke(environment_group, ["import", str(broken), "--location", "NOWHERE"])
    assert result.exit_code == 1
    assert "no location with the code 'NOWHERE'" in result.output
    result = runner.invoke(environment_group, ["check", "--silent-hours", "24"])
    assert result.exit_code == 0, result.output
    # the 2021 logger has been silent since
    assert "has sent no reading since" in result.output
    sensor = committed_db.scalar(sa.select(Sensor))
    assert sensor.kind == "tinytag"
    assert sensor.timezone == "Europe/London"
