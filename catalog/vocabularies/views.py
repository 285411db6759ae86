"""Vocabulary pages: every vocabulary with its terms; admins add, edit and retire terms."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.errors import DomainError
from catalog.core.forms import render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.vocabularies import bp, services
from catalog.vocabularies.forms import TermForm
from catalog.vocabularies.models import VOCABULARIES, VocabularyTerm


@bp.route("/")
@require("objects.view")
def index() -> Any:
    counts = dict(db.session.execute(
        sa.select(VocabularyTerm.vocabulary, sa.func.count()).group_by(VocabularyTerm.vocabulary)
    ).all())
    return render_template("vocabularies/index.html", vocabularies=VOCABULARIES, counts=counts)


@bp.route("/<vocabulary>", methods=["GET", "POST"])
@require("objects.view")
def terms(vocabulary: str) -> Any:
    if vocabulary not in VOCABULARIES:
        abort(404)
    form = TermForm()
    if request.method == "POST":
        if not current_user.can("vocabularies.edit"):
            abort(403)
        if form.validate_on_submit():
            try:
                term = services.add_term(db.session, actor=current_user, vocabulary=vocabulary,
                                         term=form.term.data or "",
                                         external_uri=form.external_uri.data,
                                         scope_note=form.scope_note.data)
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                flash(f"“{term.term}” added.", "success")
                return redirect(url_for("vocabularies.terms", vocabulary=vocabulary))
    rows = db.session.scalars(sa.select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary).order_by(VocabularyTerm.term_key)).all()
    context = {"vocabulary": vocabulary, "label": VOCABULARIES[vocabulary], "terms": rows,
               "form": form}
    if request.method == "POST":
        return render_invalid("vocabularies/terms.html", **context)
    return render_template("vocabularies/terms.html", **context)


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
@require("vocabularies.edit")
def edit(term_id: int) -> Any:
    record = services.get_term(db.session, term_id)
    form = TermForm(obj=record)
    if form.validate_on_submit():
        try:
            services.update_term(db.session, record, actor=current_user,
                                 term=form.term.data or "", external_uri=form.external_uri.data,
                                 scope_note=form.scope_note.data,
                                 is_active=bool(form.is_active.data))
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"“{record.term}” saved.", "success")
            return redirect(url_for("vocabularies.terms", vocabulary=record.vocabulary))
    if request.method == "POST":
        return render_invalid("vocabularies/edit.html", form=form, record=record,
                              label=VOCABULARIES[record.vocabulary])
    return render_template("vocabularies/edit.html", form=form, record=record,
                           label=VOCABULARIES[record.vocabulary])
