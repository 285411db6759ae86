"""Use cases of the scanning page: resolve what was scanned, record scans idempotently.

A scan is sent by the tablet with a ``client_id`` it made itself. The first arrival records the
scan and does what it asks (a move, an inventory finding, a condition note); any later arrival of
the same ``client_id`` returns that first result unchanged, so a tablet replaying its offline queue
never records anything twice.

A move scan made offline may arrive after someone else moved the same object. The scan then does
not move the object: it is kept with the status ``conflict`` and a message naming the newer move,
and a person decides (:func:`apply_conflicted_scan` or leave it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.locations.models import Location, Movement
from catalog.locations.services import move_objects
from catalog.objects.models import CatalogueObject
from catalog.scanning import codes
from catalog.scanning.models import SCAN_MODES, ConditionNote, LegacyBarcode, Scan

#: how far a tablet's clock may run ahead of the server's before its times are not believed
MAX_CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class Resolved:
    """The record a scanned code names."""

    kind: str  # "object" or "location"
    record: Any  # CatalogueObject or Location
    #: how the code was recognised: scan_code, legacy_barcode, location_code, object_number
    matched_by: str

    @property
    def scan_code(self) -> str:
        return codes.make_code(self.kind, self.record.id)

    @property
    def label(self) -> str:
        return str(self.record.object_number if self.kind == "object" else self.record.code)


def normalise_barcode(text: str) -> str:
    """The key legacy barcodes are matched on: trimmed, upper case, inner spaces removed."""
    return "".join(text.split()).upper()


def resolve_code(session: Session, text: str) -> Resolved:
    """Find the object or location that a scanned or typed code names.

    Order: a QR payload URL (``…/s/<code>``) only ever names a scan code. A bare string is tried
    as a legacy barcode first (its owner linked it deliberately), then as a scan code, then as a
    location code, then as an object number.

    Raises:
        NotFoundError: nothing has that code.
    """
    raw = text.strip()
    if not raw:
        raise ValidationError("Nothing was scanned.", field="code")
    code = codes.code_from_scan(raw)
    if codes.is_payload(raw):
        found = _by_scan_code(session, code)
        if found is None:
            raise NotFoundError(f"The label {code} names no record in this catalogue.",
                                field="code")
        return found
    legacy = session.scalar(sa.select(LegacyBarcode)
                            .where(LegacyBarcode.barcode_key == normalise_barcode(code)))
    if legacy is not None:
        if legacy.object_id is not None:
            return Resolved("object", legacy.object, "legacy_barcode")
        return Resolved("location", legacy.location, "legacy_barcode")
    found = _by_scan_code(session, code)
    if found is not None:
        return found
    location = session.scalar(sa.select(Location)
                              .where(sa.func.lower(Location.code) == code.lower()))
    if location is not None:
        return Resolved("location", location, "location_code")
    obj = find_object_by_number(session, code)
    if obj is not None:
        return Resolved("object", obj, "object_number")
    raise NotFoundError(f"Nothing in the catalogue has the code {code!r}.", field="code")


def find_object_by_number(session: Session, number: str) -> CatalogueObject | None:
    """The object whose number is ``number`` (as typed: case, spacing and dashes do not matter)."""
    from catalog.objects.services import find_by_number

    return find_by_number(session, number)


def _by_scan_code(session: Session, code: str) -> Resolved | None:
    parsed = codes.parse_code(code)
    if parsed is None:
        return None
    model = CatalogueObject if parsed.kind == "object" else Location
    record = session.get(model, parsed.id)
    return Resolved(parsed.kind, record, "scan_code") if record is not None else None


def resolve_location(session: Session, text: str) -> Location:
    """The location or container a code names (a ValidationError if it names an object)."""
    found = resolve_code(session, text)
    if found.kind != "location":
        raise ValidationError(f"{found.label} is an object, not a location or container.",
                              field="location_code")
    return found.record  # type: ignore[no-any-return]


def link_legacy_barcode(session: Session, *, barcode: str, target_code: str,
                        note: str | None = None) -> LegacyBarcode:
    """Link an existing (pre-Catalog) barcode to the object or location ``target_code`` names.

    Raises:
        ValidationError: an empty barcode, or one already linked.
    """
    barcode = barcode.strip()
    if not barcode:
        raise ValidationError("Scan or type the old barcode.", field="barcode")
    key = normalise_barcode(barcode)
    existing = session.scalar(sa.select(LegacyBarcode).where(LegacyBarcode.barcode_key == key))
    if existing is not None:
        owner = existing.object.object_number if existing.object else existing.location.code
        raise ValidationError(f"The barcode {barcode} is already linked to {owner}.",
                              field="barcode")
    target = resolve_code(session, target_code)
    link = LegacyBarcode(barcode=barcode, barcode_key=key, note=note or None)
    if target.kind == "object":
        link.object = target.record
    else:
        link.location = target.record
    session.add(link)
    session.flush()
    return link


@dataclass
class ScanOutcome:
    scan: Scan
    #: True when this client_id had been recorded before (a resend)
    repeated: bool
    resolved: Resolved | None = None


def record_scan(
    session: Session,
    *,
    client_id: str,
    code: str,
    mode: str,
    actor: Any,
    scanned_at: datetime | None = None,
    location_code: str | None = None,
    expected_location_code: str | None = None,
    inventory_id: int | None = None,
    note: str | None = None,
) -> ScanOutcome:
    """Record one scan from a tablet and do what its mode asks, exactly once per ``client_id``.

    Args:
        client_id: the tablet's UUID for this scan; a repeat returns the first result.
        code: what was scanned (QR payload, scan code, legacy barcode, location code, number).
        mode: lookup, move, inventory or condition.
        actor: the signed-in user.
        scanned_at: when the tablet made the scan (aware); defaults to now.
        location_code: the move target (move) or the sub-location being checked (inventory).
        expected_location_code: where the tablet believed the object was (conflict check).
        inventory_id: the open inventory an inventory scan belongs to.
        note: the condition note (condition mode).

    A scan that cannot be carried out for a business reason (a full location, an object not
    found) is still recorded, with the status ``rejected`` and the reason, so the tablet shows it
    and a resend does not try again. Malformed input raises ValidationError and records nothing.
    """
    check(actor, "scans.create")
    client_id = (client_id or "").strip()
    if not 8 <= len(client_id) <= 64:
        raise ValidationError("Each scan needs the tablet's id for it (8 to 64 characters).",
                              field="client_id")
    existing = session.scalar(sa.select(Scan).where(Scan.client_id == client_id))
    if existing is not None:
        if existing.user_id != getattr(actor, "id", None):
            raise ValidationError("This scan id was used by another user's device.",
                                  field="client_id")
        return ScanOutcome(existing, repeated=True)
    if mode not in SCAN_MODES:
        raise ValidationError(f"Unknown scan mode {mode!r}.", field="mode")
    now = utcnow()
    if scanned_at is None:
        scanned_at = now
    elif scanned_at.tzinfo is None:
        raise ValidationError("scanned_at needs a time zone (e.g. a trailing Z).",
                              field="scanned_at")
    elif (scanned_at - now).total_seconds() > MAX_CLOCK_SKEW_SECONDS:
        # A tablet with a clock in the future would make its moves win every conflict.
        scanned_at = now
    if not code or len(code) > 300:
        raise ValidationError("Nothing was scanned.", field="code")

    scan = Scan(client_id=client_id, user_id=getattr(actor, "id", None), mode=mode,
                code=code.strip(), scanned_at=scanned_at, received_at=now, status="recorded",
                inventory_id=inventory_id, note=(note or "").strip() or None)
    # Insert first, in a savepoint: two copies of one scan arriving at the same moment meet
    # at the unique constraint, and the loser returns the winner's result.
    try:
        with session.begin_nested():
            session.add(scan)
            session.flush()
    except IntegrityError:
        existing = session.scalar(sa.select(Scan).where(Scan.client_id == client_id))
        if existing is None:
            raise
        return ScanOutcome(existing, repeated=True)

    resolved: Resolved | None = None
    try:
        with session.begin_nested():
            resolved = resolve_code(session, code)
            if resolved.kind == "object":
                scan.object_id = resolved.record.id
            else:
                scan.location_id = resolved.record.id
            if location_code:
                scan.context_location = resolve_location(session, location_code)
            if expected_location_code:
                scan.expected_location_id = resolve_location(session, expected_location_code).id
            _carry_out(session, scan, resolved, actor)
    except DomainError as exc:
        scan.status = "rejected"
        scan.message = exc.message
    session.flush()
    return ScanOutcome(scan, repeated=False, resolved=resolved)


def _carry_out(session: Session, scan: Scan, resolved: Resolved, actor: Any) -> None:
    if scan.mode == "lookup":
        scan.message = f"{resolved.label} looked up."
    elif scan.mode == "move":
        _move(session, scan, resolved, actor)
    elif scan.mode == "inventory":
        from catalog.inventory import services as inventory_services

        if scan.inventory_id is None:
            raise ValidationError("An inventory scan belongs to an open inventory.",
                                  field="inventory_id")
        check(actor, "inventory.run")
        inventory = inventory_services.get_inventory(session, scan.inventory_id)
        if resolved.kind == "location":
            scan.message = f"Now checking {resolved.label}."
            return
        finding = inventory_services.record_finding(
            session, inventory=inventory, obj=resolved.record,
            found_location=scan.context_location, actor=actor, found_at=scan.scanned_at,
            method="scan")
        scan.message = f"{resolved.label} found in {finding.found_location.code}."
    elif scan.mode == "condition":
        if resolved.kind != "object":
            raise ValidationError("Condition notes are made on objects.", field="code")
        if not scan.note:
            raise ValidationError("Type a short note.", field="note")
        session.add(ConditionNote(object_id=resolved.record.id, note=scan.note[:2000],
                                  noted_at=scan.scanned_at, noted_by_id=scan.user_id,
                                  scan_id=scan.id))
        scan.message = f"Note added to {resolved.label}."


def _move(session: Session, scan: Scan, resolved: Resolved, actor: Any) -> None:
    check(actor, "movements.create")
    target = scan.context_location
    if target is None:
        raise ValidationError("Scan the location or container to move objects to first.",
                              field="location_code")
    if resolved.kind != "object":
        _move_container(session, scan, resolved.record, target, actor)
        return
    obj: CatalogueObject = resolved.record
    later = session.scalar(
        sa.select(Movement).where(Movement.object_id == obj.id, Movement.status == "done",
                                  Movement.moved_at > scan.scanned_at)
        .order_by(Movement.moved_at.desc()).limit(1))
    if later is not None:
        where = session.get(Location, later.to_location_id) if later.to_location_id else None
        scan.status = "conflict"
        scan.message = (
            f"{obj.object_number} was moved to {where.code if where else 'off site'} at "
            f"{later.moved_at:%Y-%m-%d %H:%M} UTC, after this scan; it was not moved to "
            f"{target.code}. Check where it is and scan it again, or apply this move.")
        return
    if (scan.expected_location_id is not None
            and obj.current_location_id != scan.expected_location_id):
        expected = session.get(Location, scan.expected_location_id)
        current = obj.current_location
        scan.status = "conflict"
        scan.message = (
            f"{obj.object_number} was expected in {expected.code if expected else '?'} but the "
            f"records say {current.code if current else 'nowhere'}; it was not moved to "
            f"{target.code}. Apply the move if it is really here.")
        return
    if obj.current_location_id == target.id:
        scan.message = f"{obj.object_number} is already in {target.code}."
        return
    [movement] = move_objects(session, objects=[obj], to_location=target, actor=actor,
                              reason="Scanned on a tablet", method="scan",
                              moved_at=scan.scanned_at)
    scan.movement_id = movement.id
    scan.message = f"{obj.object_number} moved to {target.code}."


def _move_container(session: Session, scan: Scan, container: Location, target: Location,
                    actor: Any) -> None:
    """A container scanned in move mode goes into the target with everything in it."""
    from catalog.locations.services import move_container

    if not container.is_container:
        raise ValidationError(f"{container.code} is a location, not a container: scan objects "
                              "or containers to move them here.", field="code")
    movements = move_container(session, container=container, to_parent=target, actor=actor,
                               reason="Scanned on a tablet", method="scan",
                               moved_at=scan.scanned_at)
    scan.message = (f"{container.code} moved into {target.code} with "
                    f"{len(movements)} object(s) in it.")


def apply_conflicted_scan(session: Session, *, scan: Scan, actor: Any,
                          reason: str | None = None) -> Scan:
    """Carry out a move that was held back as a conflict, now, after a person has checked."""
    check(actor, "movements.create")
    if scan.status != "conflict" or scan.mode != "move":
        raise DomainError("Only a move held back as a conflict can be applied.")
    obj = session.get(CatalogueObject, scan.object_id)
    target = scan.context_location
    if obj is None or target is None:
        raise DomainError("This scan names no object or no target location.")
    why = "Scanned on a tablet (conflict resolved)" + (f": {reason}" if reason else "")
    [movement] = move_objects(session, objects=[obj], to_location=target, actor=actor,
                              reason=why[:200], method="scan")
    scan.movement_id = movement.id
    scan.status = "recorded"
    note = f": {reason}" if reason else ""
    scan.message = f"{obj.object_number} moved to {target.code} (conflict resolved{note})."

    session.flush()
    return scan


def undo_scan(session: Session, *, scan: Scan, actor: Any, reason: str | None = None) -> Scan:
    """Undo what a scan did: a move goes back (a new movement), a finding or note is withdrawn.

    Raises:
        DomainError: someone else's scan, an already undone scan, or a move overtaken since.
    """
    check(actor, "scans.create")
    if scan.user_id != getattr(actor, "id", None):
        raise DomainError("You can only undo your own scans.")
    if scan.status == "undone":
        return scan
    if scan.status == "recorded" and scan.movement_id is not None:
        movement = session.get(Movement, scan.movement_id)
        assert movement is not None
        obj = session.get(CatalogueObject, movement.object_id)
        assert obj is not None
        if obj.current_location_id != movement.to_location_id:
            raise DomainError(f"{obj.object_number} has been moved again since; "
                              "the scan cannot be undone.")
        back = session.get(Location, movement.from_location_id) \
            if movement.from_location_id else None
        why = "Scan undone on the tablet" + (f": {reason}" if reason else "")
        move_objects(session, objects=[obj], to_location=back, actor=actor,
                     reason=why[:200], method="scan")
    elif scan.status == "recorded" and scan.mode == "inventory" and scan.object_id:
        from catalog.inventory import services as inventory_services

        inventory_services.remove_finding(session, inventory_id=scan.inventory_id,
                                          object_id=scan.object_id, actor=actor)
    elif scan.status == "recorded" and scan.mode == "condition":
        for note in session.scalars(sa.select(ConditionNote)
                                    .where(ConditionNote.scan_id == scan.id)):
            note.is_withdrawn = True
    scan.status = "undone"
    scan.message = f"Undone{f' ({reason})' if reason else ''}: {scan.message or scan.code}"
    session.flush()
    return scan


def get_scan(session: Session, scan_id: int) -> Scan:
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise NotFoundError("There is no such scan.")
    return scan


def list_scans(session: Session, *, user_id: int | None = None, status: str | None = None,
               since: datetime | None = None, limit: int = 100) -> list[Scan]:
    """The latest scans, newest first, optionally one user's, one status, or since a time."""
    query = sa.select(Scan).order_by(Scan.received_at.desc(), Scan.id.desc()).limit(limit)
    if user_id is not None:
        query = query.where(Scan.user_id == user_id)
    if status:
        query = query.where(Scan.status == status)
    if since is not None:
        query = query.where(Scan.received_at >= since)
    return list(session.scalars(query))


def describe(session: Session, resolved: Resolved) -> dict[str, Any]:
    """What the tablet shows about a scanned record."""
    record = resolved.record
    if resolved.kind == "object":
        current = record.current_location
        return {
            "kind": "object", "id": record.id, "scan_code": resolved.scan_code,
            "label": record.object_number, "title": record.title or record.object_name or "",
            "location_code": current.code if current else None,
            "location_name": current.name if current else None,
            "matched_by": resolved.matched_by,
        }
    count = session.scalar(sa.select(sa.func.count()).select_from(CatalogueObject)
                           .where(CatalogueObject.current_location_id == record.id)) or 0
    return {
        "kind": "location", "id": record.id, "scan_code": resolved.scan_code,
        "label": record.code, "title": record.name, "location_code": record.code,
        "location_name": record.name, "is_container": record.is_container,
        "object_count": count, "matched_by": resolved.matched_by,
    }
