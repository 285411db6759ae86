"""Object record pages: list, create, edit, renumber, record page, images, backlog."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import selectinload

from catalog.core.errors import DomainError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.objects import bp, images, services
from catalog.objects.forms import (
    EXTRA_ROWS,
    ImageEditForm,
    ImageUploadForm,
    ObjectForm,
    RenumberForm,
)
from catalog.objects.models import OBJECT_STATUSES, CatalogueObject, NumberScheme, ObjectImage
from catalog.objects.numbers import peek_number
from catalog.parties.models import Party

FORM_VOCABULARIES = ("object_name", "material", "technique", "department", "maker_role",
                     "dimension_part")


def _form_context(form: ObjectForm, obj: CatalogueObject | None = None) -> dict[str, Any]:
    from catalog.vocabularies.services import active_terms

    makers = db.session.scalars(
        sa.select(Party.name).where(Party.merged_into_id.is_(None))
        .order_by(Party.sort_name).limit(2000)).all()
    return {"form": form, "obj": obj, "vocab": active_terms(db.session, FORM_VOCABULARIES),
            "maker_names": makers}


def _scheme_choices() -> dict[str, str]:
    schemes = db.session.scalars(
        sa.select(NumberScheme).where(NumberScheme.is_active.is_(True),
                                      NumberScheme.applies_to.in_(("object", "loan_in")))
        .order_by(NumberScheme.name)).all()
    choices = {"": "— type the number myself —"}
    for scheme in schemes:
        choices[scheme.code] = f"{scheme.name} (next: {peek_number(db.session, scheme)})"
    return choices


def _pad_rows(form: ObjectForm) -> None:
    for field_list in (form.makers, form.dimensions, getattr(form, "other_numbers", None)):
        if field_list is None:
            continue
        filled = sum(1 for entry in field_list.entries if any(
            (sub.data or "") for name, sub in entry.form._fields.items()
            if name not in ("dimension", "unit", "kind", "role")))
        while len(field_list.entries) < filled + EXTRA_ROWS:
            field_list.append_entry()


def _makers(form: ObjectForm) -> list[services.MakerInput]:
    return [services.MakerInput(name=row.data["name"] or "", role=row.data["role"] or "artist")
            for row in form.makers if (row.data["name"] or "").strip()]


def _dimensions(form: ObjectForm) -> list[services.DimensionInput]:
    rows = []
    for row in form.dimensions:
        data = row.data
        if not (data["value"] or "").strip():
            continue
        if not data["dimension"]:
            raise DomainError("Choose what each measurement is (height, width …).",
                              field="dimensions")
        rows.append(services.DimensionInput(part=data["part"], dimension=data["dimension"],
                                            value=data["value"], unit=data["unit"]))
    return rows


def _fields(form: ObjectForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in services.EDITABLE_FIELDS}


@bp.route("/")
@require("objects.view")
def index() -> Any:
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    status = request.args.get("status") or None
    query = sa.select(CatalogueObject).options(selectinload(CatalogueObject.makers),
                                               selectinload(CatalogueObject.images))
    if status in OBJECT_STATUSES:
        query = query.where(CatalogueObject.status == status)
    objects = db.session.scalars(
        query.order_by(CatalogueObject.sort_key).limit(size + 1).offset((page - 1) * size)).all()
    return render_template("objects/index.html", objects=objects[:size], page=page,
                           has_next=len(objects) > size, status=status, statuses=OBJECT_STATUSES)


@bp.route("/new", methods=["GET", "POST"])
@require("objects.edit")
def create() -> Any:
    form = ObjectForm()
    form.scheme.choices = _scheme_choices()
    if request.method == "GET":
        form.status.data = request.args.get("status", "accessioned")
    if form.validate_on_submit():
        try:
            obj = services.create_object(
                db.session, actor=current_user, object_number=form.object_number.data,
                scheme=form.scheme.data or None, lot=form.lot.data, status=form.status.data,
                makers=_makers(form), dimensions=_dimensions(form),
                other_numbers=[(row.data["number"], row.data["kind"]) for row in form.other_numbers
                               if (row.data["number"] or "").strip()],
                **_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Object {obj.object_number} created.", "success")
            return redirect(url_for("objects.detail", object_id=obj.id))
    _pad_rows(form)
    if request.method == "POST":
        return render_invalid("objects/form.html", **_form_context(form))
    return render_template("objects/form.html", **_form_context(form))


@bp.route("/<int:object_id>/edit", methods=["GET", "POST"])
@require("objects.edit")
def edit(object_id: int) -> Any:
    obj = services.load_record(db.session, object_id)
    form = ObjectForm(obj=obj if request.method == "GET" else None)
    del form.object_number, form.scheme, form.lot, form.status, form.other_numbers
    if request.method == "GET":
        while form.makers.entries:
            form.makers.pop_entry()
        for maker in obj.makers:
            form.makers.append_entry({"name": maker.party.name, "role": maker.role})
        while form.dimensions.entries:
            form.dimensions.pop_entry()
        for dim in obj.dimensions:
            form.dimensions.append_entry({"part": dim.part, "dimension": dim.dimension,
                                          "value": services._fmt(dim.value), "unit": dim.unit})
    if form.validate_on_submit():
        try:
            services.update_object(db.session, obj, actor=current_user, makers=_makers(form),
                                   dimensions=_dimensions(form), **_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Object {obj.object_number} saved.", "success")
            return redirect(url_for("objects.detail", object_id=obj.id))
    _pad_rows(form)
    if request.method == "POST":
        return render_invalid("objects/form.html", **_form_context(form, obj))
    return render_template("objects/form.html", **_form_context(form, obj))


@bp.route("/<int:object_id>")
@require("objects.view")
def detail(object_id: int) -> Any:
    from catalog.procedures.services import procedures_for_object

    obj = services.load_record(db.session, object_id)
    changes = services.record_history(db.session, obj)
    return render_template("objects/detail.html", obj=obj, changes=changes, show_record=True,
                           procedures=procedures_for_object(db.session, obj.id, current_user),
                           statuses=OBJECT_STATUSES, upload_form=ImageUploadForm())


@bp.route("/<int:object_id>/renumber", methods=["GET", "POST"])
@require("objects.edit")
def renumber(object_id: int) -> Any:
    obj = services.get_object(db.session, object_id)
    form = RenumberForm()
    form.scheme.choices = _scheme_choices()
    if form.validate_on_submit():
        old = obj.object_number
        try:
            services.renumber_object(db.session, obj, actor=current_user,
                                     new_number=form.new_number.data or "",
                                     scheme=form.scheme.data or None, lot=form.lot.data,
                                     why=form.reason.data or None, old_kind=form.old_kind.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"{old} is now {obj.object_number}; the old number is kept.", "success")
            return redirect(url_for("objects.detail", object_id=obj.id))
    if request.method == "POST":
        return render_invalid("objects/renumber.html", form=form, obj=obj)
    return render_template("objects/renumber.html", form=form, obj=obj)


@bp.route("/check-number")
@require("objects.view")
def check_number() -> Any:
    """JSON for the form's live duplicate warning."""
    number = request.args.get("number", "")
    exclude = request.args.get("exclude", type=int)
    existing = services.find_by_number(db.session, number[:200], exclude_id=exclude)
    if existing is None:
        return jsonify({"number": number, "duplicate": False})
    return jsonify({
        "number": number, "duplicate": True,
        "object": {"id": existing.id, "object_number": existing.object_number,
                   "title": existing.title, "url": url_for("objects.detail",
                                                           object_id=existing.id)},
        "message": f"{existing.object_number} is already used"
                   f"{' by ' + repr(existing.title) if existing.title else ''}.",
    })  # fmt: skip


@bp.route("/backlog")
@require("objects.view")
def backlog() -> Any:
    missing = request.args.get("missing") or None
    counts = services.backlog_counts(db.session)
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    listed = []
    if missing:
        if missing not in counts:
            abort(404)
        listed = services.backlog_objects(db.session, missing=missing, limit=size,
                                          offset=(page - 1) * size)
    return render_template("objects/backlog.html", counts=counts,
                           labels=services.BACKLOG_LABELS, minimum=services.BACKLOG_MINIMUM,
                           missing=missing, objects=listed, page=page,
                           has_next=bool(missing) and counts[missing] > page * size,
                           total=services.backlog_total(db.session))


# --- images --------------------------------------------------------------------------------

@bp.route("/<int:object_id>/images", methods=["POST"])
@require("objects.edit")
def upload_image(object_id: int) -> Any:
    obj = services.load_record(db.session, object_id)
    form = ImageUploadForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            images.add_image(db.session, obj, actor=current_user, data=upload.read(),
                             filename=upload.filename or "upload", config=current_app.config,
                             caption=form.caption.data, rights=form.rights.data,
                             is_primary=bool(form.is_primary.data))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Image added.", "success")
            return redirect(url_for("objects.detail", object_id=obj.id) + "#images")
    from catalog.procedures.services import procedures_for_object

    changes = services.record_history(db.session, obj)
    return render_invalid("objects/detail.html", obj=obj, changes=changes, show_record=True,
                          procedures=procedures_for_object(db.session, obj.id, current_user),
                          statuses=OBJECT_STATUSES, upload_form=form)


def _image(image_id: int) -> ObjectImage:
    image = db.session.get(ObjectImage, image_id)
    if image is None:
        abort(404)
    return image


@bp.route("/images/<int:image_id>/<any(thumb, medium, original):size>")
@require("objects.view")
def image_file(image_id: int, size: str) -> Any:
    image = _image(image_id)
    path = images.file_path(current_app.config, image, size)
    if not path.is_file():
        abort(404)
    mimetype = images.FORMATS[image.format][1] if size == "original" else "image/jpeg"
    download = f"{image.object.object_number}-{image.id}.{images.FORMATS[image.format][0]}"
    return send_file(path, mimetype=mimetype, max_age=3600, download_name=download,
                     as_attachment=size == "original" and image.format == "TIFF")


@bp.route("/images/<int:image_id>/primary", methods=["POST"])
@require("objects.edit")
def primary_image(image_id: int) -> Any:
    EmptyForm().validate_on_submit()
    image = _image(image_id)
    images.set_primary(db.session, image, actor=current_user)
    flash("Primary image changed.", "success")
    return redirect(url_for("objects.detail", object_id=image.object_id) + "#images")


@bp.route("/images/<int:image_id>/edit", methods=["GET", "POST"])
@require("objects.edit")
def edit_image(image_id: int) -> Any:
    image = _image(image_id)
    form = ImageEditForm(obj=image)
    if form.validate_on_submit():
        images.update_image(db.session, image, actor=current_user, caption=form.caption.data,
                            rights=form.rights.data)
        flash("Image details saved.", "success")
        return redirect(url_for("objects.detail", object_id=image.object_id) + "#images")
    if request.method == "POST":
        return render_invalid("objects/image_form.html", form=form, image=image)
    return render_template("objects/image_form.html", form=form, image=image)


# --- number schemes

@bp.route("/number-schemes", methods=["GET", "POST"])
@require("objects.view")
def number_schemes() -> Any:
    from catalog.objects.forms import NumberSchemeForm
    from catalog.objects.numbers import SCHEME_TARGETS, save_scheme

    form = NumberSchemeForm()
    form.applies_to.choices = SCHEME_TARGETS
    if request.method == "POST":
        if not current_user.can("vocabularies.edit"):
            abort(403)
        if form.validate_on_submit():
            try:
                scheme = save_scheme(db.session, actor=current_user, code=form.code.data or "",
                                     name=form.name.data or "", pattern=form.pattern.data or "",
                                     applies_to=form.applies_to.data,
                                     is_active=bool(form.is_active.data))
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                flash(f"Number scheme {scheme.code} added.", "success")
                return redirect(url_for("objects.number_schemes"))
    schemes = db.session.scalars(sa.select(NumberScheme).order_by(NumberScheme.code)).all()
    context = {"form": form, "schemes": schemes, "targets": SCHEME_TARGETS,
               "next_numbers": {s.id: peek_number(db.session, s) for s in schemes}}
    if request.method == "POST":
        return render_invalid("objects/number_schemes.html", **context)
    return render_template("objects/number_schemes.html", **context)


@bp.route("/number-schemes/<int:scheme_id>", methods=["GET", "POST"])
@require("vocabularies.edit")
def edit_number_scheme(scheme_id: int) -> Any:
    from catalog.objects.forms import NumberSchemeForm
    from catalog.objects.numbers import SCHEME_TARGETS, save_scheme

    scheme = db.session.get(NumberScheme, scheme_id)
    if scheme is None:
        abort(404)
    form = NumberSchemeForm(obj=scheme)
    form.applies_to.choices = SCHEME_TARGETS
    if form.validate_on_submit():
        try:
            save_scheme(db.session, actor=current_user, code=form.code.data or "",
                        name=form.name.data or "", pattern=form.pattern.data or "",
                        applies_to=form.applies_to.data, is_active=bool(form.is_active.data),
                        scheme=scheme)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Number scheme {scheme.code} saved.", "success")
            return redirect(url_for("objects.number_schemes"))
    if request.method == "POST":
        return render_invalid("objects/number_scheme_form.html", form=form, scheme=scheme)
    return render_template("objects/number_scheme_form.html", form=form, scheme=scheme)
