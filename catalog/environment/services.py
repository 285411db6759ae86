"""Use cases for environmental monitoring: sensors, readings, alerts and chart data.

Readings are stored as integers (centi-degrees, tenths of a percent RH, centi-lux) with the
primary key (sensor, time): a re-imported file skips what is already stored. Alerts are evaluated
after every import and by ``catalog environment check``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.environment.models import (
    ALERT_KINDS,
    SENSOR_KINDS,
    Alert,
    Reading,
    ReadingImport,
    Sensor,
)
from catalog.environment.parsers import ParsedReading, parse_logger_file
from catalog.locations.models import Location
from catalog.locations.services import descendant_ids, full_path, get_location_by_code
from catalog.locations.targets import Target, effective_target
from catalog.objects.models import CatalogueObject

#: default length of an excursion before it becomes an alert (minutes)
DEFAULT_EXCURSION_MINUTES = 120
#: default hours without a reading before a sensor counts as silent
DEFAULT_SILENT_HOURS = 24

#: materials most at risk, per kind of excursion (matched as words in the object's materials)
SENSITIVE_MATERIALS = {
    "rh": ["paper", "parchment", "vellum", "textile", "silk", "wool", "cotton", "linen", "canvas",
           "photograph", "ivory", "bone", "wood", "panel", "leather", "metal", "iron", "bronze",
           "silver", "copper", "lacquer", "feather", "fur"],
    "temp": ["wax", "photograph", "film", "plastic", "resin", "varnish", "rubber", "oil",
             "paper", "textile"],
}


# --- sensors -------------------------------------------------------------------------------


def get_sensor(session: Session, sensor_id: int) -> Sensor:
    sensor = session.get(Sensor, sensor_id)
    if sensor is None:
        raise NotFoundError("There is no such sensor.")
    return sensor


def get_sensor_by_code(session: Session, code: str) -> Sensor:
    sensor = session.scalar(sa.select(Sensor).where(
        sa.func.lower(Sensor.code) == (code or "").strip().lower()))
    if sensor is None:
        raise ValidationError(f"There is no sensor with the code {code!r}.", field="sensor")
    return sensor


def save_sensor(
    session: Session,
    *,
    actor: object,
    sensor: Sensor | None = None,
    code: str,
    name: str,
    kind: str = "other",
    serial_number: str | None = None,
    location: Location | None = None,
    timezone: str = "UTC",
    is_active: bool = True,
    notes: str | None = None,
) -> Sensor:
    """Create (``sensor`` None) or update a sensor."""
    check(actor, "environment.edit")
    code = (code or "").strip()
    if not code or " " in code:
        raise ValidationError("A sensor needs a code without spaces.", field="code")
    if not (name or "").strip():
        raise ValidationError("A sensor needs a name.", field="name")
    if kind not in SENSOR_KINDS:
        raise ValidationError("Unknown kind of sensor.", field="kind")
    try:
        ZoneInfo(timezone)
    except Exception:
        raise ValidationError(f"Unknown time zone {timezone!r}.", field="timezone") from None
    clash = session.scalar(sa.select(Sensor).where(sa.func.lower(Sensor.code) == code.lower(),
                                                   Sensor.id != (sensor.id if sensor else -1)))
    if clash is not None:
        raise ValidationError(f"The sensor code {code} is already used.", field="code")
    if sensor is None:
        sensor = Sensor()
        session.add(sensor)
    sensor.code, sensor.name, sensor.kind = code, name.strip(), kind
    sensor.serial_number, sensor.location, sensor.timezone = serial_number or None, location, \
        timezone
    sensor.is_active, sensor.notes = is_active, notes or None
    session.flush()
    return sensor


# --- readings ------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    record: ReadingImport
    alerts_opened: list[Alert]


def _to_row(sensor_id: int, r: ParsedReading) -> dict[str, Any]:
    return {
        "sensor_id": sensor_id, "taken_at": r.taken_at,
        "temperature": None if r.temperature is None else round(r.temperature * 100),
        "humidity": None if r.humidity is None else round(r.humidity * 10),
        "lux": None if r.lux is None else round(r.lux * 100),
    }


def store_readings(
    session: Session,
    sensor: Sensor,
    readings: Sequence[ParsedReading],
    *,
    source: str,
    actor: object | None,
    filename: str | None = None,
    file_format: str | None = None,
    duplicates_in_file: int = 0,
    evaluate: bool = True,
) -> ImportOutcome:
    """Store readings, skipping those the sensor already has, then evaluate alerts."""
    if not readings:
        raise ValidationError("There are no readings to store.", field="readings")
    first = min(r.taken_at for r in readings)
    last = max(r.taken_at for r in readings)
    existing = set(session.scalars(sa.select(Reading.taken_at).where(
        Reading.sensor_id == sensor.id, Reading.taken_at >= first, Reading.taken_at <= last)))
    seen: set[datetime] = set()
    rows = []
    for r in readings:
        if r.taken_at in existing or r.taken_at in seen:
            continue
        seen.add(r.taken_at)
        rows.append(_to_row(sensor.id, r))
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Reading).on_conflict_do_nothing()
    for start in range(0, len(rows), 5000):
        session.execute(statement, rows[start:start + 5000])
    record = ReadingImport(
        sensor_id=sensor.id, source=source, filename=filename, file_format=file_format,
        rows_imported=len(rows), rows_duplicate=len(readings) - len(rows) + duplicates_in_file,
        first_at=first, last_at=last, imported_by_id=getattr(actor, "id", None))
    session.add(record)
    session.flush()
    opened = evaluate_sensor(session, sensor, since=first) if evaluate else []
    return ImportOutcome(record, opened)


def import_file(session: Session, *, sensor: Sensor, data: bytes, filename: str,
                actor: object | None, timezone: str | None = None) -> ImportOutcome:
    """Import a logger export for ``sensor``; an unreadable file imports nothing.

    Raises:
        LoggerFileError: naming the line and the reason.
    """
    if actor is not None:
        check(actor, "environment.edit")
    parsed = parse_logger_file(data, filename=filename, timezone=timezone or sensor.timezone)
    return store_readings(session, sensor, parsed.readings, source="file", actor=actor,
                          filename=filename, file_format=parsed.file_format,
                          duplicates_in_file=parsed.duplicates)


def sensor_for_import(session: Session, *, location_code: str, sensor_code: str | None,
                      actor: object | None, kind: str = "other", timezone: str = "UTC") -> Sensor:
    """The sensor a CLI import goes to: the one named, the only one at the location, or new."""
    location = get_location_by_code(session, location_code)
    if sensor_code:
        try:
            sensor = get_sensor_by_code(session, sensor_code)
        except ValidationError:
            sensor = Sensor(code=sensor_code, name=f"Logger {sensor_code}", kind=kind,
                            location=location, timezone=timezone)
            session.add(sensor)
            session.flush()
            return sensor
        if sensor.location_id != location.id:
            raise ValidationError(f"Sensor {sensor.code} is in another location.", field="sensor")
        return sensor
    sensors = list(session.scalars(sa.select(Sensor).where(Sensor.location_id == location.id,
                                                           Sensor.is_active)))
    if len(sensors) == 1:
        return sensors[0]
    if len(sensors) > 1:
        raise ValidationError(f"{location.code} has {len(sensors)} sensors; name one with "
                              "--sensor.", field="sensor")
    sensor = Sensor(code=f"{location.code}-{kind.upper()}", name=f"{SENSOR_KINDS[kind]} logger "
                    f"in {location.code}", kind=kind, location=location, timezone=timezone)
    session.add(sensor)
    session.flush()
    return sensor


def add_manual_reading(session: Session, *, sensor: Sensor, actor: object, taken_at: datetime,
                       temperature: float | None, humidity: float | None) -> ImportOutcome:
    """A reading taken by hand (e.g. with a hygrometer on a round)."""
    check(actor, "environment.edit")
    readings = validate_readings([{"taken_at": taken_at, "temperature": temperature,
                                   "humidity": humidity}])
    exists = session.get(Reading, (sensor.id, readings[0].taken_at))
    if exists is not None:
        raise ValidationError("This sensor already has a reading at that time.",
                              field="taken_at")
    return store_readings(session, sensor, readings, source="manual", actor=actor)


def validate_readings(items: Iterable[dict[str, Any]]) -> list[ParsedReading]:
    """Check readings given as mappings (form or API); the error names the item."""
    out = []
    for index, item in enumerate(items, start=1):
        taken = item.get("taken_at")
        if not isinstance(taken, datetime) or taken.tzinfo is None:
            raise ValidationError(f"Reading {index}: the time needs a date, a time and a time "
                                  "zone.", field="taken_at")
        temp, rh, lux = item.get("temperature"), item.get("humidity"), item.get("lux")
        if temp is None and rh is None and lux is None:
            raise ValidationError(f"Reading {index}: give a temperature, a humidity or both.",
                                  field="temperature")
        if temp is not None and not -60 <= temp <= 90:
            raise ValidationError(f"Reading {index}: {temp} °C is not a plausible temperature.",
                                  field="temperature")
        if rh is not None and not 0 <= rh <= 100:
            raise ValidationError(f"Reading {index}: RH is between 0 and 100 %.",
                                  field="humidity")
        if lux is not None and lux < 0:
            raise ValidationError(f"Reading {index}: illuminance cannot be negative.",
                                  field="lux")
        out.append(ParsedReading(taken.astimezone(ZoneInfo("UTC")), temp, rh, lux, index))
    return out


def last_reading_at(session: Session, sensor_ids: Sequence[int]) -> dict[int, datetime]:
    if not sensor_ids:
        return {}
    # One index probe per sensor (a correlated max): a GROUP BY would read every reading.
    latest = (sa.select(sa.func.max(Reading.taken_at)).where(Reading.sensor_id == Sensor.id)
              .correlate(Sensor).scalar_subquery())
    rows = session.execute(sa.select(Sensor.id, latest).where(Sensor.id.in_(sensor_ids)))
    from catalog.core.db import UTCDateTime

    conv = UTCDateTime().process_result_value
    dialect = session.get_bind().dialect
    out = {}
    for sid, value in rows:
        if value is None:
            continue
        # SQLite's max() loses the column type and returns the stored text
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        out[sid] = conv(when, dialect)
    return out


# --- alerts --------------------------------------------------------------------------------


def objects_at_risk(session: Session, location: Location | None, kind: str = "rh",
                    limit: int = 200) -> list[tuple[CatalogueObject, list[str]]]:
    """Objects in ``location`` (and inside it), sensitive materials first with what matched."""
    if location is None:
        return []
    ids = descendant_ids(session, location.id)
    objects = session.scalars(sa.select(CatalogueObject).where(
        CatalogueObject.current_location_id.in_(ids)).order_by(CatalogueObject.sort_key)
        .limit(2000))
    words = SENSITIVE_MATERIALS["temp" if kind.startswith("temp") else "rh"]
    scored = []
    for obj in objects:
        text = (obj.materials or "").lower()
        matched = [w for w in words if w in text]
        scored.append((obj, matched))
    scored.sort(key=lambda pair: (not pair[1], pair[0].sort_key))
    return scored[:limit]


def _format_value(kind: str, value: int | None) -> str:
    if value is None:
        return "—"
    if kind.startswith("temp"):
        return f"{value / 100:.1f} °C"
    return f"{value / 10:.1f} % RH"


def _notify(session: Session, alert: Alert) -> None:
    from catalog.core.outbox import enqueue_mail
    from catalog.core.permissions import has_permission
    from catalog.users.models import User

    location = alert.location
    risk = objects_at_risk(session, location, alert.kind, limit=30)
    lines = [alert.message, "", f"Location: {full_path(location)}", ""]
    if risk:
        lines.append("Objects at risk (most sensitive first):")
        for obj, matched in risk:
            flag = f" [{', '.join(matched)}]" if matched else ""
            lines.append(f"  {obj.object_number} {obj.title or obj.object_name or ''}{flag}")
    else:
        lines.append("No objects are recorded at this location.")
    from flask import current_app, has_app_context

    base = current_app.config.get("PUBLIC_BASE_URL", "") if has_app_context() else ""
    lines += ["", f"Acknowledge the alert: {base}/environment/alerts/{alert.id}"]
    for user in session.scalars(sa.select(User).where(User.is_disabled.is_(False))):
        if has_permission(user, "alerts.manage"):
            enqueue_mail(session, to=user.email,
                         subject=f"Environment alert: {alert.label} at "
                                 f"{location.code if location else alert.sensor.code}",
                         body_text="\n".join(lines), dedupe_key=f"env-alert-{alert.id}-{user.id}")


def _open_alert(session: Session, sensor: Sensor, kind: str, started: datetime, seen: datetime,
                worst: int | None, target: Target | None) -> Alert | None:
    """Open an alert unless one already covers this excursion (re-evaluation is idempotent)."""
    covered = session.scalar(sa.select(Alert.id).where(
        Alert.sensor_id == sensor.id, Alert.kind == kind, Alert.started_at <= seen,
        sa.or_(Alert.closed_at.is_(None), Alert.closed_at > started)).limit(1))
    if covered is not None:
        return None
    where = sensor.location.code if sensor.location else sensor.code
    if kind == "silent":
        message = f"Sensor {sensor.code} at {where} has sent no reading since " \
                  f"{started:%d %b %Y %H:%M} UTC."
    else:
        place = sensor.location.name if sensor.location else ""
        message = (f"{ALERT_KINDS[kind]} at {where} ({place}): {_format_value(kind, worst)} "
                   f"measured by {sensor.code} since "
                   f"{started:%d %b %Y %H:%M} UTC; target {target.describe() if target else '—'}.")
    alert = Alert(sensor_id=sensor.id, location_id=sensor.location_id, kind=kind,
                  started_at=started, last_seen_at=seen, worst_value=worst, message=message,
                  status="open", opened_at=utcnow())
    alert.sensor, alert.location = sensor, sensor.location
    session.add(alert)
    session.flush()
    _notify(session, alert)
    return alert


def _close(alert: Alert, when: datetime) -> None:
    alert.status = "closed"
    alert.closed_at = when


def evaluate_sensor(session: Session, sensor: Sensor, *, since: datetime | None = None,
                    excursion_minutes: int | None = None) -> list[Alert]:
    """Open, extend and close the sensor's excursion alerts from its readings.

    An excursion outside the location's effective target becomes an alert once it has lasted
    ``excursion_minutes``; an RH change within 24 hours beyond the target's swing limit opens one
    at once. An alert closes by itself at the first reading back within the target.
    """
    from flask import current_app, has_app_context

    if excursion_minutes is None:
        excursion_minutes = (current_app.config.get("ENVIRONMENT_EXCURSION_MINUTES")
                             if has_app_context() else None) or DEFAULT_EXCURSION_MINUTES
    target = effective_target(sensor.location) if sensor.location else None
    if target is None:
        return []
    start = since if since is not None else sensor.evaluated_until
    if start is not None and sensor.evaluated_until is not None:
        start = min(start, sensor.evaluated_until)
    duration = timedelta(minutes=excursion_minutes)
    context = timedelta(hours=24) + duration
    query = sa.select(Reading.taken_at, Reading.temperature, Reading.humidity).where(
        Reading.sensor_id == sensor.id).order_by(Reading.taken_at)
    if start is not None:
        query = query.where(Reading.taken_at >= start - context)
    open_alerts = {a.kind: a for a in session.scalars(sa.select(Alert).where(
        Alert.sensor_id == sensor.id, Alert.status != "closed", Alert.kind != "silent"))}
    opened: list[Alert] = []
    run_start: dict[str, datetime | None] = {}
    worst: dict[str, int | None] = {}
    window: deque[tuple[datetime, int]] = deque()
    lows: deque[tuple[datetime, int]] = deque()
    highs: deque[tuple[datetime, int]] = deque()
    last_time = None

    def step(kind: str, out: bool, value: int | None, when: datetime, needed: timedelta,
             worse: Any) -> None:
        alert = open_alerts.get(kind)
        if out:
            if run_start.get(kind) is None:
                run_start[kind], worst[kind] = when, value
            elif value is not None and (worst[kind] is None or worse(value, worst[kind])):
                worst[kind] = value
            if alert is not None:
                if alert.last_seen_at is None or when > alert.last_seen_at:
                    alert.last_seen_at = when
                    if value is not None and (alert.worst_value is None
                                              or worse(value, alert.worst_value)):
                        alert.worst_value = value
            elif when - run_start[kind] >= needed:  # type: ignore[operator]
                new = _open_alert(session, sensor, kind, run_start[kind], when,  # type: ignore[arg-type]
                                  worst[kind], target)
                if new is not None:
                    open_alerts[kind] = new
                    opened.append(new)
        else:
            run_start[kind] = None
            if alert is not None and when > (alert.last_seen_at or alert.started_at):
                _close(alert, when)
                del open_alerts[kind]

    for when, temp, rh in session.execute(query):
        last_time = when
        if temp is not None:
            step("temp_high", target.temp_max is not None and temp > target.temp_max, temp, when,
                 duration, lambda a, b: a > b)
            step("temp_low", target.temp_min is not None and temp < target.temp_min, temp, when,
                 duration, lambda a, b: a < b)
        if rh is not None:
            step("rh_high", target.rh_max is not None and rh > target.rh_max, rh, when, duration,
                 lambda a, b: a > b)
            step("rh_low", target.rh_min is not None and rh < target.rh_min, rh, when, duration,
                 lambda a, b: a < b)
            if target.rh_swing is not None:
                # rolling 24-hour minimum and maximum (monotonic queues)
                window.append((when, rh))
                while lows and lows[-1][1] >= rh:
                    lows.pop()
                lows.append((when, rh))
                while highs and highs[-1][1] <= rh:
                    highs.pop()
                highs.append((when, rh))
                horizon = when - timedelta(hours=24)
                while lows[0][0] <= horizon:
                    lows.popleft()
                while highs[0][0] <= horizon:
                    highs.popleft()
                swing = highs[0][1] - lows[0][1]
                step("rh_swing", swing > target.rh_swing, swing, when, timedelta(0),
                     lambda a, b: a > b)
    if last_time is not None and (sensor.evaluated_until is None
                                  or last_time > sensor.evaluated_until):
        sensor.evaluated_until = last_time
    session.flush()
    return opened


def check_silent(session: Session, *, now: datetime | None = None,
                 hours: int = DEFAULT_SILENT_HOURS) -> list[Alert]:
    """Flag active sensors with no reading for ``hours``; close the flag when readings resume."""
    now = now or utcnow()
    sensors = list(session.scalars(sa.select(Sensor).where(Sensor.is_active)))
    last = last_reading_at(session, [s.id for s in sensors])
    opened = []
    for sensor in sensors:
        seen = last.get(sensor.id)
        silent = seen is None or now - seen > timedelta(hours=hours)
        alert = session.scalar(sa.select(Alert).where(
            Alert.sensor_id == sensor.id, Alert.kind == "silent", Alert.status != "closed"))
        if silent and alert is None:
            new = _open_alert(session, sensor, "silent", seen or sensor.created_at, now, None,
                              None)
            if new is not None:
                opened.append(new)
        elif not silent and alert is not None:
            _close(alert, seen or now)
    session.flush()
    return opened


def check_all(session: Session, *, silent_hours: int = DEFAULT_SILENT_HOURS,
              excursion_minutes: int | None = None) -> list[Alert]:
    """Evaluate every active sensor and flag silent ones (``catalog environment check``)."""
    opened: list[Alert] = []
    for sensor in session.scalars(sa.select(Sensor).where(Sensor.is_active)).all():
        opened += evaluate_sensor(session, sensor, excursion_minutes=excursion_minutes)
    opened += check_silent(session, hours=silent_hours)
    return opened


def acknowledge_alert(session: Session, alert: Alert, *, actor: Any, note: str) -> Alert:
    check(actor, "alerts.manage")
    if alert.status == "closed":
        raise ValidationError("This alert is already closed.", field="note")
    if not (note or "").strip():
        raise ValidationError("Say what is being done about it.", field="note")
    alert.status = "acknowledged"
    alert.acknowledged_by_id = actor.id
    alert.acknowledged_at = utcnow()
    alert.acknowledgement_note = note.strip()
    session.flush()
    return alert


def close_alert(session: Session, alert: Alert, *, actor: Any, note: str | None = None) -> Alert:
    check(actor, "alerts.manage")
    if alert.status == "closed":
        raise ValidationError("This alert is already closed.", field="note")
    if note:
        alert.acknowledgement_note = ((alert.acknowledgement_note or "") + "\n" + note).strip()
    if alert.acknowledged_by_id is None:
        alert.acknowledged_by_id, alert.acknowledged_at = actor.id, utcnow()
    _close(alert, utcnow())
    session.flush()
    return alert


# --- charts --------------------------------------------------------------------------------


def _epoch(session: Session) -> Any:
    """Seconds since 1970 of a reading's time, in SQL, on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", Reading.taken_at)), sa.BigInteger)
    return sa.cast(sa.func.strftime("%s", Reading.taken_at), sa.Integer)


def location_sensor_ids(session: Session, location: Location) -> list[int]:
    ids = descendant_ids(session, location.id)
    return list(session.scalars(sa.select(Sensor.id).where(Sensor.location_id.in_(ids))))


def bucketed(session: Session, sensor_ids: Sequence[int], start: datetime, end: datetime,
             bucket_seconds: int) -> list[tuple[int, Any, ...]]:
    """(bucket start epoch, count, t min, t max, t avg, rh min, rh max, rh avg) per bucket.

    The grouping happens in SQL so a year of 15-minute readings (35,000 rows per sensor) comes
    back as about a thousand rows.
    """
    if not sensor_ids:
        return []
    # floor division: integer division on SQLite, FLOOR(a / b) on PostgreSQL
    bucket = (_epoch(session) // bucket_seconds).label("bucket")
    query = (sa.select(bucket, sa.func.count(), sa.func.min(Reading.temperature),
                       sa.func.max(Reading.temperature), sa.func.avg(Reading.temperature),
                       sa.func.min(Reading.humidity), sa.func.max(Reading.humidity),
                       sa.func.avg(Reading.humidity))
             .where(Reading.sensor_id.in_(sensor_ids), Reading.taken_at >= start,
                    Reading.taken_at < end)
             .group_by(bucket).order_by(bucket))
    return [(int(b) * bucket_seconds, *rest) for b, *rest in session.execute(query)]


def series(session: Session, location: Location, *, start: datetime, end: datetime,
           max_points: int = 1000) -> dict[str, Any]:
    """Chart data for uPlot: columns of bucket times and min/avg/max per bucket."""
    span = max(1, int((end - start).total_seconds()))
    bucket_seconds = max(60, math.ceil(span / max_points / 60) * 60)
    rows = bucketed(session, location_sensor_ids(session, location), start, end, bucket_seconds)

    def col(i: int, scale: int) -> list[float | None]:
        return [None if r[i] is None else round(float(r[i]) / scale, 2) for r in rows]

    target = effective_target(location)
    return {
        "location": location.code, "bucket_seconds": bucket_seconds,
        "start": int(start.timestamp()), "end": int(end.timestamp()),
        "t": [r[0] for r in rows],
        "temp_min": col(2, 100), "temp_max": col(3, 100), "temp_avg": col(4, 100),
        "rh_min": col(5, 10), "rh_max": col(6, 10), "rh_avg": col(7, 10),
        "target": None if target is None else {
            "label": target.label, "describe": target.describe(),
            "temp_min": None if target.temp_min is None else target.temp_min / 100,
            "temp_max": None if target.temp_max is None else target.temp_max / 100,
            "rh_min": None if target.rh_min is None else target.rh_min / 10,
            "rh_max": None if target.rh_max is None else target.rh_max / 10,
        },
    }


@dataclass
class DailyStats:
    day: date
    count: int
    temp_min: float | None
    temp_max: float | None
    temp_mean: float | None
    rh_min: float | None
    rh_max: float | None
    rh_mean: float | None


def daily_stats(session: Session, location: Location, *, start: datetime, end: datetime,
                timezone: str) -> list[DailyStats]:
    """Daily min/max/mean in the museum's time zone (from hourly SQL buckets)."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[Any]] = {}
    for epoch, count, tmin, tmax, tavg, rmin, rmax, ravg in bucketed(
            session, location_sensor_ids(session, location), start, end, 3600):
        day = datetime.fromtimestamp(epoch, zone).date()
        acc = days.setdefault(day, [0, None, None, 0.0, 0, None, None, 0.0, 0])
        acc[0] += count
        if tmin is not None:
            acc[1] = tmin if acc[1] is None else min(acc[1], tmin)
            acc[2] = tmax if acc[2] is None else max(acc[2], tmax)
            acc[3] += float(tavg) * count
            acc[4] += count
        if rmin is not None:
            acc[5] = rmin if acc[5] is None else min(acc[5], rmin)
            acc[6] = rmax if acc[6] is None else max(acc[6], rmax)
            acc[7] += float(ravg) * count
            acc[8] += count
    return [DailyStats(day, a[0], a[1] and a[1] / 100 if a[1] is not None else None,
                       a[2] / 100 if a[2] is not None else None,
                       round(a[3] / a[4] / 100, 2) if a[4] else None,
                       a[5] / 10 if a[5] is not None else None,
                       a[6] / 10 if a[6] is not None else None,
                       round(a[7] / a[8] / 10, 1) if a[8] else None)
            for day, a in sorted(days.items(), reverse=True)]


def time_in_range(session: Session, location: Location, *, start: datetime, end: datetime
                  ) -> float | None:
    """Percentage of readings within the effective target (None without readings or target)."""
    target = effective_target(location)
    sensor_ids = location_sensor_ids(session, location)
    if target is None or not sensor_ids:
        return None
    conditions = []
    for column, lo, hi in ((Reading.temperature, target.temp_min, target.temp_max),
                           (Reading.humidity, target.rh_min, target.rh_max)):
        parts = []
        if lo is not None:
            parts.append(column >= lo)
        if hi is not None:
            parts.append(column <= hi)
        if parts:
            conditions.append(sa.or_(column.is_(None), sa.and_(*parts)))
    ok = sa.and_(*conditions) if conditions else sa.true()
    total, good = session.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((ok, 1), else_=0)))
        .where(Reading.sensor_id.in_(sensor_ids), Reading.taken_at >= start,
               Reading.taken_at < end,
               sa.or_(Reading.temperature.is_not(None), Reading.humidity.is_not(None)))).one()
    if not total:
        return None
    return round(100.0 * (good or 0) / total, 1)
