"""Label printing pages: choose records, stock, start position and copies; download the PDF."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, render_template, request

from catalog.core.errors import ValidationError
from catalog.core.forms import show_domain_error
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.labels import bp, services
from catalog.labels.forms import LabelForm
from catalog.labels.layouts import LAYOUTS, get_layout


def _split(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\n,;\t]+", text or "") if part.strip()]


def _parse_ids(text: str | None) -> list[int]:
    ids = []
    for part in _split(text):
        if not part.strip().isdigit():
            raise ValidationError(f"{part!r} is not a record id.", field="ids")
        ids.append(int(part))
    return ids


def _selected_objects() -> list[Any]:
    """The objects in the user's search selection (the search domain keeps it), by number."""
    import sqlalchemy as sa
    from flask_login import current_user

    from catalog.objects.models import CatalogueObject
    from catalog.search.services import selection_ids

    return list(db.session.scalars(sa.select(CatalogueObject)
                                   .where(CatalogueObject.id.in_(selection_ids(current_user)))
                                   .order_by(CatalogueObject.sort_key)
                                   .limit(services.MAX_LABELS + 1)))


@bp.route("/")
@require("labels.print")
def index() -> Any:
    """The options page; "Download PDF" submits it to :func:`pdf`.

    Other pages link here with ``?kind=objects&ids=1,2,3`` (chosen records), ``?selection=1``
    (the user's search selection) or ``?q=…`` (a search).
    """
    form = LabelForm(request.args)
    layout = LAYOUTS.get(form.layout.data or "") or get_layout("L7160")
    selection = len(_selected_objects()) if request.args.get("selection") else None
    return render_template("labels/index.html", form=form, layout=layout, selection=selection)


@bp.route("/labels.pdf")
@require("labels.print")
def pdf() -> Any:
    form = LabelForm(request.args)
    if not form.validate():
        layout = LAYOUTS.get(form.layout.data or "") or get_layout("L7160")
        return render_template("labels/index.html", form=form, layout=layout,
                               selection=None), 422
    kind = form.kind.data or "objects"
    try:
        if request.args.get("selection") and kind == "objects":
            records = _selected_objects()
        elif form.ids.data:
            records = services.records_by_ids(db.session, kind, _parse_ids(form.ids.data))
        elif form.identifiers.data and form.identifiers.data.strip():
            records = services.records_by_identifiers(db.session, kind,
                                                      _split(form.identifiers.data))
        elif form.q.data:
            records = services.search_records(db.session, kind, form.q.data)
        else:
            records = []
        content = services.labels_pdf(kind=kind, records=records,
                                      layout_name=form.layout.data or "L7160",
                                      start=form.start.data or 1, copies=form.copies.data or 1,
                                      base_url=current_app.config["PUBLIC_BASE_URL"])
    except ValidationError as exc:
        show_domain_error(form, exc)
        layout = LAYOUTS.get(form.layout.data or "") or get_layout("L7160")
        return render_template("labels/index.html", form=form, layout=layout,
                               selection=None), 422
    filename = f"labels-{kind}-{form.layout.data}.pdf"
    return current_app.response_class(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
