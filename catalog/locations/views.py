"""Location tree, targets, moves, object location history and salvage lists."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Response,
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
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.locations import bp, services
from catalog.locations.forms import (
    ContainerMoveForm,
    LocationForm,
    MoveForm,
    SalvageForm,
    SelectionMoveForm,
    TargetForm,
    WhereWasForm,
)
from catalog.locations.models import Location, Movement
from catalog.locations.targets import effective_target, own_target
from catalog.objects.models import CatalogueObject


def _local_to_utc(value: datetime | None) -> datetime | None:
    """A form's local date-time (museum time zone) as aware UTC."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["MUSEUM_TIMEZONE"])
    return value.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _object(object_id: int) -> CatalogueObject:
    obj = db.session.get(CatalogueObject, object_id)
    if obj is None:
        raise NotFoundError("There is no such object.")
    return obj


def object_location_context(obj: CatalogueObject) -> dict[str, Any]:
    """What templates/locations/_object_location.html needs (for the object record page too)."""
    history = services.movement_history(db.session, obj.id)
    locations = {m.to_location_id for m in history} | {m.from_location_id for m in history}
    by_id = {loc.id: loc for loc in db.session.scalars(
        sa.select(Location).where(Location.id.in_([i for i in locations if i])))}
    from catalog.users.models import User

    movers = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_({m.moved_by_id for m in history if m.moved_by_id})))}
    return {"loc_object": obj, "loc_history": history, "loc_by_id": by_id,
            "loc_path": services.full_path, "loc_movers": movers}


@bp.app_context_processor
def _location_helpers() -> dict[str, Any]:
    return {"object_location_context": object_location_context}


@bp.route("/")
@require("locations.view")
def index() -> Any:
    code = (request.args.get("code") or "").strip()
    if code:
        try:
            location = services.get_location_by_code(db.session, code)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            return redirect(url_for("locations.show", location_id=location.id))
    # The whole tree in one query; the page folds it with <details>.
    rows = db.session.execute(sa.select(Location.id, Location.code, Location.name, Location.kind,
                                        Location.parent_id, Location.is_container)
                              .where(Location.is_active).order_by(Location.code)).all()
    children: dict[int | None, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    counts = {loc_id: n for loc_id, n in db.session.execute(  # noqa: C416 (rows, not pairs)
        sa.select(CatalogueObject.current_location_id, sa.func.count())
        .where(CatalogueObject.current_location_id.is_not(None))
        .group_by(CatalogueObject.current_location_id))}
    return render_template("locations/index.html", sites=children.get(None, []),
                           children=children, counts=counts)


@bp.route("/<int:location_id>")
@require("locations.view")
def show(location_id: int) -> Any:
    location = services.get_location(db.session, location_id)
    children = list(location.children)
    counts = services.object_counts(db.session, [c.id for c in children] + [location.id])
    objects = services.objects_in(db.session, location, recursive=False)
    return render_template(
        "locations/show.html", location=location, children=children, counts=counts,
        objects=objects, path=services.ancestors(location), own=own_target(location),
        target=effective_target(location), full_path=services.full_path)


@bp.route("/new", methods=["GET", "POST"])
@require("locations.edit")
def create() -> Any:
    parent_id = request.args.get("parent", type=int)
    parent = services.get_location(db.session, parent_id) if parent_id else None
    form = LocationForm()
    if form.validate_on_submit():
        try:
            location = services.create_location(
                db.session, actor=current_user, code=form.code.data or "",
                name=form.name.data or "", kind=form.kind.data or "room", parent=parent,
                is_container=bool(form.is_container.data),
                capacity=form.capacity.data, security_level=form.security_level.data or 0,
                notes=form.notes.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Location {location.code} created.", "success")
            return redirect(url_for("locations.show", location_id=location.id))
    if request.method == "POST":
        return render_invalid("locations/form.html", form=form, parent=parent, location=None)
    return render_template("locations/form.html", form=form, parent=parent, location=None)


@bp.route("/<int:location_id>/edit", methods=["GET", "POST"])
@require("locations.edit")
def edit(location_id: int) -> Any:
    location = services.get_location(db.session, location_id)
    form = LocationForm(obj=location)
    if form.validate_on_submit():
        try:
            services.update_location(
                db.session, location, actor=current_user, code=form.code.data or "",
                name=form.name.data or "", kind=form.kind.data or "room",
                is_container=bool(form.is_container.data), capacity=form.capacity.data,
                security_level=form.security_level.data or 0, notes=form.notes.data,
                is_active=bool(form.is_active.data))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Location {location.code} saved.", "success")
            return redirect(url_for("locations.show", location_id=location.id))
    ctx = {"form": form, "parent": location.parent, "location": location}
    if request.method == "POST":
        return render_invalid("locations/form.html", **ctx)
    return render_template("locations/form.html", **ctx)


@bp.route("/<int:location_id>/target", methods=["GET", "POST"])
@require("locations.edit")
def target(location_id: int) -> Any:
    location = services.get_location(db.session, location_id)
    form = TargetForm()
    if request.method == "GET":
        form.preset.data = location.target_preset or ""
        for name, scale in (("temp_min", 100), ("temp_max", 100), ("rh_min", 10),
                            ("rh_max", 10), ("rh_swing", 10)):
            value = getattr(location, f"target_{name}")
            getattr(form, name).data = None if value is None else value / scale
    if form.validate_on_submit():
        def num(f: Any) -> float | None:
            return None if f.data is None else float(f.data)
        try:
            services.set_target(db.session, location, actor=current_user, preset=form.preset.data,
                                temp_min=num(form.temp_min), temp_max=num(form.temp_max),
                                rh_min=num(form.rh_min), rh_max=num(form.rh_max),
                                rh_swing=num(form.rh_swing))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Target environment of {location.code} saved.", "success")
            return redirect(url_for("locations.show", location_id=location.id))
    ctx = {"form": form, "location": location, "inherited": effective_target(location.parent)}
    if request.method == "POST":
        return render_invalid("locations/target.html", **ctx)
    return render_template("locations/target.html", **ctx)


def _split_numbers(text: str) -> list[str]:
    return [n for n in re.split(r"[\n,;]+", text or "") if n.strip()]


@bp.route("/move", methods=["GET", "POST"])
@require("movements.create")
def move() -> Any:
    form = MoveForm()
    if request.method == "GET":
        form.objects.data = request.args.get("objects", "")
        form.location.data = request.args.get("to", "")
    if form.validate_on_submit():
        try:
            objects = services.find_objects_by_numbers(db.session,
                                                       _split_numbers(form.objects.data or ""))
            to_location = services.get_location_by_code(db.session, form.location.data or "")
            movements = services.move_objects(
                db.session, objects=objects, to_location=to_location, actor=current_user,
                reason=form.reason.data, method=form.method.data,
                moved_at=_local_to_utc(form.moved_at.data), status=form.status.data or "done",
                sets_home=bool(form.sets_home.data), note=form.note.data or None)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            verb = "planned to move" if form.status.data == "planned" else "moved"
            flash(f"{len(movements)} object(s) {verb} to {to_location.code}.", "success")
            if len(objects) == 1:
                return redirect(url_for("locations.object_movements", object_id=objects[0].id))
            return redirect(url_for("locations.show", location_id=to_location.id))
    if request.method == "POST":
        return render_invalid("locations/move.html", form=form)
    return render_template("locations/move.html", form=form)


@bp.route("/move-selection", methods=["POST"])
@require("movements.create")
def move_selection() -> Any:
    """Move a selection posted from another page (the search page's selection)."""
    if request.form.get("source") == "selection":
        # the search page's saved selection (catalog.search keeps it per user)
        from catalog.search.services import selection_ids

        object_ids = sorted(db.session.scalars(selection_ids(current_user)))
    else:
        raw_ids = request.form.getlist("object_ids") or re.split(r"[\s,]+",
                                                                 request.form.get("ids", ""))
        try:
            object_ids = sorted({int(i) for i in raw_ids if str(i).strip()})
        except ValueError:
            flash("The selection holds something that is not an object id.", "error")
            return redirect(url_for("locations.move"))
    objects = list(db.session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.id.in_(object_ids))
        .order_by(CatalogueObject.sort_key)))
    form = SelectionMoveForm()
    if "location" in request.form and form.validate():
        try:
            movements = services.move_selection(
                db.session, object_ids=object_ids, to_location_code=form.location.data or "",
                actor=current_user, reason=form.reason.data, method=form.method.data,
                status=form.status.data or "done")
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"{len(movements)} object(s) moved to {form.location.data}.", "success")
            return redirect(url_for("locations.index", code=form.location.data))
        return render_invalid("locations/move_selection.html", form=form, objects=objects,
                              object_ids=object_ids)
    return render_template("locations/move_selection.html", form=form, objects=objects,
                           object_ids=object_ids)


@bp.route("/<int:location_id>/move", methods=["GET", "POST"])
@require("movements.create")
def move_container(location_id: int) -> Any:
    container = services.get_location(db.session, location_id)
    form = ContainerMoveForm()
    if form.validate_on_submit():
        try:
            to_parent = services.get_location_by_code(db.session, form.location.data or "")
            movements = services.move_container(
                db.session, container=container, to_parent=to_parent, actor=current_user,
                reason=form.reason.data, method=form.method.data,
                moved_at=_local_to_utc(form.moved_at.data))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"{container.code} moved to {to_parent.code} with {len(movements)} object(s).",
                  "success")
            return redirect(url_for("locations.show", location_id=container.id))
    ctx = {"form": form, "container": container, "full_path": services.full_path}
    if request.method == "POST":
        return render_invalid("locations/move_container.html", **ctx)
    return render_template("locations/move_container.html", **ctx)


@bp.route("/objects/<int:object_id>/movements")
@require("locations.view")
def object_movements(object_id: int) -> Any:
    obj = _object(object_id)
    form = WhereWasForm(request.args)
    answer: dict[str, Any] | None = None
    if form.on.data:
        zone = ZoneInfo(current_app.config["MUSEUM_TIMEZONE"])
        end_of_day = datetime.combine(form.on.data + timedelta(days=1), time.min, tzinfo=zone)
        movement = services.location_on(db.session, obj.id, end_of_day - timedelta(microseconds=1))
        location = db.session.get(Location, movement.to_location_id) \
            if movement and movement.to_location_id else None
        # The path shown is today's; say so when the object's container has moved since.
        container_moved = db.session.scalar(sa.select(Movement.id).where(
            Movement.object_id == obj.id, Movement.via_container_id.is_not(None),
            Movement.moved_at >= end_of_day).limit(1)) is not None
        answer = {"date": form.on.data, "movement": movement, "location": location,
                  "container_moved": container_moved}
    return render_template("locations/object_movements.html", obj=obj, form=form, answer=answer,
                           loc_path=services.full_path)


@bp.route("/away")
@require("locations.view")
def away() -> Any:
    return render_template("locations/away.html",
                           objects=services.objects_away_from_home(db.session),
                           full_path=services.full_path)


@bp.route("/planned")
@require("locations.view")
def planned() -> Any:
    movements = services.planned_movements(db.session)
    ids = {m.object_id for m in movements}
    objects = {o.id: o for o in db.session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.id.in_(ids)))}
    locs = {loc.id: loc for loc in db.session.scalars(sa.select(Location).where(
        Location.id.in_({m.to_location_id for m in movements if m.to_location_id})))}
    return render_template("locations/planned.html", movements=movements, objects=objects,
                           locations=locs)


@bp.route("/planned/<int:movement_id>/complete", methods=["POST"])
@require("movements.create")
def complete_planned(movement_id: int) -> Any:
    form = EmptyForm()
    movement = db.session.get(Movement, movement_id)
    if movement is None or not form.validate_on_submit():
        raise NotFoundError("There is no such planned move.")
    services.complete_planned_move(db.session, movement, actor=current_user)
    flash("The planned move is done.", "success")
    return redirect(url_for("locations.planned"))


@bp.route("/<int:location_id>/salvage")
@require("locations.view")
def salvage(location_id: int) -> Any:
    location = services.get_location(db.session, location_id)
    rows = services.salvage_list(db.session, location)
    return render_template("locations/salvage.html", location=location, rows=rows,
                           full_path=services.full_path, form=SalvageForm())


@bp.route("/<int:location_id>/salvage.pdf")
@require("locations.view")
def salvage_pdf(location_id: int) -> Any:
    from catalog.locations.salvage import salvage_pdf as build

    location = services.get_location(db.session, location_id)
    pdf = build(location, services.salvage_list(db.session, location),
                museum=current_app.config.get("MUSEUM_NAME", ""))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="salvage-{location.code}.pdf"'})


@bp.route("/objects/<int:object_id>/salvage", methods=["POST"])
@require("locations.edit")
def set_salvage(object_id: int) -> Any:
    obj = _object(object_id)
    form = SalvageForm()
    if not form.validate_on_submit():
        raise NotFoundError("Choose a salvage priority.")
    try:
        services.set_salvage_priority(db.session, obj, actor=current_user,
                                      priority=int(form.salvage_priority.data)
                                      if form.salvage_priority.data else None)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(request.referrer or url_for("locations.index")), 303
    flash(f"Salvage priority of {obj.object_number} saved.", "success")
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("locations.object_movements", object_id=obj.id)
    return redirect(back)
