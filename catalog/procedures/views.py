"""Procedure pages: lists, forms, records and the entry receipt."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.errors import DomainError, ValidationError
from catalog.core.forms import render_invalid, show_domain_error
from catalog.core.money import Money, MoneyError
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.objects.models import OBJECT_STATUSES, CatalogueObject
from catalog.objects.numbers import normalise_number
from catalog.parties.models import Party
from catalog.parties.services import find_party_by_name
from catalog.procedures import bp, services
from catalog.procedures.forms import AcquisitionForm, DeaccessionForm, EntryForm
from catalog.procedures.models import (
    ACQUISITION_METHODS,
    DISPOSAL_METHODS,
    ENTRY_REASONS,
    Acquisition,
    Deaccession,
    ObjectEntry,
)


def _context(**extra: Any) -> dict[str, Any]:
    from catalog.vocabularies.services import active_terms

    names = db.session.scalars(sa.select(Party.name).where(Party.merged_into_id.is_(None))
                               .order_by(Party.sort_name).limit(2000)).all()
    return {"party_names": names, "vocab": active_terms(db.session, ("object_name",)),
            "entry_reasons": ENTRY_REASONS, "methods": ACQUISITION_METHODS,
            "disposal_methods": DISPOSAL_METHODS, "statuses": OBJECT_STATUSES, **extra}


def _party_id(name: str | None, field: str) -> int | None:
    party = find_party_by_name(db.session, name, field=field)
    return party.id if party else None


@bp.route("/")
@require("objects.view")
def index() -> Any:
    entries = db.session.scalars(sa.select(ObjectEntry).order_by(ObjectEntry.id.desc())
                                 .limit(50)).all()
    acquisitions = db.session.scalars(sa.select(Acquisition).order_by(Acquisition.id.desc())
                                      .limit(50)).all()
    deaccessions = db.session.scalars(sa.select(Deaccession).order_by(Deaccession.id.desc())
                                      .limit(50)).all()
    return render_template("procedures/index.html", entries=entries, acquisitions=acquisitions,
                           deaccessions=deaccessions, **_context())


# --- object entry --------------------------------------------------------------------------

@bp.route("/entries/new", methods=["GET", "POST"])
@require("objects.edit")
def new_entry() -> Any:
    form = EntryForm()
    if form.validate_on_submit():
        try:
            entry = services.create_entry(
                db.session, actor=current_user,
                depositor_id=_party_id(form.depositor.data, "depositor"),
                reason=form.reason.data, entry_date=form.entry_date.data,
                return_date=form.return_date.data, note=form.note.data,
                objects=[services.ReceivedObject(
                    brief_description=row.data["brief_description"] or "",
                    object_name=(row.data["object_name"] or "").strip() or None,
                    number_of_objects=row.data["number_of_objects"] or 1)
                    for row in form.objects])
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Object entry {entry.number} recorded with {len(entry.objects)} object(s).",
                  "success")
            return redirect(url_for("procedures.entry_detail", entry_id=entry.id))
    if request.method == "POST":
        return render_invalid("procedures/entry_form.html", form=form, **_context())
    return render_template("procedures/entry_form.html", form=form, **_context())


@bp.route("/entries/<int:entry_id>")
@require("objects.view")
def entry_detail(entry_id: int) -> Any:
    entry = services.get_procedure(db.session, ObjectEntry, entry_id)
    from catalog.core.audit import history

    changes = db.session.scalars(history("object_entries", entry.id)).all()
    return render_template("procedures/entry_detail.html", entry=entry, changes=changes,
                           **_context())


@bp.route("/entries/<int:entry_id>/receipt.pdf")
@require("objects.view")
def entry_receipt(entry_id: int) -> Any:
    entry = services.get_procedure(db.session, ObjectEntry, entry_id)
    pdf = services.entry_receipt_pdf(entry, museum_name=current_app.config["MUSEUM_NAME"],
                                     show_personal=current_user.can("parties.personal"))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="receipt-{entry.number}.pdf"'})


# --- acquisition & accessioning ----------------------------------------------------------------

def _acquirable() -> list[CatalogueObject]:
    return list(db.session.scalars(
        sa.select(CatalogueObject).where(CatalogueObject.status.in_(("entry", "loan_in")))
        .order_by(CatalogueObject.sort_key).limit(500)))


@bp.route("/acquisitions/new", methods=["GET", "POST"])
@require("objects.edit")
def new_acquisition() -> Any:
    form = AcquisitionForm()
    candidates = _acquirable()
    form.objects.choices = {o.id: f"{o.object_number} — {o.object_name or ''} "
                                   f"{o.brief_description or ''}"[:150] for o in candidates}
    if not current_user.can("valuations.view"):
        del form.price, form.price_currency
    if request.method == "GET" and (object_id := request.args.get("object", type=int)):
        form.objects.data = [object_id] if object_id in form.objects.choices else []
    if request.method == "GET" and (entry_id := request.args.get("entry", type=int)):
        entry = db.session.get(ObjectEntry, entry_id)
        if entry is not None:
            form.objects.data = [o.id for o in entry.objects if o.status == "entry"]
            if entry.depositor:
                form.source.data = entry.depositor.name
    if form.validate_on_submit():
        try:
            price_minor = currency = None
            if getattr(form, "price", None) is not None and (form.price.data or "").strip():
                try:
                    money = Money.parse(form.price.data, form.price_currency.data)
                except MoneyError as exc:
                    raise ValidationError(str(exc), field="price") from exc
                price_minor, currency = money.minor, money.currency
            acquisition = services.create_acquisition(
                db.session, actor=current_user, method=form.method.data,
                acquisition_date=form.acquisition_date.data, object_ids=form.objects.data,
                source_id=_party_id(form.source.data, "source"), funding=form.funding.data,
                price_minor=price_minor, price_currency=currency,
                credit_line=form.credit_line.data,
                title_transferred_on=form.title_transferred_on.data,
                authoriser=form.authoriser.data, authorised_on=form.authorised_on.data,
                note=form.note.data, lot=form.lot.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            numbers = ", ".join(o.object_number for o in acquisition.objects)
            flash(f"Acquisition {acquisition.number} recorded; accessioned as {numbers}.",
                  "success")
            return redirect(url_for("procedures.acquisition_detail",
                                    acquisition_id=acquisition.id))
    if request.method == "POST":
        return render_invalid("procedures/acquisition_form.html", form=form, **_context())
    return render_template("procedures/acquisition_form.html", form=form, **_context())


@bp.route("/acquisitions/<int:acquisition_id>")
@require("objects.view")
def acquisition_detail(acquisition_id: int) -> Any:
    from catalog.core.audit import history

    acquisition = services.get_procedure(db.session, Acquisition, acquisition_id)
    changes = db.session.scalars(history("acquisitions", acquisition.id)).all()
    if not current_user.can("valuations.view"):
        # The price must not reach the page, not even in the history of the record.
        changes = [_without_price(row) for row in changes]
    return render_template("procedures/acquisition_detail.html", acquisition=acquisition,
                           changes=changes, **_context())


def _without_price(row: Any) -> Any:
    from types import SimpleNamespace

    hidden = {k: v for k, v in (row.changes or {}).items()
              if k not in ("price_minor", "price_currency")}
    return SimpleNamespace(occurred_at=row.occurred_at, actor_label=row.actor_label,
                           record_type=row.record_type, record_id=row.record_id,
                           action=row.action, changes=hidden, reason=row.reason)


# --- deaccession -------------------------------------------------------------------------------

@bp.route("/deaccessions/new", methods=["GET", "POST"])
@require("objects.deaccession")
def new_deaccession() -> Any:
    form = DeaccessionForm()
    if request.method == "GET" and (object_id := request.args.get("object", type=int)):
        obj = db.session.get(CatalogueObject, object_id)
        if obj is not None:
            form.object_numbers.data = obj.object_number
    if form.validate_on_submit():
        try:
            ids = []
            for line in (form.object_numbers.data or "").replace(",", "\n").splitlines():
                if not line.strip():
                    continue
                found = db.session.scalar(sa.select(CatalogueObject.id).where(
                    CatalogueObject.number_key == normalise_number(line)))
                if found is None:
                    raise ValidationError(f"There is no object numbered {line.strip()}.",
                                          field="object_numbers")
                ids.append(found)
            record = services.create_deaccession(
                db.session, actor=current_user, object_ids=ids, reason=form.reason.data or "",
                authorised_by=form.authorised_by.data or "",
                authorised_on=form.authorised_on.data,
                disposal_method=form.disposal_method.data,
                recipient_id=_party_id(form.recipient.data, "recipient"),
                disposal_date=form.disposal_date.data, note=form.note.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Deaccession {record.number} recorded. The object records are kept.",
                  "success")
            return redirect(url_for("procedures.deaccession_detail", deaccession_id=record.id))
    if request.method == "POST":
        return render_invalid("procedures/deaccession_form.html", form=form, **_context())
    return render_template("procedures/deaccession_form.html", form=form, **_context())


@bp.route("/deaccessions/<int:deaccession_id>")
@require("objects.view")
def deaccession_detail(deaccession_id: int) -> Any:
    from catalog.core.audit import history

    record = services.get_procedure(db.session, Deaccession, deaccession_id)
    changes = db.session.scalars(history("deaccessions", record.id)).all()
    return render_template("procedures/deaccession_detail.html", record=record, changes=changes,
                           **_context())


# --- corrections

@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@require("objects.edit")
def edit_entry(entry_id: int) -> Any:
    entry = services.get_procedure(db.session, ObjectEntry, entry_id)
    form = EntryForm(obj=entry)
    del form.objects
    if request.method == "GET":
        form.depositor.data = entry.depositor.name if entry.depositor else ""
    if form.validate_on_submit():
        try:
            services.update_entry(
                db.session, entry, actor=current_user,
                depositor_id=_party_id(form.depositor.data, "depositor"),
                reason=form.reason.data, entry_date=form.entry_date.data,
                return_date=form.return_date.data, note=form.note.data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Object entry {entry.number} saved.", "success")
            return redirect(url_for("procedures.entry_detail", entry_id=entry.id))
    context = _context(form=form, entry=entry)
    if request.method == "POST":
        return render_invalid("procedures/entry_form.html", **context)
    return render_template("procedures/entry_form.html", **context)


@bp.route("/acquisitions/<int:acquisition_id>/edit", methods=["GET", "POST"])
@require("objects.edit")
def edit_acquisition(acquisition_id: int) -> Any:
    acquisition = services.get_procedure(db.session, Acquisition, acquisition_id)
    may_price = current_user.can("valuations.view")
    form = AcquisitionForm(obj=acquisition)
    del form.objects, form.lot
    if not may_price:
        del form.price, form.price_currency
    if request.method == "GET":
        form.source.data = acquisition.source.name if acquisition.source else ""
        if may_price and acquisition.price_minor is not None:
            form.price.data = str(Money(acquisition.price_minor,
                                        acquisition.price_currency or "GBP").amount)
            form.price_currency.data = acquisition.price_currency
    if form.validate_on_submit():
        try:
            services.update_acquisition(
                db.session, acquisition, actor=current_user, method=form.method.data,
                acquisition_date=form.acquisition_date.data,
                source_id=_party_id(form.source.data, "source"), funding=form.funding.data,
                credit_line=form.credit_line.data,
                title_transferred_on=form.title_transferred_on.data,
                authoriser=form.authoriser.data, authorised_on=form.authorised_on.data,
                note=form.note.data)
            if may_price:
                price = None
                if (form.price.data or "").strip():
                    try:
                        price = Money.parse(form.price.data, form.price_currency.data)
                    except MoneyError as exc:
                        raise ValidationError(str(exc), field="price") from exc
                services.set_acquisition_price(
                    acquisition, actor=current_user, price_minor=price.minor if price else None,
                    price_currency=price.currency if price else None)
                db.session.flush()
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Acquisition {acquisition.number} saved.", "success")
            return redirect(url_for("procedures.acquisition_detail",
                                    acquisition_id=acquisition.id))
    context = _context(form=form, acquisition=acquisition)
    if request.method == "POST":
        return render_invalid("procedures/acquisition_form.html", **context)
    return render_template("procedures/acquisition_form.html", **context)
