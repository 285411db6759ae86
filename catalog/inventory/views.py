"""Inventory pages: start, record findings (scan or tick), finish, discrepancy report, overdue."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.errors import DomainError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.inventory import bp, services
from catalog.inventory.forms import FinishInventoryForm, ScheduleForm, StartInventoryForm
from catalog.inventory.models import OUTCOMES
from catalog.scanning.services import resolve_location


@bp.route("/")
@require("inventory.run")
def index() -> Any:
    return render_template(
        "inventory/index.html", form=StartInventoryForm(location=request.args.get("location")),
        open_inventories=services.list_inventories(db.session, status="open"),
        recent=services.list_inventories(db.session, status="finished", limit=20),
        overdue_count=len(services.overdue_locations(db.session,
                                                     as_of=services.museum_today())))


@bp.route("/start", methods=["POST"])
@require("inventory.run")
def start() -> Any:
    form = StartInventoryForm()
    context = {"open_inventories": services.list_inventories(db.session, status="open"),
               "recent": [], "overdue_count": 0}
    if not form.validate_on_submit():
        return render_invalid("inventory/index.html", form=form, **context)
    try:
        location = resolve_location(db.session, form.location.data or "")
        inventory = services.start_inventory(
            db.session, location=location, actor=current_user,
            include_sublocations=bool(form.include_sublocations.data), note=form.note.data)
    except DomainError as exc:
        show_domain_error(form, exc if exc.field not in ("code", "location_code")
                          else DomainError(exc.message, field="location"))
        return render_invalid("inventory/index.html", form=form, **context)
    flash(f"Inventory of {location.code} started. Scan or tick what you find.", "success")
    return redirect(url_for("inventory.detail", inventory_id=inventory.id))


@bp.route("/<int:inventory_id>")
@require("inventory.run")
def detail(inventory_id: int) -> Any:
    inventory = services.get_inventory(db.session, inventory_id)
    if inventory.status != "open":
        return redirect(url_for("inventory.report", inventory_id=inventory.id))
    return render_template("inventory/detail.html", inventory=inventory,
                           progress=services.progress(db.session, inventory),
                           form=EmptyForm(), finish_form=FinishInventoryForm())


@bp.route("/<int:inventory_id>/found", methods=["POST"])
@require("inventory.run")
def mark_found(inventory_id: int) -> Any:
    """Tick objects on the list as found (picking instead of scanning)."""
    inventory = services.get_inventory(db.session, inventory_id)
    form = EmptyForm()
    if form.validate_on_submit():
        ids = [int(v) for v in request.form.getlist("object_id") if v.isdigit()]
        try:
            count = services.record_findings_from_list(db.session, inventory=inventory,
                                                       object_ids=ids, actor=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("inventory.detail", inventory_id=inventory_id))
        flash(f"{count} object(s) marked as found.", "success")
    return redirect(url_for("inventory.detail", inventory_id=inventory_id))


@bp.route("/<int:inventory_id>/finish", methods=["POST"])
@require("inventory.run")
def finish(inventory_id: int) -> Any:
    inventory = services.get_inventory(db.session, inventory_id)
    form = FinishInventoryForm()
    if form.validate_on_submit():
        try:
            results = services.finish_inventory(
                db.session, inventory=inventory, actor=current_user,
                correct_locations=bool(form.correct_locations.data))
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("inventory.detail", inventory_id=inventory_id))
        problems = sum(1 for r in results if r.outcome != "found")
        flash(f"Inventory finished: {problems} discrepanc{'y' if problems == 1 else 'ies'}.",
              "success" if not problems else "warning")
    return redirect(url_for("inventory.report", inventory_id=inventory_id))


@bp.route("/<int:inventory_id>/cancel", methods=["POST"])
@require("inventory.run")
def cancel(inventory_id: int) -> Any:
    inventory = services.get_inventory(db.session, inventory_id)
    if EmptyForm().validate_on_submit():
        try:
            services.cancel_inventory(db.session, inventory=inventory, actor=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("inventory.detail", inventory_id=inventory_id))
        flash("Inventory cancelled.", "success")
    return redirect(url_for("inventory.index"))


@bp.route("/<int:inventory_id>/report")
@require("inventory.run")
def report(inventory_id: int) -> Any:
    inventory = services.get_inventory(db.session, inventory_id)
    if inventory.status == "open":
        return redirect(url_for("inventory.detail", inventory_id=inventory.id))
    return render_template("inventory/report.html", inventory=inventory,
                           grouped=services.results_by_outcome(inventory), outcomes=OUTCOMES)


@bp.route("/overdue")
@require("inventory.run")
def overdue() -> Any:
    today = services.museum_today()
    return render_template("inventory/overdue.html", today=today,
                           schedules=services.overdue_locations(db.session, as_of=today),
                           all_schedules=services.list_schedules(db.session))


@bp.route("/schedule", methods=["GET", "POST"])
@require("inventory.run")
def schedule() -> Any:
    """Set how often a location is inventoried."""
    form = ScheduleForm(location=request.args.get("location"))
    if form.validate_on_submit():
        try:
            location = resolve_location(db.session, form.location.data or "")
            item = services.set_interval(db.session, location=location,
                                         interval_days=form.interval_days.data,
                                         actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc if exc.field not in ("code", "location_code")
                              else DomainError(exc.message, field="location"))
            return render_invalid("inventory/schedule.html", form=form)
        when = item.next_inventory_on.strftime("%d %b %Y") if item.next_inventory_on else "never"
        flash(f"{location.code}: next inventory {when}.", "success")
        return redirect(url_for("inventory.overdue"))
    if request.method == "POST":
        return render_invalid("inventory/schedule.html", form=form)
    return render_template("inventory/schedule.html", form=form)
