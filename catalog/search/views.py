"""The search page, the selection, saved searches, CSV exports and batch edit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from catalog.core.errors import DomainError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import has_permission, require
from catalog.extensions import db
from catalog.imports.exporting import export_csv
from catalog.objects.models import CatalogueObject
from catalog.search import batch, services
from catalog.search.services import FACETS, SORTS, SearchParams

bp = Blueprint("search", __name__, url_prefix="/search")


class SaveSearchForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    query = StringField("Query")


class BatchForm(FlaskForm):
    field = SelectField("Field", choices=[SelectChoice(k, v)
                                          for k, v in batch.BATCH_FIELDS.items()])
    mode = SelectField("Change", choices=[SelectChoice(k, v) for k, v in batch.MODES.items()])
    value = TextAreaField("Value", validators=[Length(max=4000)])


def _back(default: str) -> str:
    """The page to return to: only a path on this site (never an open redirect)."""
    target = request.form.get("next") or ""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return default


@bp.route("/")
@require("objects.view")
def index() -> Any:
    params = SearchParams.from_args(request.args)
    try:
        result = services.search(db.session, params)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("search.index", q=params.q))
    selected = services.selected_among(db.session, current_user, [h.id for h in result.hits])
    chips = [(name, value, FACETS[name], services.filter_label(db.session, name, value))
             for name, values in params.filters.items() for value in values]
    return render_template(
        "search/index.html", result=result, params=params, sorts=SORTS, facet_names=FACETS,
        chips=chips, selected=selected,
        selection_count=services.selection_count(db.session, current_user),
        saved=services.saved_searches(db.session, current_user), form=EmptyForm(),
        save_form=SaveSearchForm(query=params.url_query()),
        can_batch=has_permission(current_user, "objects.batch_edit"),
        current_query=request.query_string.decode())


@bp.route("/select", methods=["POST"])
@require("objects.view")
def select() -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        ids = [int(v) for v in request.form.getlist("object_id") if v.isdigit()]
        if request.form.get("action") == "remove":
            count = services.deselect_objects(db.session, current_user, ids)
            flash(f"{count} object(s) taken out of your selection.", "success")
        else:
            count = services.select_objects(db.session, current_user, ids)
            flash(f"{count} object(s) added to your selection.", "success")
    return redirect(_back(url_for("search.index")))


@bp.route("/select-all", methods=["POST"])
@require("objects.view")
def select_all() -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        params = SearchParams.from_args(request.form)
        count = services.select_all(db.session, current_user, params)
        flash(f"{count} object(s) added to your selection.", "success")
    return redirect(_back(url_for("search.index")))


@bp.route("/selection")
@require("objects.view")
def selection() -> Any:
    page = db.session.execute(
        sa.select(CatalogueObject.id, CatalogueObject.object_number, CatalogueObject.title,
                  CatalogueObject.object_name, CatalogueObject.status)
        .where(CatalogueObject.id.in_(services.selection_ids(current_user)))
        .order_by(CatalogueObject.sort_key).limit(500)).all()
    return render_template("search/selection.html", rows=page, form=EmptyForm(),
                           count=services.selection_count(db.session, current_user),
                           can_batch=has_permission(current_user, "objects.batch_edit"))


@bp.route("/selection/clear", methods=["POST"])
@require("objects.view")
def clear() -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        services.clear_selection(db.session, current_user)
        flash("Your selection is empty.", "success")
    return redirect(_back(url_for("search.selection")))


def _csv_response(ids: Any, name: str) -> Response:
    return Response(stream_with_context(export_csv(db.session, ids)),
                    mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.route("/export.csv")
@require("objects.view")
def export_results() -> Any:
    params = SearchParams.from_args(request.args)
    return _csv_response(services.result_ids(db.session, params), "search-results")


@bp.route("/selection/export.csv")
@require("objects.view")
def export_selection() -> Any:
    return _csv_response(services.selection_ids(current_user), "selection")


@bp.route("/saved", methods=["POST"])
@require("objects.view")
def save() -> Any:
    form = SaveSearchForm()
    if form.validate_on_submit():
        try:
            services.save_search(db.session, current_user, name=form.name.data,
                                 query=form.query.data or "")
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("search.index") + "?" + (form.query.data or "")), 303
        flash(f"Search “{form.name.data}” saved.", "success")
        return redirect(url_for("search.index") + "?" + (form.query.data or ""))
    flash("Give the search a name to save it.", "error")
    return redirect(url_for("search.index") + "?" + (form.query.data or "")), 303


@bp.route("/saved/<int:saved_id>/delete", methods=["POST"])
@require("objects.view")
def delete_saved(saved_id: int) -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        services.delete_saved_search(db.session, current_user, saved_id)
        flash("Saved search removed.", "success")
    return redirect(url_for("search.index"))


@bp.route("/batch", methods=["GET", "POST"])
@require("objects.batch_edit")
def batch_edit() -> Any:
    """Step 1: choose the change; step 2 (POST): the preview, with a button to apply it."""
    form = BatchForm()
    count = services.selection_count(db.session, current_user)
    if form.validate_on_submit():
        try:
            changes = batch.preview(db.session, user=current_user, field=form.field.data,
                                    mode=form.mode.data, value=form.value.data or "")
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("search/batch.html", form=form, count=count)
        return render_template("search/batch_preview.html", form=form, count=count,
                               changes=changes, changed=sum(c.changed for c in changes),
                               field_label=batch.BATCH_FIELDS[form.field.data])
    return render_template("search/batch.html", form=form, count=count)


@bp.route("/batch/apply", methods=["POST"])
@require("objects.batch_edit")
def batch_apply() -> Any:
    form = BatchForm()
    count = services.selection_count(db.session, current_user)
    if not form.validate_on_submit():
        return render_invalid("search/batch.html", form=form, count=count)
    try:
        changed = batch.apply(db.session, user=current_user, field=form.field.data,
                              mode=form.mode.data, value=form.value.data or "")
    except DomainError as exc:
        show_domain_error(form, exc)
        return render_invalid("search/batch.html", form=form, count=count)
    flash(f"{changed} record(s) changed; each has an entry in its history.", "success")
    return redirect(url_for("search.selection"))
