"""The scanning page, the ``/s/<code>`` resolver, the service worker and the scan history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from catalog.core.errors import DomainError, NotFoundError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import public, require
from catalog.extensions import db
from catalog.scanning import bp, codes, services
from catalog.scanning.forms import LegacyBarcodeForm
from catalog.scanning.models import SCAN_STATUSES, LegacyBarcode


@bp.route("/scan")
@require("scans.create")
def scan() -> Any:
    """The tablet page: camera and hardware-scanner input, modes, offline queue."""
    return render_template("scanning/scan.html",
                           can_move=current_user.can("movements.create"),
                           can_inventory=current_user.can("inventory.run"))


@bp.route("/s/<code>")
def resolve(code: str) -> Any:
    """Where a phone camera lands after reading a label: the record's page (after sign-in)."""
    try:
        found = services.resolve_code(db.session, code)
    except DomainError:
        abort(404)
    candidates = ([("objects.detail", "object_id")] if found.kind == "object"
                  else [("locations.detail", "location_id"), ("locations.show", "location_id")])
    for endpoint, key in candidates:
        if endpoint in current_app.view_functions:
            return redirect(url_for(endpoint, **{key: found.record.id}))
    return redirect(url_for("scanning.record", code=found.scan_code))


@bp.route("/scan/record/<code>")
@require("scans.create")
def record(code: str) -> Any:
    """A short page about a scanned record (until its domain has its own page)."""
    try:
        found = services.resolve_code(db.session, code)
    except NotFoundError:
        abort(404)
    return render_template("scanning/record.html", found=found,
                           info=services.describe(db.session, found))


@bp.route("/scan/history")
@require("scans.create")
def history() -> Any:
    status = request.args.get("status") or None
    everyone = request.args.get("everyone") == "1" and current_user.can("movements.create")
    scans = services.list_scans(db.session, status=status if status in SCAN_STATUSES else None,
                                user_id=None if everyone else current_user.id, limit=200)
    return render_template("scanning/history.html", scans=scans, status=status,
                           everyone=everyone, statuses=SCAN_STATUSES, form=EmptyForm())


@bp.route("/scan/<int:scan_id>/apply", methods=["POST"])
@require("movements.create")
def apply(scan_id: int) -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            scan = services.apply_conflicted_scan(
                db.session, scan=services.get_scan(db.session, scan_id), actor=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("scanning.history", status="conflict"))
        flash(scan.message or "Applied.", "success")
    return redirect(url_for("scanning.history", status="conflict"))


@bp.route("/scan/<int:scan_id>/undo", methods=["POST"])
@require("scans.create")
def undo(scan_id: int) -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            scan = services.undo_scan(db.session, scan=services.get_scan(db.session, scan_id),
                                      actor=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("scanning.history"))
        flash(scan.message or "Undone.", "success")
    return redirect(url_for("scanning.history"))


@bp.route("/scan/barcodes", methods=["GET", "POST"])
@require("labels.print")
def barcodes() -> Any:
    """Link old (pre-Catalog) barcodes to records, so scanning them works too."""
    form = LegacyBarcodeForm()
    links = list(db.session.scalars(sa.select(LegacyBarcode)
                                    .order_by(LegacyBarcode.created_at.desc()).limit(200)))
    if form.validate_on_submit():
        try:
            link = services.link_legacy_barcode(db.session, barcode=form.barcode.data or "",
                                                target_code=form.target.data or "",
                                                note=form.note.data)
        except DomainError as exc:
            show_domain_error(form, exc if exc.field != "code" else
                              DomainError(exc.message, field="target"))
            return render_invalid("scanning/barcodes.html", form=form, links=links)
        owner = link.object.object_number if link.object else link.location.code
        flash(f"The barcode {link.barcode} now scans as {owner}.", "success")
        return redirect(url_for("scanning.barcodes"))
    if request.method == "POST":
        return render_invalid("scanning/barcodes.html", form=form, links=links)
    return render_template("scanning/barcodes.html", form=form, links=links)


def _static_js(name: str) -> Path:
    return Path(current_app.static_folder or "") / "js" / name


@bp.route("/sw.js")
@public
def service_worker() -> Any:
    """The scanning page's service worker, served from the site root so that its scope can
    cover ``/scan`` and ``/static`` (a worker under /static/ could only control /static/)."""
    response = current_app.response_class(_static_js("scan-sw.js").read_bytes(),
                                          mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest() -> Any:
    """Makes the scanning page installable on a tablet's home screen."""
    data = {
        "name": f"Catalog scanning · {current_app.config['MUSEUM_NAME']}",
        "short_name": "Scan",
        "start_url": url_for("scanning.scan"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#f6f7f9",
        "theme_color": "#14213d",
        "icons": [{"src": url_for("static", filename="img/icon.svg"), "sizes": "any",
                   "type": "image/svg+xml", "purpose": "any"}],
    }
    response = current_app.response_class(
        current_app.json.dumps(data), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.app_template_global("scan_code")
def scan_code_global(kind: str, record_id: int) -> str:
    """``{{ scan_code('object', obj.id) }}`` for other domains' pages."""
    return codes.make_code(kind, record_id)


@bp.route("/scan/notes")
@require("conditions.view")
def condition_notes() -> Any:
    """Quick condition notes made while scanning, newest first, for conservators to follow up."""
    from catalog.scanning.models import ConditionNote
    from catalog.users.models import User

    rows = db.session.execute(
        sa.select(ConditionNote, User.email).outerjoin(User, User.id == ConditionNote.noted_by_id)
        .where(ConditionNote.is_withdrawn.is_(False))
        .order_by(ConditionNote.noted_at.desc()).limit(300)).all()
    return render_template("scanning/notes.html", rows=rows)
