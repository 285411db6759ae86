"""Valuation and insurance pages (valuations.view to see, valuations.edit to record)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.errors import DomainError
from catalog.core.forms import render_invalid, show_domain_error
from catalog.core.money import Money, MoneyError
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.loans.services import find_object
from catalog.parties.models import Party, PartyRole
from catalog.valuations import bp, services
from catalog.valuations.forms import PolicyForm, ValuationForm
from catalog.valuations.models import InsurancePolicy, Valuation


def _party(name: str | None, role: str) -> Party | None:
    name = (name or "").strip()
    if not name:
        return None
    party = db.session.scalar(sa.select(Party).where(sa.func.lower(Party.name) == name.lower())
                              .limit(1))
    if party is None:
        party = Party(kind="organisation", name=name, sort_name=name)
        db.session.add(party)
    if role not in party.role_codes:
        party.roles.append(PartyRole(role=role))
    return party


def _money(amount: Any, currency: str | None, field: str) -> Money:
    try:
        return Money.parse(amount, currency or "")
    except MoneyError as exc:
        raise DomainError(str(exc), field=field) from exc


@bp.route("/")
@require("valuations.view")
def index() -> Any:
    valuations = list(db.session.scalars(
        sa.select(Valuation).order_by(Valuation.valued_on.desc(), Valuation.id.desc()).limit(200)))
    policies = list(db.session.scalars(
        sa.select(InsurancePolicy).order_by(InsurancePolicy.cover_end.desc())))
    return render_template("valuations/index.html", valuations=valuations, policies=policies)


@bp.route("/new", methods=["GET", "POST"])
@require("valuations.edit")
def create() -> Any:
    form = ValuationForm()
    if request.method == "GET":
        form.object_number.data = request.args.get("object", "")
        form.valued_on.data = date.today()  # noqa: DTZ011
    if form.validate_on_submit():
        try:
            obj = find_object(db.session, form.object_number.data or "")
            services.record_valuation(
                db.session, obj=obj, valued_on=form.valued_on.data,
                amount=_money(form.amount.data, form.currency.data, "amount"),
                valuer=_party(form.valuer_name.data, "valuer"), purpose=form.purpose.data or None,
                note=form.note.data or None, actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("valuations/form.html", form=form)
        flash(f"Valuation of {obj.object_number} recorded.", "success")
        return redirect(url_for("valuations.index"))
    if request.method == "POST":
        return render_invalid("valuations/form.html", form=form)
    return render_template("valuations/form.html", form=form)


@bp.route("/policies/new", methods=["GET", "POST"])
@require("valuations.edit")
def create_policy() -> Any:
    form = PolicyForm()
    if form.validate_on_submit():
        try:
            policy = services.create_policy(
                db.session, policy_number=form.policy_number.data or "",
                cover_start=form.cover_start.data, cover_end=form.cover_end.data,
                limit=_money(form.limit.data, form.currency.data, "limit"),
                insurer=_party(form.insurer_name.data, "insurer"), kind=form.kind.data,
                note=form.note.data or None, actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("valuations/policy_form.html", form=form)
        flash(f"Policy {policy.policy_number} recorded.", "success")
        return redirect(url_for("valuations.index"))
    if request.method == "POST":
        return render_invalid("valuations/policy_form.html", form=form)
    return render_template("valuations/policy_form.html", form=form)
