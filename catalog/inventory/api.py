"""``/api/v1/inventories``: start or resume an inventory, its expected list, findings, finish.

Objects found by scanning are recorded through ``POST /api/v1/scans`` with ``mode=inventory``
and the inventory's id; ``POST /inventories/{id}/findings`` records objects picked from a list.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from catalog.extensions import db
from catalog.inventory import services
from catalog.inventory.models import Inventory
from catalog.scanning import codes
from catalog.scanning.services import resolve_code, resolve_location

blp = Blueprint("inventories", __name__, description="Inventories of locations (SPECTRUM).")


class ExpectedObjectSchema(Schema):
    id = fields.Integer()
    scan_code = fields.String()
    object_number = fields.String()
    title = fields.String(allow_none=True)
    location_code = fields.String(allow_none=True,
                                  metadata={"description": "where the records place it"})
    found = fields.Boolean()
    found_location_code = fields.String(allow_none=True)


class InventorySchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "open, finished or cancelled"})
    location_code = fields.String()
    location_name = fields.String()
    location_scan_code = fields.String()
    sublocation_scan_codes = fields.List(fields.String(), metadata={
        "description": "scan codes of the locations covered (the root and those inside it)"})
    include_sublocations = fields.Boolean()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expected_count = fields.Integer()
    found_count = fields.Integer()
    missing_count = fields.Integer()
    objects = fields.List(fields.Nested(ExpectedObjectSchema), metadata={
        "description": "expected objects and anything found, missing ones first"})


class StartSchema(Schema):
    location_code = fields.String(required=True, validate=validate.Length(1, 300), metadata={
        "description": "location code, scan code or QR payload of the location"})
    include_sublocations = fields.Boolean(load_default=True)
    note = fields.String(load_default=None)


class FindingSchema(Schema):
    object_code = fields.String(required=True, metadata={
        "description": "object number, scan code or QR payload"})
    location_code = fields.String(load_default=None, metadata={
        "description": "the sub-location it was found in (default: the inventoried location)"})


class FinishSchema(Schema):
    correct_locations = fields.Boolean(load_default=False, metadata={
        "description": "move unexpected and misplaced objects to where they were found"})


class ResultSchema(Schema):
    missing = fields.Integer()
    unexpected = fields.Integer()
    misplaced = fields.Integer()
    found = fields.Integer()


def _dump(inventory: Inventory) -> dict[str, Any]:
    progress = services.progress(db.session, inventory)
    found = {f.object_id: f for f in progress.found}
    objects = []
    for obj in [*progress.missing, *[o for o in progress.expected if o.id in found]]:
        finding = found.get(obj.id)
        objects.append({
            "id": obj.id, "scan_code": codes.object_code(obj.id),
            "object_number": obj.object_number, "title": obj.title or obj.object_name,
            "location_code": obj.current_location.code if obj.current_location else None,
            "found": finding is not None,
            "found_location_code": finding.found_location.code if finding else None})
    for finding in progress.unexpected:
        obj = finding.object
        objects.append({
            "id": obj.id, "scan_code": codes.object_code(obj.id),
            "object_number": obj.object_number, "title": obj.title or obj.object_name,
            "location_code": obj.current_location.code if obj.current_location else None,
            "found": True, "found_location_code": finding.found_location.code})
    tree = services.location_tree_ids(db.session, inventory.location,
                                      include_sublocations=inventory.include_sublocations)
    return {
        "id": inventory.id, "status": inventory.status,
        "location_code": inventory.location.code, "location_name": inventory.location.name,
        "location_scan_code": codes.location_code(inventory.location_id),
        "sublocation_scan_codes": [codes.location_code(i) for i in tree],
        "include_sublocations": inventory.include_sublocations,
        "started_at": inventory.started_at, "finished_at": inventory.finished_at,
        "expected_count": len(progress.expected), "found_count": len(progress.found),
        "missing_count": len(progress.missing), "objects": objects,
    }


@blp.route("/", methods=["POST"])
@blp.arguments(StartSchema)
@blp.response(201, InventorySchema)
@blp.alt_response(200, schema=InventorySchema,
                  description="An inventory of this location was already open: that one.")
def start(data: dict[str, Any]) -> Any:
    """Start an inventory of a location, or resume the one already open there."""
    location = resolve_location(db.session, data["location_code"])
    open_one = db.session.scalar(sa.select(Inventory).where(
        Inventory.location_id == location.id, Inventory.status == "open"))
    if open_one is not None:
        from catalog.core.permissions import check

        check(current_user, "inventory.run")
        return _dump(open_one), 200
    inventory = services.start_inventory(
        db.session, location=location, actor=current_user,
        include_sublocations=data["include_sublocations"], note=data["note"])
    return _dump(inventory)


@blp.route("/<int:inventory_id>", methods=["GET"])
@blp.response(200, InventorySchema)
def get(inventory_id: int) -> Any:
    """The inventory with its expected objects and what has been found."""
    from catalog.core.permissions import check

    check(current_user, "inventory.run")
    return _dump(services.get_inventory(db.session, inventory_id))


@blp.route("/<int:inventory_id>/findings", methods=["POST"])
@blp.arguments(FindingSchema)
@blp.response(201, InventorySchema)
def add_finding(data: dict[str, Any], inventory_id: int) -> Any:
    """Record an object as found (picked from the list rather than scanned)."""
    from catalog.core.errors import ValidationError

    inventory = services.get_inventory(db.session, inventory_id)
    resolved = resolve_code(db.session, data["object_code"])
    if resolved.kind != "object":
        raise ValidationError("That is a location, not an object.", field="object_code")
    place = resolve_location(db.session, data["location_code"]) if data["location_code"] else None
    services.record_finding(db.session, inventory=inventory, obj=resolved.record,
                            found_location=place, actor=current_user, method="list")
    return _dump(inventory)


@blp.route("/<int:inventory_id>/finish", methods=["POST"])
@blp.arguments(FinishSchema)
@blp.response(200, ResultSchema)
def finish(data: dict[str, Any], inventory_id: int) -> Any:
    """Finish the inventory; returns how many objects had each outcome."""
    inventory = services.get_inventory(db.session, inventory_id)
    results = services.finish_inventory(db.session, inventory=inventory, actor=current_user,
                                        correct_locations=data["correct_locations"])
    counts = {"missing": 0, "unexpected": 0, "misplaced": 0, "found": 0}
    for result in results:
        counts[result.outcome] += 1
    return counts
