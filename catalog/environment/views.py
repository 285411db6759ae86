"""Environment pages: overview, sensors, imports, location charts and alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, NotFoundError
from catalog.core.forms import render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.environment import bp, services
from catalog.environment.forms import AlertNoteForm, ImportForm, ManualReadingForm, SensorForm
from catalog.environment.models import Alert, ReadingImport, Sensor
from catalog.extensions import db
from catalog.locations.services import full_path, get_location, get_location_by_code
from catalog.locations.targets import effective_target

#: chart ranges offered on the location page: code -> (label, days)
RANGES = {"7d": ("7 days", 7), "30d": ("30 days", 30), "90d": ("90 days", 90),
          "1y": ("1 year", 365)}


def panel_context() -> dict[str, Any]:
    alerts = list(db.session.scalars(sa.select(Alert).where(Alert.status != "closed")
                                     .order_by(Alert.opened_at.desc()).limit(5)))
    return {"env_alerts": alerts}


@bp.route("/")
@require("environment.view")
def index() -> Any:
    sensors = list(db.session.scalars(sa.select(Sensor).order_by(Sensor.code)))
    last = services.last_reading_at(db.session, [s.id for s in sensors])
    alerts = list(db.session.scalars(sa.select(Alert).where(Alert.status != "closed")
                                     .order_by(Alert.opened_at.desc())))
    silent_after = timedelta(hours=current_app.config["ENVIRONMENT_SILENT_HOURS"])
    return render_template("environment/index.html", sensors=sensors, last=last, alerts=alerts,
                           now=utcnow(), silent_after=silent_after)


def _sensor_form_save(form: SensorForm, sensor: Sensor | None) -> Sensor:
    location = get_location_by_code(db.session, form.location.data) \
        if (form.location.data or "").strip() else None
    return services.save_sensor(
        db.session, actor=current_user, sensor=sensor, code=form.code.data or "",
        name=form.name.data or "", kind=form.kind.data or "other",
        serial_number=form.serial_number.data, location=location,
        timezone=(form.timezone.data or "UTC").strip(), is_active=bool(form.is_active.data),
        notes=form.notes.data)


@bp.route("/sensors/new", methods=["GET", "POST"])
@require("environment.edit")
def new_sensor() -> Any:
    form = SensorForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["MUSEUM_TIMEZONE"]
        form.location.data = request.args.get("location", "")
    if form.validate_on_submit():
        try:
            sensor = _sensor_form_save(form, None)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Sensor {sensor.code} added.", "success")
            return redirect(url_for("environment.sensor", sensor_id=sensor.id))
    if request.method == "POST":
        return render_invalid("environment/sensor_form.html", form=form, sensor=None)
    return render_template("environment/sensor_form.html", form=form, sensor=None)


@bp.route("/sensors/<int:sensor_id>/edit", methods=["GET", "POST"])
@require("environment.edit")
def edit_sensor(sensor_id: int) -> Any:
    sensor = services.get_sensor(db.session, sensor_id)
    form = SensorForm(obj=sensor)
    if request.method == "GET":
        form.location.data = sensor.location.code if sensor.location else ""
    if form.validate_on_submit():
        try:
            _sensor_form_save(form, sensor)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Sensor {sensor.code} saved.", "success")
            return redirect(url_for("environment.sensor", sensor_id=sensor.id))
    if request.method == "POST":
        return render_invalid("environment/sensor_form.html", form=form, sensor=sensor)
    return render_template("environment/sensor_form.html", form=form, sensor=sensor)


def _sensor_page(sensor: Sensor, import_form: ImportForm, manual_form: ManualReadingForm,
                 status: int = 200) -> Any:
    imports = list(db.session.scalars(sa.select(ReadingImport).where(
        ReadingImport.sensor_id == sensor.id).order_by(ReadingImport.imported_at.desc())
        .limit(20)))
    last = services.last_reading_at(db.session, [sensor.id]).get(sensor.id)
    return render_template("environment/sensor.html", sensor=sensor, import_form=import_form,
                           manual_form=manual_form, imports=imports, last=last), status


@bp.route("/sensors/<int:sensor_id>")
@require("environment.view")
def sensor(sensor_id: int) -> Any:
    sensor = services.get_sensor(db.session, sensor_id)
    return _sensor_page(sensor, ImportForm(prefix="imp"), ManualReadingForm(prefix="man"))


@bp.route("/sensors/<int:sensor_id>/import", methods=["POST"])
@require("environment.edit")
def import_readings(sensor_id: int) -> Any:
    sensor = services.get_sensor(db.session, sensor_id)
    form = ImportForm(prefix="imp")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = services.import_file(
                db.session, sensor=sensor, data=upload.read(), filename=upload.filename or "file",
                actor=current_user, timezone=(form.timezone.data or "").strip() or None)
        except DomainError as exc:
            form.file.errors = [*form.file.errors, exc.message]
        else:
            rec = outcome.record
            flash(f"{rec.rows_imported} reading(s) imported, {rec.rows_duplicate} duplicate(s) "
                  f"skipped, {len(outcome.alerts_opened)} alert(s) opened.", "success")
            return redirect(url_for("environment.sensor", sensor_id=sensor.id))
    return _sensor_page(sensor, form, ManualReadingForm(prefix="man"), 422)


@bp.route("/sensors/<int:sensor_id>/readings", methods=["POST"])
@require("environment.edit")
def manual_reading(sensor_id: int) -> Any:
    sensor = services.get_sensor(db.session, sensor_id)
    form = ManualReadingForm(prefix="man")
    if form.validate_on_submit():
        zone = ZoneInfo(current_app.config["MUSEUM_TIMEZONE"])
        try:
            services.add_manual_reading(
                db.session, sensor=sensor, actor=current_user,
                taken_at=form.taken_at.data.replace(tzinfo=zone),
                temperature=None if form.temperature.data is None else float(form.temperature.data),
                humidity=None if form.humidity.data is None else float(form.humidity.data))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Reading recorded.", "success")
            return redirect(url_for("environment.sensor", sensor_id=sensor.id))
    return _sensor_page(sensor, ImportForm(prefix="imp"), form, 422)


def _range() -> tuple[str, datetime, datetime]:
    code = request.args.get("range", "30d")
    if code not in RANGES:
        code = "30d"
    end_arg = request.args.get("end", type=int)
    end = datetime.fromtimestamp(end_arg, ZoneInfo("UTC")) if end_arg else utcnow()
    return code, end - timedelta(days=RANGES[code][1]), end


@bp.route("/locations/<int:location_id>")
@require("environment.view")
def location(location_id: int) -> Any:
    loc = get_location(db.session, location_id)
    code, start, end = _range()
    sensor_ids = services.location_sensor_ids(db.session, loc)
    sensors = list(db.session.scalars(sa.select(Sensor).where(Sensor.id.in_(sensor_ids))))
    # Charts default to the range ending at the latest reading, so an old import still shows.
    if "end" not in request.args and sensor_ids:
        last = services.last_reading_at(db.session, sensor_ids)
        if last:
            end = max(last.values()) + timedelta(minutes=1)
            start = end - timedelta(days=RANGES[code][1])
    stats = services.daily_stats(db.session, loc, start=start, end=end,
                                 timezone=current_app.config["MUSEUM_TIMEZONE"])
    alerts = list(db.session.scalars(sa.select(Alert).where(
        Alert.location_id == loc.id).order_by(Alert.opened_at.desc()).limit(20)))
    return render_template(
        "environment/location.html", location=loc, sensors=sensors, stats=stats, alerts=alerts,
        target=effective_target(loc), in_range=services.time_in_range(
            db.session, loc, start=start, end=end), range_code=code, ranges=RANGES,
        start=start, end=end, path=full_path(loc),
        series_url=url_for("environment.location_series", location_id=loc.id, range=code,
                           end=int(end.timestamp())))


@bp.route("/locations/<int:location_id>/series.json")
@require("environment.view")
def location_series(location_id: int) -> Any:
    loc = get_location(db.session, location_id)
    _, start, end = _range()
    points = request.args.get("points", 1000, type=int)
    return jsonify(services.series(db.session, loc, start=start, end=end,
                                   max_points=max(50, min(points, 5000))))


@bp.route("/alerts")
@require("environment.view")
def alerts() -> Any:
    show = request.args.get("show", "open")
    query = sa.select(Alert).order_by(Alert.opened_at.desc()).limit(200)
    if show != "all":
        query = query.where(Alert.status != "closed")
    return render_template("environment/alerts.html", alerts=list(db.session.scalars(query)),
                           show=show)


def _alert(alert_id: int) -> Alert:
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError("There is no such alert.")
    return alert


def _alert_page(alert: Alert, form: AlertNoteForm, status: int = 200) -> Any:
    return render_template("environment/alert.html", alert=alert, form=form,
                           at_risk=services.objects_at_risk(db.session, alert.location,
                                                            alert.kind),
                           path=full_path(alert.location)), status


@bp.route("/alerts/<int:alert_id>")
@require("environment.view")
def alert(alert_id: int) -> Any:
    return _alert_page(_alert(alert_id), AlertNoteForm())


@bp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@require("alerts.manage")
def acknowledge(alert_id: int) -> Any:
    alert = _alert(alert_id)
    form = AlertNoteForm()
    if form.validate_on_submit():
        try:
            services.acknowledge_alert(db.session, alert, actor=current_user,
                                       note=form.note.data or "")
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Alert acknowledged.", "success")
            return redirect(url_for("environment.alert", alert_id=alert.id))
    return _alert_page(alert, form, 422)


@bp.route("/alerts/<int:alert_id>/close", methods=["POST"])
@require("alerts.manage")
def close(alert_id: int) -> Any:
    alert = _alert(alert_id)
    form = AlertNoteForm()
    if form.validate_on_submit():
        try:
            services.close_alert(db.session, alert, actor=current_user, note=form.note.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Alert closed.", "success")
            return redirect(url_for("environment.alerts"))
    return _alert_page(alert, form, 422)
