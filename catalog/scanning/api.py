"""``/api/v1/scans``: what the tablet scanning page sends, part of the public API.

The scanning page calls these with the session cookie and the ``X-CSRFToken`` header; other
clients use a bearer token. A scan is sent with a ``client_id`` made on the device: sending the
same scan again returns the first result (200 instead of 201) and records nothing new.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields, validate

from catalog.extensions import db
from catalog.scanning import services
from catalog.scanning.models import SCAN_MODES, SCAN_STATUSES, Scan

blp = Blueprint("scans", __name__, description="Scans made on tablets (QR labels, barcodes).")


class RecordSchema(Schema):
    """An object or location as the tablet shows it."""

    kind = fields.String(metadata={"description": "object or location"})
    id = fields.Integer()
    scan_code = fields.String(metadata={"description": "the typed, stable code in the QR label"})
    label = fields.String(metadata={"description": "object number or location code"})
    title = fields.String()
    location_code = fields.String(allow_none=True,
                                  metadata={"description": "where the object is (objects)"})
    location_name = fields.String(allow_none=True)
    is_container = fields.Boolean()
    object_count = fields.Integer(metadata={"description": "objects in it (locations)"})
    matched_by = fields.String(metadata={
        "description": "scan_code, legacy_barcode, location_code or object_number"})


class ScanCreateSchema(Schema):
    client_id = fields.String(required=True, validate=validate.Length(8, 64), metadata={
        "description": "UUID made by the device; a resend with the same id records nothing new"})
    code = fields.String(required=True, validate=validate.Length(1, 300), metadata={
        "description": "what was scanned: a QR payload URL, scan code, old barcode, location "
                       "code or object number"})
    mode = fields.String(required=True, validate=validate.OneOf(SCAN_MODES))
    scanned_at = fields.AwareDateTime(load_default=None, metadata={
        "description": "when the scan was made on the device (ISO 8601 with zone); moves "
                       "made before a newer move of the same object are reported as conflicts"})
    location_code = fields.String(load_default=None, validate=validate.Length(max=300), metadata={
        "description": "move: the target location or container; inventory: the sub-location"})
    expected_location_code = fields.String(load_default=None, metadata={
        "description": "where the device believed the object was (optional conflict check)"})
    inventory_id = fields.Integer(load_default=None, allow_none=True,
                                  validate=validate.Range(1, 2**31 - 1))  # a 32-bit id
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class ScanSchema(Schema):
    id = fields.Integer()
    client_id = fields.String()
    mode = fields.String()
    code = fields.String()
    status = fields.String(metadata={"description": ", ".join(SCAN_STATUSES)})
    message = fields.String(allow_none=True)
    scanned_at = fields.DateTime()
    received_at = fields.DateTime()
    object_id = fields.Integer(allow_none=True)
    location_id = fields.Integer(allow_none=True)
    location_code = fields.String(allow_none=True, metadata={
        "description": "the move target or inventory sub-location the scan was made at"})
    inventory_id = fields.Integer(allow_none=True)
    movement_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    repeated = fields.Boolean(metadata={"description": "true when this client_id was sent before"})
    record = fields.Nested(RecordSchema, allow_none=True)


class ScanQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(SCAN_STATUSES))
    mine = fields.Boolean(load_default=True, metadata={"description": "only my own scans"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class ResolveQuerySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 300))


class ScanActionSchema(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=300), metadata={
        "description": "why (kept in the scan's message and the movement's reason)"})


class ContextSchema(Schema):
    csrf_token = fields.String(metadata={"description": "for the X-CSRFToken header"})
    user = fields.String()
    can_move = fields.Boolean()
    can_inventory = fields.Boolean()


def _scan_out(scan: Scan, *, repeated: bool = False) -> dict[str, Any]:
    record = None
    if scan.object_id is not None or scan.location_id is not None:
        from catalog.locations.models import Location
        from catalog.objects.models import CatalogueObject

        if scan.object_id is not None:
            resolved = services.Resolved("object", db.session.get(CatalogueObject, scan.object_id),
                                         "scan_code")
        else:
            resolved = services.Resolved("location", db.session.get(Location, scan.location_id),
                                         "scan_code")
        record = services.describe(db.session, resolved)
    return {**{c: getattr(scan, c) for c in (
        "id", "client_id", "mode", "code", "status", "message", "scanned_at", "received_at",
        "object_id", "location_id", "inventory_id", "movement_id", "note")},
        "location_code": scan.context_location.code if scan.context_location else None,
        "repeated": repeated, "record": record}


def _dump(scan: Scan, *, repeated: bool = False) -> dict[str, Any]:
    return _scan_out(scan, repeated=repeated)


@blp.route("/", methods=["POST"])
@blp.arguments(ScanCreateSchema)
@blp.response(201, ScanSchema)
@blp.alt_response(200, schema=ScanSchema, description="This client_id was recorded before: "
                  "the first result, unchanged.")
def create_scan(data: dict[str, Any]) -> Any:
    """Record a scan (idempotent on client_id) and do what its mode asks."""
    outcome = services.record_scan(db.session, actor=current_user, **data)
    result = _dump(outcome.scan, repeated=outcome.repeated)
    return (result, 200) if outcome.repeated else result


@blp.route("/", methods=["GET"])
@blp.arguments(ScanQuerySchema, location="query")
@blp.response(200, ScanSchema(many=True))
def list_scans(args: dict[str, Any]) -> Any:
    """The latest scans, newest first (by default only the caller's own)."""
    scans = services.list_scans(db.session, user_id=current_user.id if args["mine"] else None,
                                status=args["status"], limit=args["limit"])
    return [_dump(s) for s in scans]


@blp.route("/<int:scan_id>", methods=["GET"])
@blp.response(200, ScanSchema)
def get_scan(scan_id: int) -> Any:
    return _dump(services.get_scan(db.session, scan_id))


@blp.route("/<int:scan_id>/undo", methods=["POST"])
@blp.arguments(ScanActionSchema)
@blp.response(200, ScanSchema)
def undo_scan(data: dict[str, Any], scan_id: int) -> Any:
    """Undo one's own scan: a move goes back, a finding or note is withdrawn."""
    scan = services.undo_scan(db.session, scan=services.get_scan(db.session, scan_id),
                              actor=current_user, reason=data["reason"])
    return _dump(scan)


@blp.route("/<int:scan_id>/apply", methods=["POST"])
@blp.arguments(ScanActionSchema)
@blp.response(200, ScanSchema)
def apply_scan(data: dict[str, Any], scan_id: int) -> Any:
    """Carry out a move held back as a conflict, after checking where the object really is."""
    scan = services.apply_conflicted_scan(db.session, scan=services.get_scan(db.session, scan_id),
                                          actor=current_user, reason=data["reason"])
    return _dump(scan)


@blp.route("/resolve", methods=["GET"])
@blp.arguments(ResolveQuerySchema, location="query")
@blp.response(200, RecordSchema)
def resolve(args: dict[str, Any]) -> Any:
    """What a code names (scan code, QR payload, old barcode, location code or object number)."""
    from catalog.core.permissions import check

    check(current_user, "scans.create")
    return services.describe(db.session, services.resolve_code(db.session, args["code"]))


@blp.route("/context", methods=["GET"])
@blp.response(200, ContextSchema)
def context() -> Any:
    """A fresh CSRF token and what the signed-in user may do (the page refreshes both after
    coming back online)."""
    return {"csrf_token": generate_csrf(), "user": current_user.email,
            "can_move": current_user.can("movements.create"),
            "can_inventory": current_user.can("inventory.run")}
