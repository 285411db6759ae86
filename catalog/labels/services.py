"""Label printing: find the records, make the label texts and QR payloads, render the PDF."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import ValidationError
from catalog.labels.layouts import get_layout
from catalog.labels.render import LabelItem, render_labels
from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject
from catalog.scanning import codes

KINDS = ("objects", "locations")

#: most labels one request may ask for (a 1,000-label run takes about a second)
MAX_LABELS = 5000


def object_label(obj: CatalogueObject, base_url: str) -> LabelItem:
    code = codes.object_code(obj.id)
    title = obj.title or obj.object_name or ""
    return LabelItem(number=obj.object_number, title=title,
                     payload=codes.payload(base_url, code), code=code)


def location_label(location: Location, base_url: str) -> LabelItem:
    code = codes.location_code(location.id)
    return LabelItem(number=location.code, title=location.name,
                     payload=codes.payload(base_url, code), code=code)


def records_by_ids(session: Session, kind: str, ids: Sequence[int]) -> list[Any]:
    """The records with ``ids``, in the order given (a selection keeps its order)."""
    model = _model(kind)
    found = {r.id: r for r in session.scalars(sa.select(model).where(model.id.in_(list(ids))))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"No {kind} with the id(s) {', '.join(map(str, missing[:10]))}.",
                              field="ids")
    return [found[i] for i in ids]


def records_by_identifiers(session: Session, kind: str, identifiers: Iterable[str]) -> list[Any]:
    """Records named by scan codes, object numbers / location codes or legacy barcodes.

    Raises:
        ValidationError: naming every identifier that matched nothing (or a record of the
            other kind).
    """
    from catalog.core.errors import NotFoundError
    from catalog.scanning.services import resolve_code

    wanted = "object" if kind == "objects" else "location"
    records: list[Any] = []
    unknown: list[str] = []
    for given in identifiers:
        identifier = given.strip()
        if not identifier:
            continue
        try:
            resolved = resolve_code(session, identifier)
        except NotFoundError:
            unknown.append(identifier)
            continue
        if resolved.kind != wanted:
            unknown.append(identifier)
            continue
        records.append(resolved.record)
    if unknown:
        raise ValidationError(f"Not found among the {kind}: {', '.join(unknown[:20])}"
                              f"{' …' if len(unknown) > 20 else ''}.", field="identifiers")
    return records


def all_records(session: Session, kind: str) -> list[Any]:
    if kind == "objects":
        return list(session.scalars(sa.select(CatalogueObject).order_by(CatalogueObject.sort_key)))
    return list(session.scalars(sa.select(Location).where(Location.is_active.is_(True))
                                .order_by(Location.code)))


def search_records(session: Session, kind: str, query: str, *, limit: int = MAX_LABELS
                   ) -> list[Any]:
    """Records whose number/code or title/name contains ``query`` (a search result to print)."""
    pattern = f"%{query.strip().lower()}%"
    if kind == "objects":
        statement = sa.select(CatalogueObject).where(sa.or_(
            sa.func.lower(CatalogueObject.object_number).like(pattern),
            sa.func.lower(CatalogueObject.title).like(pattern),
            sa.func.lower(CatalogueObject.object_name).like(pattern),
        )).order_by(CatalogueObject.sort_key)
    else:
        statement = sa.select(Location).where(sa.or_(
            sa.func.lower(Location.code).like(pattern), sa.func.lower(Location.name).like(pattern),
        )).order_by(Location.code)
    return list(session.scalars(statement.limit(limit)))


def labels_pdf(*, kind: str, records: Sequence[Any], layout_name: str, start: int = 1,
               copies: int = 1, base_url: str) -> bytes:
    """The PDF of labels for ``records`` (objects or locations).

    Raises:
        ValidationError: no records, too many labels, an unknown layout or a bad start/copies.
    """
    if kind not in KINDS:
        raise ValidationError("Labels are printed for objects or locations.", field="kind")
    if not records:
        raise ValidationError("Choose at least one record to print a label for.",
                              field="identifiers")
    if len(records) * max(copies, 1) > MAX_LABELS:
        raise ValidationError(f"At most {MAX_LABELS} labels at a time; print in parts.",
                              field="copies")
    try:
        layout = get_layout(layout_name)
    except ValueError as exc:
        raise ValidationError(str(exc), field="layout") from exc
    make = object_label if kind == "objects" else location_label
    try:
        return render_labels((make(r, base_url) for r in records), layout, start=start,
                             copies=copies)
    except ValueError as exc:
        raise ValidationError(str(exc), field="start") from exc


def _model(kind: str) -> Any:
    if kind == "objects":
        return CatalogueObject
    if kind == "locations":
        return Location
    raise ValidationError("Labels are printed for objects or locations.", field="kind")
