"""Loan pages: list, schedule, create and edit, the workflow, objects, documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.audit import history
from catalog.core.errors import DomainError, NotFoundError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.money import Money, MoneyError
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.loans import bp, documents, services
from catalog.loans.finance_link import NOT_INSTALLED, finance_available, raise_fee_invoice
from catalog.loans.forms import (
    AddObjectForm,
    ExtendForm,
    LoanForm,
    ReturnForm,
    StepForm,
    ValueForm,
    VenueForm,
)
from catalog.loans.forms import (
    choices as form_choices,
)
from catalog.loans.models import DIRECTIONS, STATUSES, STEPS, Loan, LoanObject
from catalog.loans.schedule import build_schedule
from catalog.loans.suitability import loan_suitability
from catalog.parties.models import Party, PartyRole
from catalog.valuations.models import InsurancePolicy


def _money(amount: Decimal | None, currency: str | None, field: str) -> Money | None:
    if amount is None:
        return None
    try:
        return Money.parse(amount, currency or "GBP")
    except MoneyError as exc:
        raise DomainError(str(exc), field=field) from exc


def _find_or_create_party(name: str, role: str) -> Party:
    """The party with exactly this name, or a new organisation with the role."""
    name = name.strip()
    party = db.session.scalar(sa.select(Party).where(sa.func.lower(Party.name) == name.lower(),
                                                     Party.merged_into_id.is_(None)).limit(1))
    if party is None:
        party = Party(kind="organisation", name=name, sort_name=name)
        db.session.add(party)
    if role not in party.role_codes:
        party.roles.append(PartyRole(role=role))
    db.session.flush()
    return party


def _policy_choices(form: LoanForm) -> None:
    choices = [(0, "—")]
    if current_user.can("valuations.view"):
        choices += [(p.id, f"{p.policy_number} ({p.cover_start:%Y}–{p.cover_end:%Y})")
                    for p in db.session.scalars(sa.select(InsurancePolicy)
                                                .order_by(InsurancePolicy.cover_end.desc()))]
    form.insurance_policy_id.choices = form_choices(choices)


def _party_names() -> list[str]:
    return list(db.session.scalars(
        sa.select(Party.name).join(PartyRole).where(PartyRole.role.in_(("lender", "borrower")))
        .order_by(Party.sort_name).limit(500)))


def _loan_fields(form: LoanForm) -> dict[str, Any]:
    fields = {name: getattr(form, name).data or None for name in (
        "exhibition_title", "purpose", "requested_on", "environment_conditions",
        "display_conditions", "handling_conditions", "courier_conditions",
        "transport_conditions", "cover_note", "credit_line", "notes")}
    fields["cover_kind"] = form.cover_kind.data
    if current_user.can("valuations.view"):
        fields["insurance_policy_id"] = form.insurance_policy_id.data or None
    return fields


@bp.route("/")
@require("loans.view")
def index() -> Any:
    direction = request.args.get("direction")
    status = request.args.get("status")
    query = sa.select(Loan).order_by(Loan.start_date.desc(), Loan.id.desc())
    if direction in DIRECTIONS:
        query = query.where(Loan.direction == direction)
    if status in STATUSES:
        query = query.where(Loan.status == status)
    loans = list(db.session.scalars(query.limit(500)))
    return render_template("loans/index.html", loans=loans, direction=direction, status=status,
                           statuses=STATUSES, directions=DIRECTIONS)


@bp.route("/schedule")
@require("loans.view")
def schedule() -> Any:
    try:
        first = date.fromisoformat(request.args.get("from", "") + "-01")
    except ValueError:
        # By default the schedule starts a month back, so loans just under way stay in view.
        today = date.today()  # noqa: DTZ011
        first = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    try:
        months = min(max(int(request.args.get("months", 12)), 1), 24)
    except ValueError:
        months = 12
    direction = request.args.get("direction")
    direction = direction if direction in DIRECTIONS else None
    data = build_schedule(db.session, first_month=first, months=months, direction=direction)
    return render_template("loans/schedule.html", months_count=months, direction=direction,
                           **data)


@bp.route("/new", methods=["GET", "POST"])
@require("loans.edit")
def create() -> Any:
    form = LoanForm()
    _policy_choices(form)
    if request.method == "GET":
        form.direction.data = request.args.get("direction", "out")
    if form.validate_on_submit():
        try:
            role = "borrower" if form.direction.data == "out" else "lender"
            loan = services.create_loan(
                db.session, direction=form.direction.data,
                party=_find_or_create_party(form.party_name.data or "", role),
                start_date=form.start_date.data, end_date=form.end_date.data,
                return_due=form.return_due.data, actor=current_user,
                fee=_money(form.fee.data, form.fee_currency.data, "fee"), **_loan_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("loans/form.html", form=form, loan=None,
                                  party_names=_party_names())
        flash(f"Loan {loan.number} recorded as requested.", "success")
        return redirect(url_for("loans.detail", loan_id=loan.id))
    if request.method == "POST":
        return render_invalid("loans/form.html", form=form, loan=None, party_names=_party_names())
    return render_template("loans/form.html", form=form, loan=None, party_names=_party_names())


@bp.route("/<int:loan_id>/edit", methods=["GET", "POST"])
@require("loans.edit")
def edit(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    form = LoanForm(obj=loan)
    _policy_choices(form)
    del form.direction
    if request.method == "GET":
        form.party_name.data = loan.party.name
        form.insurance_policy_id.data = loan.insurance_policy_id or 0
        if loan.fee is not None:
            form.fee.data = loan.fee.amount
            form.fee_currency.data = loan.fee.currency
    if form.validate_on_submit():
        try:
            role = "borrower" if loan.is_out else "lender"
            party = _find_or_create_party(form.party_name.data or "", role)
            loan.party = party
            services.update_loan(
                db.session, loan, actor=current_user, start_date=form.start_date.data,
                end_date=form.end_date.data, return_due=form.return_due.data,
                fee=_money(form.fee.data, form.fee_currency.data, "fee"), **_loan_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("loans/form.html", form=form, loan=loan,
                                  party_names=_party_names())
        flash(f"Loan {loan.number} saved.", "success")
        return redirect(url_for("loans.detail", loan_id=loan.id))
    if request.method == "POST":
        return render_invalid("loans/form.html", form=form, loan=loan, party_names=_party_names())
    return render_template("loans/form.html", form=form, loan=loan, party_names=_party_names())


def _detail_context(loan: Loan, **forms: Any) -> dict[str, Any]:
    from catalog.conditions.services import loan_comparison
    from catalog.valuations.services import cover_warnings

    can_values = current_user.can("valuations.view")
    return {
        "loan": loan,
        "conflicts": services.loan_conflicts(db.session, loan),
        "suitability": loan_suitability(db.session, loan),
        "events": loan.events,
        "steps": loan.available_steps(),
        "can_values": can_values,
        "totals": services.insured_totals(loan) if can_values else [],
        "cover_warnings": cover_warnings(loan) if can_values else [],
        "finance_available": finance_available(),
        "finance_message": NOT_INSTALLED,
        "comparison": loan_comparison(db.session, loan),
        "changes": list(db.session.scalars(history("loans", loan.id).limit(100))),
        "venue_form": forms.get("venue_form") or VenueForm(formdata=None, prefix="venue"),
        "object_form": forms.get("object_form") or AddObjectForm(formdata=None),
        "step_form": forms.get("step_form") or StepForm(formdata=None, prefix="step"),
        "return_form": forms.get("return_form") or ReturnForm(formdata=None, prefix="ret",
                                                              on=date.today()),  # noqa: DTZ011
        "extend_form": forms.get("extend_form") or ExtendForm(formdata=None, prefix="ext"),
        "value_form": ValueForm(formdata=None),
        "action_form": EmptyForm(formdata=None),
    }


@bp.route("/<int:loan_id>")
@require("loans.view")
def detail(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    return render_template("loans/detail.html", **_detail_context(loan))


def _refused(loan: Loan, form: Any, exc: DomainError, name: str) -> Any:
    show_domain_error(form, exc)
    # 409 for a rule (conflict, step out of order), 422 for bad input; either rolls back
    return render_template("loans/detail.html",
                           **_detail_context(loan, **{name: form})), exc.status_code


@bp.route("/<int:loan_id>/venues", methods=["POST"])
@require("loans.edit")
def add_venue(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    form = VenueForm(prefix="venue")
    if not form.validate_on_submit():
        return render_invalid("loans/detail.html", **_detail_context(loan, venue_form=form))
    try:
        services.add_venue(db.session, loan, actor=current_user, name=form.name.data or "",
                           address=form.address.data or None, start_date=form.start_date.data,
                           end_date=form.end_date.data, temp_min=form.temp_min.data,
                           temp_max=form.temp_max.data, rh_min=form.rh_min.data,
                           rh_max=form.rh_max.data, lux_max=form.lux_max.data)
    except DomainError as exc:
        return _refused(loan, form, exc, "venue_form")
    flash("Venue added.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="venues"))


@bp.route("/<int:loan_id>/venues/<int:venue_id>/remove", methods=["POST"])
@require("loans.edit")
def remove_venue(loan_id: int, venue_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    venue = next((v for v in loan.venues if v.id == venue_id), None)
    if venue is None:
        raise NotFoundError("This venue is not part of the loan.")
    services.remove_venue(db.session, venue, actor=current_user)
    flash(f"Venue {venue.name} removed.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="venues"))


@bp.route("/<int:loan_id>/objects", methods=["POST"])
@require("loans.edit")
def add_object(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    form = AddObjectForm()
    if not form.validate_on_submit():
        return render_invalid("loans/detail.html", **_detail_context(loan, object_form=form))
    try:
        number = form.object_number.data or ""
        if not loan.is_out and form.new_title.data:
            obj = services.create_loan_in_object(db.session, loan=loan, object_number=number,
                                                 title=form.new_title.data, actor=current_user)
        else:
            obj = services.find_object(db.session, number)
        value = None
        if form.insurance_value.data is not None:
            # add_object re-checks valuations.edit for a value
            value = _money(form.insurance_value.data, form.insurance_currency.data,
                           "insurance_value")
        services.add_object(db.session, loan, obj, actor=current_user, insurance_value=value,
                            requirements=form.requirements.data or None,
                            override_reason=form.override_reason.data if form.override.data
                            else None)
    except DomainError as exc:
        return _refused(loan, form, exc, "object_form")
    flash(f"{obj.object_number} added to loan {loan.number}.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="objects"))


def _loan_object(loan: Loan, loan_object_id: int) -> LoanObject:
    for lo in loan.loan_objects:
        if lo.id == loan_object_id:
            return lo
    raise NotFoundError("This object is not in the loan.")


@bp.route("/<int:loan_id>/objects/<int:loan_object_id>/remove", methods=["POST"])
@require("loans.edit")
def remove_object(loan_id: int, loan_object_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    lo = _loan_object(loan, loan_object_id)
    number = lo.object.object_number
    services.remove_object(db.session, lo, actor=current_user)
    flash(f"{number} taken out of the loan.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="objects"))


@bp.route("/<int:loan_id>/objects/<int:loan_object_id>/value", methods=["POST"])
@require("loans.edit", "valuations.edit")
def set_value(loan_id: int, loan_object_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    lo = _loan_object(loan, loan_object_id)
    form = ValueForm()
    if not form.validate_on_submit():
        flash("Enter the value as an amount, e.g. 125000.00.", "error")
        return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="objects"))
    services.set_insurance_value(db.session, lo, actor=current_user,
                                 value=_money(form.insurance_value.data,
                                              form.insurance_currency.data, "insurance_value"))
    flash(f"Insurance value of {lo.object.object_number} saved.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="objects"))


@bp.route("/<int:loan_id>/values-from-valuations", methods=["POST"])
@require("loans.edit", "valuations.edit")
def values_from_valuations(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    changed = services.apply_latest_valuations(db.session, loan, actor=current_user)
    flash(f"{changed} insurance value(s) taken from the latest valuations." if changed
          else "No object without a value has a valuation.", "success" if changed else "warning")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="objects"))


@bp.route("/<int:loan_id>/step/<action>", methods=["POST"])
@require("loans.edit")
def step(loan_id: int, action: str) -> Any:
    loan = services.get_loan(db.session, loan_id)
    if action not in STEPS:
        abort(404)
    form = StepForm(prefix="step")
    if not form.validate_on_submit():
        return render_invalid("loans/detail.html", **_detail_context(loan, step_form=form))
    try:
        location = None
        if form.location_code.data:
            from catalog.locations.services import get_location_by_code

            location = get_location_by_code(db.session, form.location_code.data)
        services.take_step(db.session, loan, action, actor=current_user, on=form.on.data,
                           note=form.note.data or None, location=location)
    except DomainError as exc:
        return _refused(loan, form, exc, "step_form")
    flash(f"Loan {loan.number}: {loan.status_label.lower()}.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id))


@bp.route("/<int:loan_id>/return", methods=["POST"])
@require("loans.edit")
def return_objects(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    form = ReturnForm(prefix="ret")
    if not form.validate_on_submit():
        return render_invalid("loans/detail.html", **_detail_context(loan, return_form=form))
    ids = {int(v) for v in request.form.getlist("loan_object") if v.isdigit()}
    chosen = [lo for lo in loan.loan_objects if lo.id in ids]
    try:
        location = None
        if form.location_code.data:
            from catalog.locations.services import get_location_by_code

            location = get_location_by_code(db.session, form.location_code.data)
        services.return_objects(db.session, loan, chosen, on=form.on.data, actor=current_user,
                                location=location, note=form.note.data or None)
    except DomainError as exc:
        return _refused(loan, form, exc, "return_form")
    flash(f"Return of {len(chosen)} object(s) recorded.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id, _anchor="objects"))


@bp.route("/<int:loan_id>/extend", methods=["POST"])
@require("loans.edit")
def extend(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    form = ExtendForm(prefix="ext")
    if not form.validate_on_submit():
        return render_invalid("loans/detail.html", **_detail_context(loan, extend_form=form))
    try:
        services.extend_loan(db.session, loan, end_date=form.end_date.data,
                             return_due=form.return_due.data, actor=current_user,
                             note=form.note.data or None)
    except DomainError as exc:
        return _refused(loan, form, exc, "extend_form")
    flash(f"Loan {loan.number} extended to {loan.end_date:%d %b %Y}.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id))


@bp.route("/<int:loan_id>/invoice", methods=["POST"])
@require("loans.view", "finance.edit")
def invoice_fee(loan_id: int) -> Any:
    loan = services.get_loan(db.session, loan_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raise_fee_invoice(db.session, loan=loan, actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        # 409 so that the unit of work rolls back whatever the finance module began
        return render_template("loans/detail.html", **_detail_context(loan)), 409
    flash(f"Invoice {loan.fee_invoice_number or ''} raised for the loan fee.", "success")
    return redirect(url_for("loans.detail", loan_id=loan.id))


_DOCUMENTS = {
    "agreement": "loan-agreement",
    "objects": "object-list",
    "receipt-out": "outgoing-receipt",
    "receipt-in": "incoming-receipt",
    "courier": "courier-instructions",
}


@bp.route("/<int:loan_id>/<kind>.pdf")
@require("loans.view")
def document(loan_id: int, kind: str) -> Any:
    loan = services.get_loan(db.session, loan_id)
    if kind not in _DOCUMENTS:
        abort(404)
    museum = current_app.config["MUSEUM_NAME"]
    show_values = current_user.can("valuations.view")
    totals = services.insured_totals(loan) if show_values else []
    if kind == "agreement":
        pdf = documents.agreement_pdf(loan, museum=museum, show_values=show_values, totals=totals)
    elif kind == "objects":
        pdf = documents.object_list_pdf(loan, museum=museum, show_values=show_values,
                                        totals=totals)
    elif kind == "courier":
        pdf = documents.courier_pdf(loan, museum=museum)
    else:
        pdf = documents.receipt_pdf(loan, museum=museum, incoming=kind == "receipt-in")
    filename = f"{_DOCUMENTS[kind]}-{loan.number}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
