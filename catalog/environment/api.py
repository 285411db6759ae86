"""JSON API: ``/api/v1/environment/readings`` (post a batch of readings, read them back)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from catalog.core.db import utcnow
from catalog.core.permissions import check
from catalog.environment import services
from catalog.environment.models import Reading
from catalog.extensions import db

blp = Blueprint("environment_api", __name__, description="Environmental readings")


class ReadingSchema(Schema):
    taken_at = fields.AwareDateTime(required=True, metadata={
        "description": "ISO 8601 with an offset, e.g. 2026-01-31T14:00:00+00:00"})
    temperature = fields.Float(allow_none=True, validate=validate.Range(-60, 90),
                               metadata={"description": "°C"})
    humidity = fields.Float(allow_none=True, validate=validate.Range(0, 100),
                            metadata={"description": "% RH"})
    lux = fields.Float(allow_none=True, validate=validate.Range(min=0))


class ReadingBatchSchema(Schema):
    sensor = fields.String(required=True, validate=validate.Length(min=1, max=60),
                           metadata={"description": "Sensor code"})
    readings = fields.List(fields.Nested(ReadingSchema), required=True,
                           validate=validate.Length(min=1, max=20000))


class ImportResultSchema(Schema):
    sensor = fields.String()
    imported = fields.Integer()
    duplicates = fields.Integer()
    alerts_opened = fields.Integer()


class ReadingQuerySchema(Schema):
    sensor = fields.String(required=True)
    start = fields.AwareDateTime(load_default=None)
    end = fields.AwareDateTime(load_default=None)
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 10000))


class ReadingListSchema(Schema):
    sensor = fields.String()
    readings = fields.List(fields.Nested(ReadingSchema))


@blp.route("/readings")
class Readings(MethodView):
    @blp.arguments(ReadingQuerySchema, location="query")
    @blp.response(200, ReadingListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Readings of a sensor, oldest first (default: the last 7 days)."""
        check(current_user, "environment.view")
        sensor = services.get_sensor_by_code(db.session, args["sensor"])
        end = args["end"] or utcnow()
        start = args["start"] or end - timedelta(days=7)
        rows = db.session.scalars(
            sa.select(Reading).where(Reading.sensor_id == sensor.id, Reading.taken_at >= start,
                                     Reading.taken_at <= end)
            .order_by(Reading.taken_at).limit(args["limit"]))
        return {"sensor": sensor.code, "readings": [{
            "taken_at": r.taken_at,
            "temperature": None if r.temperature is None else r.temperature / 100,
            "humidity": None if r.humidity is None else r.humidity / 10,
            "lux": None if r.lux is None else r.lux / 100,
        } for r in rows]}

    @blp.arguments(ReadingBatchSchema)
    @blp.response(201, ImportResultSchema)
    def post(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Store readings from a networked logger; readings already stored are skipped."""
        check(current_user, "environment.edit")
        sensor = services.get_sensor_by_code(db.session, batch["sensor"])
        readings = services.validate_readings(batch["readings"])
        outcome = services.store_readings(db.session, sensor, readings, source="api",
                                          actor=current_user)
        return {"sensor": sensor.code, "imported": outcome.record.rows_imported,
                "duplicates": outcome.record.rows_duplicate,
                "alerts_opened": len(outcome.alerts_opened)}
