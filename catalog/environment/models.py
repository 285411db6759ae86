"""Environmental monitoring: sensors (data loggers), their readings, imports and alerts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.locations.models import Location

#: logger makes the importer recognises, plus manual entry and the API
SENSOR_KINDS = {
    "hanwell": "Hanwell",
    "tinytag": "Tinytag (Gemini)",
    "meaco": "Meaco",
    "tandd": "T&D",
    "other": "Other / manual",
}


class Sensor(Audited, TimestampMixin, Base):
    """A data logger placed in a location."""

    __tablename__ = "env_sensors"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short code written on the logger, e.g. "TT-ARCH-1"
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default="other")
    serial_number: Mapped[str | None] = mapped_column(sa.String(100))
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    #: the zone the logger's clock is set to (exports carry local times without an offset)
    timezone: Mapped[str] = mapped_column(sa.String(60), default="UTC")
    is_active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    #: readings up to this time have been checked for alerts
    evaluated_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    location: Mapped[Location | None] = relationship()

    def __repr__(self) -> str:
        return f"<Sensor {self.id} {self.code!r}>"


class Reading(Base):
    """One reading of a sensor, stored compactly: integers, no surrogate key.

    Temperature in centi-degrees Celsius (2153 = 21.53 °C), relative humidity in tenths of a
    percent (530 = 53.0 %), illuminance in centi-lux. The primary key (sensor, time) is the index
    every query uses and makes a re-imported file skip the readings already stored. Readings are
    measurements, not edits, so they are not in the audit trail: each import is (ReadingImport).
    """

    __tablename__ = "env_readings"
    # SQLite: store the rows in primary-key order (no separate rowid table and index)
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy reads it)

    sensor_id: Mapped[int] = mapped_column(sa.ForeignKey("env_sensors.id"), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    temperature: Mapped[int | None]
    humidity: Mapped[int | None] = mapped_column(sa.SmallInteger)
    lux: Mapped[int | None]


class ReadingImport(Audited, Base):
    """One logger file (or API batch, or manual entry) imported for a sensor."""

    __tablename__ = "env_reading_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sensor_id: Mapped[int] = mapped_column(sa.ForeignKey("env_sensors.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(20))
    filename: Mapped[str | None] = mapped_column(sa.String(300))
    file_format: Mapped[str | None] = mapped_column(sa.String(40))
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_duplicate: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    sensor: Mapped[Sensor] = relationship()


#: alert kinds -> label
ALERT_KINDS = {
    "temp_high": "Temperature above target",
    "temp_low": "Temperature below target",
    "rh_high": "Relative humidity above target",
    "rh_low": "Relative humidity below target",
    "rh_swing": "RH changed too much within 24 hours",
    "silent": "Sensor silent",
}


class Alert(Audited, Base):
    """An environmental excursion (or a silent sensor) at a location."""

    __tablename__ = "env_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sensor_id: Mapped[int] = mapped_column(sa.ForeignKey("env_sensors.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("locations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    #: open, acknowledged (someone is on it), closed
    status: Mapped[str] = mapped_column(sa.String(12), default="open", index=True)
    #: when the excursion began (first reading outside the target)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: last reading still outside the target
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: worst value: centi-degrees for temperature, tenths of a percent for RH and swing
    worst_value: Mapped[int | None]
    message: Mapped[str] = mapped_column(sa.Text)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledgement_note: Mapped[str | None] = mapped_column(sa.Text)

    sensor: Mapped[Sensor] = relationship()
    location: Mapped[Location | None] = relationship()

    __table_args__ = (sa.Index("ix_env_alerts_sensor_kind_start", "sensor_id", "kind",
                               "started_at"),)

    @property
    def label(self) -> str:
        return ALERT_KINDS.get(self.kind, self.kind)
