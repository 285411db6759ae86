"""People and organisations: list and search, record, create, edit, merge."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.audit import history
from catalog.core.errors import DomainError
from catalog.core.forms import render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.objects.models import CatalogueObject, ObjectMaker
from catalog.objects.numbers import CONTROL_CHARACTERS
from catalog.parties import bp, services
from catalog.parties.forms import MergeForm, PartyForm
from catalog.parties.models import PARTY_ROLES, Party
from catalog.procedures.models import Acquisition, Deaccession, ObjectEntry


def _form_fields(form: PartyForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in services.EDITABLE_FIELDS
            if getattr(form, name, None) is not None}


def _hide_personal(form: PartyForm) -> None:
    if not current_user.can("parties.personal"):
        for name in services.PERSONAL_FIELDS:
            delattr(form, name)


@bp.route("/")
@require("parties.view")
def index() -> Any:
    # NUL and other control characters cannot be searched for (PostgreSQL refuses them).
    text = CONTROL_CHARACTERS.sub("", request.args.get("q") or "").strip()[:300]
    role = request.args.get("role") or None
    page = max(request.args.get("page", 1, type=int), 1)
    size = current_app.config["PAGE_SIZE"]
    parties = services.search_parties(db.session, text=text or None,
                                      role=role if role in PARTY_ROLES else None,
                                      limit=size + 1, offset=(page - 1) * size)
    return render_template("parties/index.html", parties=parties[:size], q=text, role=role,
                           roles=PARTY_ROLES, page=page, has_next=len(parties) > size)


@bp.route("/new", methods=["GET", "POST"])
@require("parties.edit")
def create() -> Any:
    form = PartyForm()
    _hide_personal(form)
    if form.validate_on_submit():
        try:
            party = services.create_party(db.session, actor=current_user, roles=form.roles.data,
                                          **_form_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"{party.name} added.", "success")
            return redirect(url_for("parties.detail", party_id=party.id))
    if request.method == "POST":
        return render_invalid("parties/form.html", form=form, party=None)
    return render_template("parties/form.html", form=form, party=None)


@bp.route("/<int:party_id>/edit", methods=["GET", "POST"])
@require("parties.edit")
def edit(party_id: int) -> Any:
    party = services.get_party(db.session, party_id)
    form = PartyForm(obj=party)
    _hide_personal(form)
    if request.method == "GET":
        form.roles.data = sorted(party.role_codes)
    if form.validate_on_submit():
        try:
            services.update_party(db.session, party, actor=current_user, roles=form.roles.data,
                                  **_form_fields(form))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"{party.name} saved.", "success")
            return redirect(url_for("parties.detail", party_id=party.id))
    if request.method == "POST":
        return render_invalid("parties/form.html", form=form, party=party)
    return render_template("parties/form.html", form=form, party=party)


def _detail_context(party: Party) -> dict[str, Any]:
    made = db.session.execute(
        sa.select(CatalogueObject, ObjectMaker.role).join(ObjectMaker)
        .where(ObjectMaker.party_id == party.id).order_by(CatalogueObject.sort_key).limit(100)
    ).all()
    entries = db.session.scalars(sa.select(ObjectEntry).where(
        ObjectEntry.depositor_id == party.id).order_by(ObjectEntry.id.desc())).all()
    acquisitions = db.session.scalars(sa.select(Acquisition).where(
        Acquisition.source_id == party.id).order_by(Acquisition.id.desc())).all()
    deaccessions = db.session.scalars(sa.select(Deaccession).where(
        Deaccession.recipient_id == party.id).order_by(Deaccession.id.desc())).all()
    changes = db.session.scalars(history("parties", party.id).limit(100)).all()
    if not current_user.can("parties.personal"):
        changes = [_without_personal(row) for row in changes]
    merged = db.session.scalars(sa.select(Party).where(Party.merged_into_id == party.id)).all()
    candidates = []
    if current_user.can("parties.edit") and party.merged_into_id is None:
        candidates = db.session.scalars(
            sa.select(Party).where(Party.id != party.id, Party.merged_into_id.is_(None))
            .order_by(Party.sort_name).limit(2000)).all()
    form = MergeForm()
    form.duplicate_id.choices = {p.id: f"{p.name} ({p.dates or 'no dates'}, #{p.id})"
                                 for p in candidates}
    return {"party": party, "made": made, "entries": entries, "acquisitions": acquisitions,
            "deaccessions": deaccessions, "changes": changes, "merged": merged,
            "merge_form": form, "roles": PARTY_ROLES,
            "show_personal": current_user.can("parties.personal")}


def _without_personal(row: Any) -> Any:
    from types import SimpleNamespace

    hidden = {k: v for k, v in (row.changes or {}).items() if k not in services.PERSONAL_FIELDS}
    return SimpleNamespace(occurred_at=row.occurred_at, actor_label=row.actor_label,
                           record_type=row.record_type, record_id=row.record_id,
                           action=row.action, changes=hidden, reason=row.reason)


@bp.route("/<int:party_id>")
@require("parties.view")
def detail(party_id: int) -> Any:
    party = services.get_party(db.session, party_id)
    return render_template("parties/detail.html", **_detail_context(party))


@bp.route("/<int:party_id>/merge", methods=["POST"])
@require("parties.edit")
def merge(party_id: int) -> Any:
    party = services.get_party(db.session, party_id)
    context = _detail_context(party)
    form = context["merge_form"]
    if form.validate_on_submit():
        duplicate = services.get_party(db.session, form.duplicate_id.data)
        name = duplicate.name
        try:
            counts = services.merge_parties(db.session, actor=current_user, keep=party,
                                            duplicate=duplicate, why=form.reason.data or None)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            moved = sum(counts.values())
            flash(f"{name} merged into {party.name}; {moved} reference(s) now point here.",
                  "success")
            return redirect(url_for("parties.detail", party_id=party.id))
    return render_invalid("parties/detail.html", **context)
