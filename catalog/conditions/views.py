"""Condition report and conservation pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from catalog.conditions import bp, services
from catalog.conditions.forms import (
    AnnotationForm,
    PhotoForm,
    ReportForm,
    TreatmentForm,
    TreatmentRecordForm,
)
from catalog.conditions.models import (
    AREAS,
    CONDITIONS,
    CONTEXTS,
    PRIORITIES,
    TREATMENT_STATUSES,
    ConditionPhoto,
    ConditionReport,
    ConservationTreatment,
)
from catalog.core.audit import history
from catalog.core.errors import DomainError, NotFoundError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.loans.services import find_object, get_loan


def _today() -> date:
    return date.today()  # noqa: DTZ011 (a business date)


@bp.route("/")
@require("conditions.view")
def index() -> Any:
    reports = list(db.session.scalars(
        sa.select(ConditionReport).order_by(ConditionReport.examined_on.desc(),
                                            ConditionReport.id.desc()).limit(100)))
    treatments = list(db.session.scalars(
        sa.select(ConservationTreatment).order_by(ConservationTreatment.id.desc()).limit(50)))
    return render_template("conditions/index.html", reports=reports, treatments=treatments,
                           contexts=CONTEXTS, conditions=CONDITIONS,
                           treatment_statuses=TREATMENT_STATUSES)


@bp.route("/due")
@require("conditions.view")
def due() -> Any:
    try:
        within = min(max(int(request.args.get("within", 30)), 0), 3650)
    except ValueError:
        within = 30
    reports = services.reports_due(db.session, as_of=_today(), within_days=within)
    return render_template("conditions/due.html", reports=reports, within=within,
                           today=_today(), priorities=PRIORITIES)


@bp.route("/new", methods=["GET", "POST"])
@require("conditions.edit")
def create() -> Any:
    form = ReportForm()
    if request.method == "GET":
        form.object_number.data = request.args.get("object", "")
        form.context.data = request.args.get("context", "routine")
        form.loan_id.data = request.args.get("loan", "")
        form.examiner_name.data = current_user.name or current_user.email
        form.examined_on.data = _today()
        for entry, area in zip(form.areas.entries, AREAS, strict=False):
            entry.form.area.data = area
    if form.validate_on_submit():
        try:
            obj = find_object(db.session, form.object_number.data or "")
            loan = None
            if (form.loan_id.data or "").strip().isdigit():
                loan = get_loan(db.session, int(form.loan_id.data))
            report = services.create_report(
                db.session, obj=obj, context=form.context.data, loan=loan,
                examiner_name=form.examiner_name.data or "", examined_on=form.examined_on.data,
                overall=form.overall.data, completeness=form.completeness.data,
                priority=form.priority.data, next_check_on=form.next_check_on.data,
                areas=[(e.form.area.data or "", e.form.note.data or "")
                       for e in form.areas.entries],
                actor=current_user,
                **{name: getattr(form, name).data or None for name in services.REPORT_FIELDS},
            )  # fmt: skip
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("conditions/form.html", form=form)
        flash(f"Condition report on {obj.object_number} saved.", "success")
        return redirect(url_for("conditions.detail", report_id=report.id))
    if request.method == "POST":
        return render_invalid("conditions/form.html", form=form)
    return render_template("conditions/form.html", form=form)


@bp.route("/<int:report_id>")
@require("conditions.view")
def detail(report_id: int) -> Any:
    report = services.get_report(db.session, report_id)
    return render_template("conditions/detail.html", report=report, photo_form=PhotoForm(),
                           contexts=CONTEXTS, conditions=CONDITIONS, priorities=PRIORITIES,
                           changes=list(db.session.scalars(history("condition_reports",
                                                                   report.id).limit(50))))


@bp.route("/<int:report_id>.pdf")
@require("conditions.view")
def report_pdf(report_id: int) -> Any:
    from flask import Response

    from catalog.conditions.documents import report_pdf as build

    report = services.get_report(db.session, report_id)
    pdf = build(report, museum=current_app.config["MUSEUM_NAME"],
                media_root=services.media_root(current_app.config["MEDIA_DIR"]))
    name = f"condition-report-{report.object.object_number}-{report.examined_on}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/<int:report_id>/photos", methods=["POST"])
@require("conditions.edit")
def add_report_photo(report_id: int) -> Any:
    report = services.get_report(db.session, report_id)
    return _upload(report=report, redirect_to=url_for("conditions.detail", report_id=report.id))


@bp.route("/treatments/<int:treatment_id>/photos", methods=["POST"])
@require("conditions.edit")
def add_treatment_photo(treatment_id: int) -> Any:
    treatment = services.get_treatment(db.session, treatment_id)
    return _upload(treatment=treatment,
                   redirect_to=url_for("conditions.treatment", treatment_id=treatment.id))


def _upload(*, redirect_to: str, report: ConditionReport | None = None,
            treatment: ConservationTreatment | None = None) -> Any:
    form = PhotoForm()
    upload = request.files.get("photo")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash("Choose a photo to upload.", "error")
        return redirect(redirect_to, code=303)
    try:
        services.add_photo(db.session, stream=upload.stream,
                           media_dir=current_app.config["MEDIA_DIR"], actor=current_user,
                           report=report, treatment=treatment, kind=form.kind.data,
                           caption=form.caption.data or None)
    except DomainError as exc:
        # add_photo refuses before it writes anything, so there is nothing to roll back
        flash(exc.message, "error")
        return redirect(redirect_to, code=303)
    flash("Photo added.", "success")
    return redirect(redirect_to)


@bp.route("/photos/<int:photo_id>/annotations", methods=["POST"])
@require("conditions.edit")
def annotate(photo_id: int) -> Any:
    item = db.session.get(ConditionPhoto, photo_id)
    if item is None:
        abort(404)
    back = (url_for("conditions.detail", report_id=item.report_id) if item.report_id
            else url_for("conditions.treatment", treatment_id=item.treatment_id))
    form = AnnotationForm()
    if not form.validate_on_submit():
        messages = [e for errors in form.errors.values() for e in errors]
        flash("The mark was not saved: " + " ".join(messages), "error")
        return redirect(back + f"#photo-{item.id}", code=303)
    try:
        services.annotate_photo(db.session, item, x=form.x.data, y=form.y.data,
                                note=form.note.data or "", actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(back + f"#photo-{item.id}", code=303)
    flash("Mark added to the photo.", "success")
    return redirect(back + f"#photo-{item.id}")


@bp.route("/photos/<int:photo_id>/<variant>")
@require("conditions.view")
def photo(photo_id: int, variant: str) -> Any:
    item = db.session.get(ConditionPhoto, photo_id)
    if item is None or variant not in ("full", "thumb"):
        abort(404)
    root = services.media_root(current_app.config["MEDIA_DIR"])
    name = item.filename if variant == "full" else item.thumbnail
    path = root / name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type if variant == "full" else "image/jpeg",
                     max_age=3600)


@bp.route("/loans/<int:loan_id>/compare")
@require("conditions.view")
def compare(loan_id: int) -> Any:
    loan = get_loan(db.session, loan_id)
    return render_template("conditions/compare.html", loan=loan,
                           rows=services.loan_comparison(db.session, loan), conditions=CONDITIONS)


# Conservation ------------------------------------------------------------------------------

@bp.route("/treatments/new", methods=["GET", "POST"])
@require("conditions.edit")
def create_treatment() -> Any:
    form = TreatmentForm()
    if request.method == "GET":
        form.object_number.data = request.args.get("object", "")
    if form.validate_on_submit():
        try:
            obj = find_object(db.session, form.object_number.data or "")
            treatment = services.propose_treatment(
                db.session, obj=obj, proposal=form.proposal.data or "", actor=current_user,
                conservator_name=form.conservator_name.data or None)
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("conditions/treatment_form.html", form=form)
        flash("Treatment proposed.", "success")
        return redirect(url_for("conditions.treatment", treatment_id=treatment.id))
    if request.method == "POST":
        return render_invalid("conditions/treatment_form.html", form=form)
    return render_template("conditions/treatment_form.html", form=form)


def _treatment_page(treatment: ConservationTreatment, record_form: Any = None,
                    status: int = 200) -> Any:
    record_form = record_form or TreatmentRecordForm(obj=treatment)
    return render_template(
        "conditions/treatment.html", treatment=treatment, record_form=record_form,
        photo_form=PhotoForm(), action_form=EmptyForm(), statuses=TREATMENT_STATUSES,
        changes=list(db.session.scalars(history("conservation_treatments",
                                                treatment.id).limit(50)))), status


@bp.route("/treatments/<int:treatment_id>")
@require("conditions.view")
def treatment(treatment_id: int) -> Any:
    return _treatment_page(services.get_treatment(db.session, treatment_id))


@bp.route("/treatments/<int:treatment_id>/record", methods=["POST"])
@require("conditions.edit")
def record_treatment(treatment_id: int) -> Any:
    item = services.get_treatment(db.session, treatment_id)
    form = TreatmentRecordForm()
    if not form.validate_on_submit():
        return _treatment_page(item, form, 422)
    try:
        services.record_treatment(db.session, item, treatment_record=form.treatment_record.data,
                                  materials_used=form.materials_used.data,
                                  conservator_name=form.conservator_name.data,
                                  actor=current_user)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _treatment_page(item, form, 422)
    flash("Treatment record saved.", "success")
    return redirect(url_for("conditions.treatment", treatment_id=item.id))


@bp.route("/treatments/<int:treatment_id>/<action>", methods=["POST"])
@require("conditions.edit")
def advance_treatment(treatment_id: int, action: str) -> Any:
    item = services.get_treatment(db.session, treatment_id)
    if action not in ("approve", "start", "complete", "cancel"):
        raise NotFoundError("There is no such step.")
    try:
        services.advance_treatment(db.session, item, action, actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return _treatment_page(item, None, 409)
    flash(f"Treatment {TREATMENT_STATUSES[item.status].lower()}.", "success")
    return redirect(url_for("conditions.treatment", treatment_id=item.id))
