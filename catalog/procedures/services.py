"""Use cases for object entry, acquisition & accessioning, deaccession & disposal.

Each procedure record takes its own number from a number scheme and links the objects it concerns.
Objects are never deleted: a deaccessioned object keeps its record with the status changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from catalog.core.audit import reason as audit_reason
from catalog.core.errors import NotFoundError, PermissionDenied, ValidationError
from catalog.core.permissions import check, has_permission
from catalog.objects import services as object_services
from catalog.objects.models import CatalogueObject
from catalog.objects.numbers import allocate_number, natural_sort_key, normalise_number
from catalog.parties.models import Party, PartyRole
from catalog.procedures.models import (
    ACQUISITION_METHODS,
    DISPOSAL_METHODS,
    ENTRY_REASONS,
    Acquisition,
    Deaccession,
    ObjectEntry,
    acquisition_objects,
    deaccession_objects,
    object_entry_objects,
)

CURRENCIES = ("GBP", "EUR", "USD", "CHF", "JPY", "AUD", "CAD")


@dataclass(frozen=True)
class ReceivedObject:
    """One object as written on the entry form."""

    brief_description: str
    object_name: str | None = None
    number_of_objects: int = 1
    title: str | None = None


def _party(session: Session, party_id: int | None, field: str) -> Party | None:
    if party_id is None:
        return None
    party = session.get(Party, party_id)
    if party is None:
        raise ValidationError("That person or organisation does not exist.", field=field)
    while party.merged_into_id is not None:
        party = session.get(Party, party.merged_into_id)  # type: ignore[assignment]
    return party


def _give_role(party: Party | None, role: str) -> None:
    if party is not None and role not in party.role_codes:
        party.roles.append(PartyRole(role=role))


def _objects(session: Session, object_ids: Sequence[int]) -> list[CatalogueObject]:
    ids = list(dict.fromkeys(object_ids))
    if not ids:
        raise ValidationError("Choose at least one object.", field="objects")
    found = session.scalars(sa.select(CatalogueObject).where(CatalogueObject.id.in_(ids))
                            .order_by(CatalogueObject.sort_key)).all()
    if len(found) != len(ids):
        raise ValidationError("Some of the chosen objects do not exist.", field="objects")
    return list(found)


# --- object entry --------------------------------------------------------------------------

def create_entry(session: Session, *, actor: Any, depositor_id: int | None, reason: str,
                 entry_date: date, return_date: date | None = None, note: str | None = None,
                 objects: Sequence[ReceivedObject] = ()) -> ObjectEntry:
    """Record objects received; each gets a record numbered ``<entry number>.<n>``, status entry.

    Raises:
        ValidationError: no objects, an unknown reason, a return date before the entry date.
    """
    check(actor, "objects.edit")
    if reason not in ENTRY_REASONS:
        raise ValidationError("Choose why the objects came in.", field="reason")
    if return_date is not None and return_date < entry_date:
        raise ValidationError("The return date is before the entry date.", field="return_date")
    received = [o for o in objects if (o.brief_description or "").strip()]
    if not received:
        raise ValidationError("Describe at least one object received.", field="objects")
    depositor = _party(session, depositor_id, "depositor_id")
    _give_role(depositor, "depositor")
    number = allocate_number(session, "entry", on=entry_date, taken=ObjectEntry.number_key)
    entry = ObjectEntry(number=number, number_key=normalise_number(number), depositor=depositor,
                        reason=reason, entry_date=entry_date, return_date=return_date,
                        note=(note or "").strip() or None,
                        received_by_id=getattr(actor, "id", None))
    session.add(entry)
    with audit_reason(f"object entry {number}"):
        for index, item in enumerate(received, start=1):
            obj = object_services.create_object(
                session, actor=actor, object_number=f"{number}.{index}", status="entry",
                brief_description=item.brief_description, object_name=item.object_name,
                number_of_objects=item.number_of_objects or 1, title=item.title)
            entry.objects.append(obj)
        session.flush()
    return entry


def entry_receipt_pdf(entry: ObjectEntry, *, museum_name: str, show_personal: bool) -> bytes:
    """A one-page (or longer) A4 receipt for the depositor, with signature lines."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Object entry receipt {entry.number}")
    pdf.setAuthor(museum_name)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 25 * mm

    def line(text: str, *, size: float = 10, bold: bool = False, gap: float = 5.5) -> None:
        nonlocal y
        if y < 30 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        pdf.drawString(left, y, text[:110])
        y -= gap * mm

    line(museum_name, size=14, bold=True, gap=8)
    line(f"Object entry receipt {entry.number}", size=16, bold=True, gap=10)
    line(f"Date of entry: {entry.entry_date:%d %B %Y}")
    line(f"Reason: {ENTRY_REASONS.get(entry.reason, entry.reason)}")
    if entry.return_date:
        line(f"To be returned or decided by: {entry.return_date:%d %B %Y}")
    if entry.depositor:
        line(f"Depositor: {entry.depositor.name}")
        if show_personal and entry.depositor.address:
            for address_line in entry.depositor.address.splitlines():
                line(f"    {address_line}")
    y -= 4 * mm
    line("Objects received", size=12, bold=True, gap=7)
    for obj in entry.objects:
        count = f" ({obj.number_of_objects} items)" if obj.number_of_objects > 1 else ""
        line(f"{obj.object_number}  {obj.object_name or ''}{count}", bold=True, gap=5)
        line(f"    {obj.brief_description or ''}", gap=6.5)
    y -= 6 * mm
    line("The museum has received the objects above. They remain the depositor's property",
         size=9, gap=4.5)
    line("unless and until title is transferred in writing.", size=9, gap=14)
    pdf.setLineWidth(0.5)
    for label, x in (("For the museum", left), ("Depositor", width / 2 + 5 * mm)):
        pdf.line(x, y, x + 70 * mm, y)
        pdf.setFont("Helvetica", 9)
        pdf.drawString(x, y - 5 * mm, label)
    pdf.setFont("Helvetica", 8)
    pdf.drawRightString(right, 12 * mm, f"{entry.number}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# --- acquisition & accessioning --------------------------------------------------------------

def create_acquisition(
    session: Session, *, actor: Any, method: str, acquisition_date: date,
    object_ids: Sequence[int], source_id: int | None = None, funding: str | None = None,
    price_minor: int | None = None, price_currency: str | None = None,
    credit_line: str | None = None, title_transferred_on: date | None = None,
    authoriser: str | None = None, authorised_on: date | None = None, note: str | None = None,
    scheme: str = "accession", lot: int | None = None,
) -> Acquisition:
    """Acquire and accession objects: entry objects get accession numbers (one lot together),
    their entry number is kept as an other number, and their status becomes accessioned.

    Raises:
        PermissionDenied: a price given by someone who may not see prices.
        ValidationError: an unknown method, an object already accessioned or deaccessioned, an
            object missing its inventory minimum (name, brief description).
    """
    check(actor, "objects.edit")
    if method not in ACQUISITION_METHODS:
        raise ValidationError("Choose how the objects were acquired.", field="method")
    if price_minor is not None:
        if not has_permission(actor, "valuations.view"):
            raise PermissionDenied("You may not record prices.")
        if price_minor < 0:
            raise ValidationError("A price cannot be negative.", field="price")
        if price_currency not in CURRENCIES:
            raise ValidationError("Choose the currency of the price.", field="price_currency")
    else:
        price_currency = None
    objects = _objects(session, object_ids)
    for obj in objects:
        if obj.status not in ("entry", "loan_in"):
            raise ValidationError(f"{obj.object_number} is {obj.status}; only objects in entry "
                                  "can be acquired.", field="objects")
    source = _party(session, source_id, "source_id")
    _give_role(source, "vendor" if method == "purchase" else "donor")
    number = allocate_number(session, "acquisition", on=acquisition_date,
                             taken=Acquisition.number_key)
    acquisition = Acquisition(
        number=number, number_key=normalise_number(number), method=method,
        acquisition_date=acquisition_date, source=source, funding=(funding or "").strip() or None,
        price_minor=price_minor, price_currency=price_currency,
        credit_line=(credit_line or "").strip() or None,
        title_transferred_on=title_transferred_on, authoriser=(authoriser or "").strip() or None,
        authorised_on=authorised_on, note=(note or "").strip() or None)
    session.add(acquisition)
    with audit_reason(f"accessioned by acquisition {number}"):
        for obj in objects:
            new_number = allocate_number(session, scheme, on=acquisition_date, lot=lot,
                                         taken=CatalogueObject.number_key)
            if lot is None:  # the acquisition's objects share the lot the first one opened
                lot = _lot_of(session, scheme, new_number)
            object_services.add_other_number(obj, number=obj.object_number, kind="entry",
                                             note=f"before accession {new_number}")
            obj.object_number = new_number
            obj.number_key = normalise_number(new_number)
            obj.sort_key = natural_sort_key(new_number)
            if acquisition.credit_line and not obj.credit_line:
                obj.credit_line = acquisition.credit_line
            try:
                object_services.set_status(session, obj, status="accessioned")
            except ValidationError as exc:
                raise ValidationError(f"{obj.other_numbers[-1].number}: {exc.message}",
                                      field="objects") from exc
            acquisition.objects.append(obj)
        session.flush()
    return acquisition


def _lot_of(session: Session, scheme: str, number: str) -> int | None:
    """The lot an allocated number belongs to, so the acquisition's objects share it."""
    import re

    from catalog.objects.numbers import get_scheme

    pattern = get_scheme(session, scheme).pattern
    if "{lot}" not in pattern:
        return None
    regex = re.escape(pattern)
    for name in ("year", "item", "n"):
        regex = re.sub(r"\\\{" + name + r"(?::\d+)?\\\}", r"\\d+", regex)
    regex = regex.replace(r"\{lot\}", r"(\d+)")
    match = re.fullmatch(regex, number)
    return int(match.group(1)) if match else None


# --- deaccession & disposal ------------------------------------------------------------------

def create_deaccession(
    session: Session, *, actor: Any, object_ids: Sequence[int], reason: str, authorised_by: str,
    authorised_on: date, disposal_method: str, recipient_id: int | None = None,
    disposal_date: date | None = None, note: str | None = None,
) -> Deaccession:
    """Deaccession objects: their status becomes deaccessioned; the records stay for ever.

    Raises:
        PermissionDenied: the actor may not deaccession (checked here, not only in the view).
        ValidationError: missing reason or authorisation, an object already deaccessioned.
    """
    check(actor, "objects.deaccession")
    if not (reason or "").strip():
        raise ValidationError("Give the reason for deaccessioning.", field="reason")
    if not (authorised_by or "").strip():
        raise ValidationError("Say who authorised the deaccession.", field="authorised_by")
    if disposal_method not in DISPOSAL_METHODS:
        raise ValidationError("Choose the disposal method.", field="disposal_method")
    if disposal_date is not None and disposal_date < authorised_on:
        raise ValidationError("Disposal cannot come before the authorisation.",
                              field="disposal_date")
    objects = _objects(session, object_ids)
    for obj in objects:
        if obj.status != "accessioned":
            raise ValidationError(f"{obj.object_number} is not an accessioned object.",
                                  field="objects")
    recipient = _party(session, recipient_id, "recipient_id")
    number = allocate_number(session, "deaccession", on=authorised_on,
                             taken=Deaccession.number_key)
    record = Deaccession(number=number, number_key=normalise_number(number),
                         reason=reason.strip(), authorised_by=authorised_by.strip(),
                         authorised_on=authorised_on, disposal_method=disposal_method,
                         recipient=recipient, disposal_date=disposal_date,
                         note=(note or "").strip() or None)
    session.add(record)
    with audit_reason(f"deaccessioned by {number}: {reason.strip()[:200]}"):
        for obj in objects:
            obj.status = "deaccessioned"
            record.objects.append(obj)
        session.flush()
    return record


# --- reading ---------------------------------------------------------------------------------

def get_procedure(session: Session, model: type[Any], record_id: int) -> Any:
    record = session.get(model, record_id)
    if record is None:
        raise NotFoundError("There is no such record.")
    return record


def procedures_for_object(session: Session, object_id: int,
                          user: Any = None) -> list[dict[str, Any]]:
    """Every procedure the object is in, oldest first (one query per procedure kind); with
    ``user``, also those other domains keep (loans, condition checks, movements …) that the user
    may see."""
    entries = session.scalars(sa.select(ObjectEntry).join(object_entry_objects).where(
        object_entry_objects.c.object_id == object_id)).all()
    found: list[dict[str, Any]] = [
        {"kind": "Object entry", "number": entry.number, "date": entry.entry_date,
         "summary": ENTRY_REASONS.get(entry.reason, entry.reason),
         "url": url_for("procedures.entry_detail", entry_id=entry.id)} for entry in entries]
    acquisitions = session.scalars(sa.select(Acquisition).join(acquisition_objects).where(
        acquisition_objects.c.object_id == object_id)).all()
    found += [
        {"kind": "Acquisition", "number": acq.number, "date": acq.acquisition_date,
         "summary": ACQUISITION_METHODS.get(acq.method, acq.method),
         "url": url_for("procedures.acquisition_detail", acquisition_id=acq.id)}
        for acq in acquisitions]
    deaccessions = session.scalars(sa.select(Deaccession).join(deaccession_objects).where(
        deaccession_objects.c.object_id == object_id)).all()
    found += [
        {"kind": "Deaccession", "number": dea.number, "date": dea.authorised_on,
         "summary": DISPOSAL_METHODS.get(dea.disposal_method, dea.disposal_method),
         "url": url_for("procedures.deaccession_detail", deaccession_id=dea.id)}
        for dea in deaccessions]
    if user is not None:
        from catalog.procedures.links import other_procedures

        found += other_procedures(session, object_id, user)
    found.sort(key=lambda item: (item["date"] is None, item["date"] or date.min))
    return found


def update_entry(session: Session, entry: ObjectEntry, *, actor: Any, depositor_id: int | None,
                 reason: str, entry_date: date, return_date: date | None,
                 note: str | None) -> ObjectEntry:
    """Correct an entry record (its number and objects stay)."""
    check(actor, "objects.edit")
    if reason not in ENTRY_REASONS:
        raise ValidationError("Choose why the objects came in.", field="reason")
    if return_date is not None and return_date < entry_date:
        raise ValidationError("The return date is before the entry date.", field="return_date")
    depositor = _party(session, depositor_id, "depositor")
    _give_role(depositor, "depositor")
    entry.depositor = depositor
    entry.reason, entry.entry_date, entry.return_date = reason, entry_date, return_date
    entry.note = (note or "").strip() or None
    session.flush()
    return entry


def update_acquisition(session: Session, acquisition: Acquisition, *, actor: Any,
                       **fields: Any) -> Acquisition:
    """Complete or correct an acquisition (e.g. the transfer of title signed later).

    The price has its own service (:func:`set_acquisition_price`); the objects and their
    accession numbers do not change here.
    """
    check(actor, "objects.edit")
    allowed = {"method", "acquisition_date", "source_id", "funding", "credit_line",
               "title_transferred_on", "authoriser", "authorised_on", "note"}
    if unknown := set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if fields.get("method", acquisition.method) not in ACQUISITION_METHODS:
        raise ValidationError("Choose how the objects were acquired.", field="method")
    if "source_id" in fields:
        acquisition.source = _party(session, fields.pop("source_id"), "source")
    for key, value in fields.items():
        setattr(acquisition, key, (value.strip() or None) if isinstance(value, str) else value)
    session.flush()
    return acquisition


def set_acquisition_price(acquisition: Acquisition, *, actor: Any, price_minor: int | None,
                          price_currency: str | None) -> None:
    """Record or clear the price (needs valuations.view: prices are restricted)."""
    if not has_permission(actor, "valuations.view"):
        raise PermissionDenied("You may not record prices.")
    if price_minor is not None and (price_minor < 0 or price_currency not in CURRENCIES):
        raise ValidationError("Give a price of zero or more in a known currency.",
                              field="price")
    acquisition.price_minor = price_minor
    acquisition.price_currency = price_currency if price_minor is not None else None
