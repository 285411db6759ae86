"""JSON API under ``/api/v1/finance``: invoices, balances as of a date, recording payments.

Amounts are integer minor units with their currency, as everywhere in Catalog.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from catalog.api.fields import INT64_MAX, ApiSchema, Int, QueryInt, Str
from catalog.core.permissions import check
from catalog.extensions import db
from catalog.finance import ledger, services
from catalog.finance.models import INVOICE_STATUSES, PAYMENT_METHODS, Invoice
from catalog.parties.models import Party

blp = Blueprint("finance_api", __name__, description="Invoices, balances and payments")


class LineSchema(Schema):
    description = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit_price_minor = fields.Integer()
    tax_rate_bp = fields.Integer(metadata={"description": "basis points: 2000 = 20 %"})
    net_minor = fields.Integer()
    tax_minor = fields.Integer()
    object_id = fields.Integer(allow_none=True)


class InvoiceSchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    kind = fields.String()
    status = fields.String()
    party_id = fields.Integer()
    currency = fields.String()
    issue_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    net_minor = fields.Integer()
    tax_minor = fields.Integer()
    total_minor = fields.Integer()
    open_minor = fields.Integer(allow_none=True, metadata={"description": "from the ledger"})
    source_type = fields.String(allow_none=True)
    source_id = fields.Integer(allow_none=True)
    reference = fields.String(allow_none=True)


class InvoiceDetailSchema(InvoiceSchema):
    lines = fields.List(fields.Nested(LineSchema))


class InvoiceQuerySchema(ApiSchema):
    party_id = QueryInt(load_default=None, minimum=1)
    status = Str(load_default=None, validate=[validate.OneOf(list(INVOICE_STATUSES))])
    limit = QueryInt(load_default=100, minimum=1, maximum=1000)


class BalanceQuerySchema(ApiSchema):
    as_of = fields.Date(load_default=None)


class CurrencyBalanceSchema(Schema):
    currency = fields.String()
    receivable_minor = fields.Integer()
    unapplied_minor = fields.Integer()


class BalanceSchema(Schema):
    party_id = fields.Integer()
    as_of = fields.Date()
    balances = fields.List(fields.Nested(CurrencyBalanceSchema))


class AllocationInSchema(ApiSchema):
    invoice_id = Int(required=True, minimum=1)
    amount_minor = Int(required=True, minimum=0, maximum=INT64_MAX)


class PaymentInSchema(ApiSchema):
    party_id = Int(required=True, minimum=1)
    amount_minor = Int(required=True, minimum=1, maximum=INT64_MAX)
    currency = Str(required=True, validate=[validate.Regexp(r"^[A-Za-z]{3}$")])
    received_on = fields.Date(required=True)
    method = Str(required=True, validate=[validate.OneOf(list(PAYMENT_METHODS))])
    reference = Str(load_default=None, allow_none=True, max_length=200)
    allocations = fields.List(fields.Nested(AllocationInSchema), load_default=None,
                              validate=validate.Length(max=500), metadata={
        "description": "omit to allocate oldest first; the rest is kept as unapplied cash"})


class AllocationOutSchema(Schema):
    invoice_id = fields.Integer()
    amount_minor = fields.Integer()


class PaymentOutSchema(Schema):
    id = fields.Integer()
    party_id = fields.Integer()
    amount_minor = fields.Integer()
    currency = fields.String()
    allocations = fields.List(fields.Nested(AllocationOutSchema))
    unapplied_minor = fields.Integer()


def _invoice_dict(invoice: Invoice, open_minor: int | None) -> dict[str, Any]:
    data = {key: getattr(invoice, key) for key in InvoiceSchema().fields if key != "open_minor"}
    data["open_minor"] = open_minor
    return data


@blp.route("/invoices")
class Invoices(MethodView):
    @blp.arguments(InvoiceQuerySchema, location="query")
    @blp.response(200, InvoiceSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Invoices, newest first, with their open amount from the ledger."""
        check(current_user, "finance.view")
        query = sa.select(Invoice).order_by(Invoice.id.desc()).limit(args["limit"])
        if args["party_id"]:
            query = query.where(Invoice.party_id == args["party_id"])
        if args["status"]:
            query = query.where(Invoice.status == args["status"])
        rows = db.session.scalars(query).all()
        opens = ledger.invoice_balances(db.session, [i.id for i in rows])
        return [_invoice_dict(i, None if i.is_draft else opens.get(i.id, 0)) for i in rows]


@blp.route("/invoices/<int:invoice_id>")
class InvoiceResource(MethodView):
    @blp.response(200, InvoiceDetailSchema)
    def get(self, invoice_id: int) -> dict[str, Any]:
        """One invoice with its lines."""
        check(current_user, "finance.view")
        invoice = db.session.get(Invoice, invoice_id) if 0 < invoice_id < 2**31 else None
        if invoice is None:
            abort(404, message=f"There is no invoice #{invoice_id}.")
        data = _invoice_dict(invoice, None if invoice.is_draft else
                             ledger.invoice_balance(db.session, invoice.id))
        data["lines"] = invoice.lines
        return data


@blp.route("/parties/<int:party_id>/balance")
class PartyBalance(MethodView):
    @blp.arguments(BalanceQuerySchema, location="query")
    @blp.response(200, BalanceSchema)
    def get(self, args: dict[str, Any], party_id: int) -> dict[str, Any]:
        """What the party owes and the unapplied cash it holds, per currency, as of a date."""
        check(current_user, "finance.view")
        party = db.session.get(Party, party_id) if 0 < party_id < 2**31 else None
        if party is None:
            abort(404, message=f"There is no party #{party_id}.")
        as_of = args["as_of"] or services.today()
        currencies = ledger.party_currencies(db.session, party.id)
        return {"party_id": party.id, "as_of": as_of, "balances": [
            {"currency": c,
             "receivable_minor": ledger.party_receivable(db.session, party.id, c, as_of=as_of),
             "unapplied_minor": ledger.party_unapplied(db.session, party.id, c, as_of=as_of)}
            for c in currencies]}


@blp.route("/payments")
class Payments(MethodView):
    @blp.arguments(PaymentInSchema)
    @blp.response(201, PaymentOutSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Record a payment; refused as a whole (422) on a wrong currency or over-allocation."""
        check(current_user, "finance.edit")
        party = db.session.get(Party, args["party_id"])
        if party is None:
            abort(404, message=f"There is no party #{args['party_id']}.")
        allocations = None
        if args["allocations"] is not None:
            allocations = {}
            for item in args["allocations"]:
                allocations[item["invoice_id"]] = (allocations.get(item["invoice_id"], 0)
                                                   + item["amount_minor"])
        payment = services.record_payment(
            db.session, party=party, amount_minor=args["amount_minor"],
            currency=args["currency"].upper(), received_on=args["received_on"],
            method=args["method"], reference=args["reference"], actor=current_user,
            allocations=allocations)
        allocated = [{"invoice_id": a.invoice_id, "amount_minor": a.amount_minor}
                     for a in payment.allocations]
        return {"id": payment.id, "party_id": party.id, "amount_minor": payment.amount_minor,
                "currency": payment.currency, "allocations": allocated,
                "unapplied_minor": payment.amount_minor - sum(a["amount_minor"]
                                                              for a in allocated)}
