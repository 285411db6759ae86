"""``/api/v1/invoices``: invoices with their lines and open balance (from the ledger).

A client starts a draft (``POST /invoices``, lines optional), adds lines
(``POST /invoices/<id>/lines``) or removes them (``DELETE /invoices/<id>/lines/<line_id>``) and
issues it (``POST /invoices/<id>/issue``), all through the finance services: numbering, totals,
credit hold and ledger posting are theirs. An issued invoice is never changed (a credit note
corrects it, in the finance pages), so there is no PATCH.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.errors import ApiErrorSchema
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud, get_or_404
from catalog.core.errors import ValidationError
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.finance import ledger, services
from catalog.finance.models.invoices import INVOICE_KINDS, INVOICE_STATUSES, Invoice
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party

blp = Blueprint("invoices_api", __name__, description="Invoices: drafts, lines, issuing.")

_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as GBP.")
# Business dates within reason: the services add payment terms to them.
BUSINESS_DATES = validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31),
                                error="A date between 1900 and 2999.")


def _quantity(value: Decimal) -> None:
    # A function, not validate.Range: the OpenAPI document would carry Decimal bounds as strings.
    if not Decimal("0.001") <= value < Decimal(1_000_000_000):
        raise ma.ValidationError("More than zero and less than a billion.")
    if value != value.quantize(Decimal("0.001")):
        raise ma.ValidationError("At most three decimals.")


class InvoiceLineSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    position = f.Int(dump_only=True)
    description = f.Str(required=True, min_length=1, max_length=500)
    quantity = ma.fields.Decimal(required=True, as_string=True, validate=[_quantity], metadata={
        "description": "more than 0, below a billion, up to three decimals: 1, \"2.5\""})
    unit_price_minor = f.Int(required=True, minimum=0, maximum=f.INT64_MAX,
                             metadata={"description": "net unit price in minor units"})
    tax_rate_bp = f.Int(load_default=0, minimum=0, maximum=10_000,
                        metadata={"description": "tax rate in basis points: 2000 = 20 %"})
    net_minor = f.Int(dump_only=True, minimum=f.INT64_MIN, maximum=f.INT64_MAX)
    tax_minor = f.Int(dump_only=True, minimum=f.INT64_MIN, maximum=f.INT64_MAX)
    object_id = f.Int(minimum=1, allow_none=True,
                      metadata={"description": "the object charged for, if any"})


class InvoiceRecordSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    kind = f.Str(required=True, validate=[f.one_of(INVOICE_KINDS)])
    number = f.Str(dump_only=True, allow_none=True,
                   metadata={"description": "null while draft; allocated when issued"})
    status = f.Str(dump_only=True, metadata={"description": ", ".join(INVOICE_STATUSES)})
    party_id = f.Int(required=True, minimum=1, metadata={"description": "the party billed"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    currency = f.Str(validate=[_CURRENCY],
                     metadata={"description": "default: the party's account currency"})
    issue_date = ma.fields.Date(dump_only=True, allow_none=True)
    due_date = ma.fields.Date(dump_only=True, allow_none=True)
    reference = f.Str(max_length=200, allow_none=True)
    notes = f.Str(max_length=20_000, allow_none=True)
    net_minor = f.Int(dump_only=True, minimum=f.INT64_MIN, maximum=f.INT64_MAX)
    tax_minor = f.Int(dump_only=True, minimum=f.INT64_MIN, maximum=f.INT64_MAX)
    total_minor = f.Int(dump_only=True, minimum=f.INT64_MIN, maximum=f.INT64_MAX)
    open_minor = f.Int(dump_only=True, allow_none=True, minimum=f.INT64_MIN,
                       maximum=f.INT64_MAX, metadata={
        "description": "still owed, from the ledger (payments, credit notes, write-offs "
                       "deducted); null while draft"})
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema), load_default=list,
                           validate=validate.Length(max=500),
                           metadata={"description": "on create: the draft's first lines"})
    issued_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)

    @ma.pre_dump(pass_collection=True)
    def with_open_balance(self, data: Any, many: bool, **kwargs: Any) -> Any:
        # One grouped ledger query for the whole page.
        invoices = list(data) if many else [data]
        issued = [i.id for i in invoices if i.status != "draft"]
        balances = ledger.invoice_balances(db.session, issued) if issued else {}
        views = [_WithBalance(i, None if i.status == "draft" else balances.get(i.id, 0))
                 for i in invoices]
        return views if many else views[0]


class _WithBalance:
    """An invoice as dumped: its attributes plus the open balance read from the ledger."""

    def __init__(self, invoice: Invoice, open_minor: int | None) -> None:
        self._invoice = invoice
        self.open_minor = open_minor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._invoice, name)


class InvoiceFilters(ListArgs):
    status = f.Str(validate=[f.one_of(INVOICE_STATUSES)])
    kind = f.Str(validate=[f.one_of(INVOICE_KINDS)])
    party_id = f.QueryInt(minimum=1)
    currency = f.Str(validate=[_CURRENCY])
    due_before = ma.fields.Date(metadata={"description": "due on or before this date"})


def _add_lines(session: Any, invoice: Invoice, lines: list[dict[str, Any]], user: Any,
               prefix: str = "lines.") -> None:
    for index, line in enumerate(lines):
        object_id = line.get("object_id")
        if object_id is not None and session.get(CatalogueObject, object_id) is None:
            raise ValidationError(f"There is no object with the id {object_id}.",
                                  field=f"{prefix}{index}.object_id" if prefix else "object_id")
        services.add_line(session, invoice, description=line["description"],
                          quantity=line["quantity"], unit_price_minor=line["unit_price_minor"],
                          tax_rate_bp=line.get("tax_rate_bp", 0), object_id=object_id,
                          actor=user)


def create_invoice(session: Any, data: dict[str, Any], user: Any) -> Invoice:
    """A draft through the finance service, with the lines given (if any)."""
    party = session.get(Party, data["party_id"])
    if party is None:
        raise ValidationError(f"There is no party with the id {data['party_id']}.",
                              field="party_id")
    invoice = services.create_invoice(
        session, party=party, kind=data["kind"], actor=user, currency=data.get("currency"),
        reference=data.get("reference"), notes=data.get("notes"))
    _add_lines(session, invoice, data.get("lines") or [], user)
    return invoice


RESOURCE = Resource(
    model=Invoice, schema=InvoiceRecordSchema, filters=InvoiceFilters, noun="invoice",
    view="finance.view", edit="finance.edit", create=create_invoice, updatable=False,
    options=[selectinload(Invoice.lines)],
    filter_clauses={"due_before": lambda v: Invoice.due_date <= v},
)
crud(blp, RESOURCE)

_ERRORS = {
    401: "No valid bearer token.",
    403: "The token's user lacks finance.edit.",
    404: "No such invoice.",
    409: "The invoice is already issued, has no lines, or its party is on credit hold; "
         "the message says which.",
}


def _document_errors(view: Any) -> Any:
    for code, description in _ERRORS.items():
        view = blp.alt_response(code, schema=ApiErrorSchema, description=description)(view)
    return view


class IssueSchema(f.ApiSchema):
    issue_date = ma.fields.Date(allow_none=True, validate=[BUSINESS_DATES],
                                metadata={"description": "default: today"})
    due_date = ma.fields.Date(allow_none=True, validate=[BUSINESS_DATES], metadata={
        "description": "default: issue date plus the party's payment terms"})


@blp.route("/<int:record_id>/lines", endpoint="lines")
class Lines(MethodView):
    @require("finance.edit")
    @blp.arguments(InvoiceLineSchema)
    @blp.response(201, InvoiceRecordSchema)
    @_document_errors
    def post(self, data: dict[str, Any], record_id: int) -> Any:
        """Add a line to a draft invoice"""
        invoice = get_or_404(RESOURCE, record_id)
        _add_lines(db.session, invoice, [data], current_user._get_current_object(),
                   prefix="")
        return invoice


@blp.route("/<int:record_id>/issue", endpoint="issue")
class Issue(MethodView):
    @require("finance.edit")
    @blp.arguments(IssueSchema)
    @blp.response(200, InvoiceRecordSchema)
    @_document_errors
    def post(self, data: dict[str, Any], record_id: int) -> Any:
        """Issue a draft invoice: number it and post it to the ledger"""
        invoice = get_or_404(RESOURCE, record_id)
        return services.issue_invoice(db.session, invoice, actor=current_user._get_current_object(),
                                      issue_date=data.get("issue_date"),
                                      due_date=data.get("due_date"))


@blp.route("/<int:record_id>/lines/<int:line_id>", endpoint="line")
class Line(MethodView):
    @require("finance.edit")
    @blp.response(200, InvoiceRecordSchema)
    @_document_errors
    def delete(self, record_id: int, line_id: int) -> Any:
        """Remove a line from a draft invoice"""
        invoice = get_or_404(RESOURCE, record_id)
        services.remove_line(db.session, invoice, line_id,
                             actor=current_user._get_current_object())
        return invoice
