"""``/api/v1/payments``: payments received, recorded through the finance service.

Without ``allocations`` a payment is allocated to the party's open invoices oldest first; with
them, exactly as given (refused whole if an amount exceeds what is open). What is not allocated is
kept as the party's unapplied cash. A payment is never edited (the ledger is append-only), so
there is no PATCH; ``POST /payments/<id>/reversal`` undoes one by a reversal entry.
"""

from __future__ import annotations

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
from catalog.api.records.invoices import BUSINESS_DATES
from catalog.api.resources import Resource, crud, get_or_404
from catalog.core.errors import ValidationError
from catalog.core.permissions import require
from catalog.extensions import db
from catalog.finance import services
from catalog.finance.models.payments import PAYMENT_METHODS, Payment
from catalog.parties.models import Party

blp = Blueprint("payments_api", __name__, description="Payments received and their allocation.")

_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as GBP.")


class AllocationSchema(f.ApiSchema):
    invoice_id = f.Int(required=True, minimum=1)
    amount_minor = f.Int(required=True, minimum=1, maximum=f.INT64_MAX)
    currency = f.Str(dump_only=True)
    allocated_on = ma.fields.Date(dump_only=True)


class PaymentSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    party_id = f.Int(required=True, minimum=1, metadata={"description": "the party who paid"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    amount_minor = f.Int(required=True, minimum=1, maximum=f.INT64_MAX,
                         metadata={"description": "in minor units (cents)"})
    currency = f.Str(required=True, validate=[_CURRENCY])
    received_on = ma.fields.Date(required=True, validate=[BUSINESS_DATES])
    method = f.Str(required=True, validate=[f.one_of(PAYMENT_METHODS)])
    reference = f.Str(max_length=200, allow_none=True)
    allocations = ma.fields.List(ma.fields.Nested(AllocationSchema),
                                 validate=validate.Length(max=500), metadata={
        "description": "on create: explicit allocations; omit to allocate oldest first"})
    unapplied_minor = f.Int(dump_only=True, minimum=f.INT64_MIN, maximum=f.INT64_MAX,
                            metadata={"description": "the part of this payment not allocated "
                                                     "to an invoice when it was recorded"})
    recorded_at = ma.fields.AwareDateTime(dump_only=True)
    is_reversed = ma.fields.Boolean(dump_only=True, metadata={
        "description": "reversed (bounced, recorded in error): its allocations no longer count"})
    reversal_reason = f.Str(dump_only=True, allow_none=True)

    @ma.post_dump(pass_original=True)
    def unapplied(self, data: dict[str, Any], original: Payment, **kwargs: Any) -> dict[str, Any]:
        data["unapplied_minor"] = original.amount_minor - sum(
            a.amount_minor for a in original.allocations)
        return data


class PaymentFilters(ListArgs):
    party_id = f.QueryInt(minimum=1)
    currency = f.Str(validate=[_CURRENCY])
    method = f.Str(validate=[f.one_of(PAYMENT_METHODS)])
    received_since = ma.fields.Date(metadata={"description": "received on or after"})
    received_before = ma.fields.Date(metadata={"description": "received on or before"})


def record_payment(session: Any, data: dict[str, Any], user: Any) -> Payment:
    """Through the finance service: allocation, ledger posting and unapplied cash as in the UI."""
    party = session.get(Party, data["party_id"])
    if party is None:
        raise ValidationError(f"There is no party with the id {data['party_id']}.",
                              field="party_id")
    allocations: dict[int, int] | None = None
    if data.get("allocations") is not None:
        allocations = {}
        for item in data["allocations"]:  # the same invoice twice: the sum
            allocations[item["invoice_id"]] = (allocations.get(item["invoice_id"], 0)
                                               + item["amount_minor"])
    return services.record_payment(
        session, party=party, amount_minor=data["amount_minor"], currency=data["currency"],
        received_on=data["received_on"], method=data["method"],
        reference=data.get("reference"), actor=user, allocations=allocations)


RESOURCE = Resource(
    model=Payment, schema=PaymentSchema, filters=PaymentFilters, noun="payment",
    view="finance.view", edit="finance.edit", create=record_payment, updatable=False,
    options=[selectinload(Payment.allocations)],
    filter_clauses={"received_since": lambda v: Payment.received_on >= v,
                    "received_before": lambda v: Payment.received_on <= v},
)  # fmt: skip
crud(blp, RESOURCE)


class ReversalSchema(f.ApiSchema):
    reason = f.Str(required=True, min_length=1, max_length=300,
                   metadata={"description": "why: a bounced cheque, recorded in error"})
    on = ma.fields.Date(allow_none=True, validate=[BUSINESS_DATES],
                        metadata={"description": "date of the reversal entry; default: today"})


@blp.route("/<int:record_id>/reversal", endpoint="reversal")
class Reversal(MethodView):
    @require("finance.edit")
    @blp.arguments(ReversalSchema)
    @blp.response(200, PaymentSchema)
    @blp.alt_response(401, schema=ApiErrorSchema, description="No valid bearer token.")
    @blp.alt_response(403, schema=ApiErrorSchema, description="The user lacks finance.edit.")
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such payment.")
    @blp.alt_response(409, schema=ApiErrorSchema, description=(
        "Already reversed, or its unapplied cash has been used since; the message says which."))
    def post(self, data: dict[str, Any], record_id: int) -> Any:
        """Reverse a payment: the invoices it paid are open again"""
        payment = get_or_404(RESOURCE, record_id)
        return services.reverse_payment(db.session, payment, reason=data["reason"],
                                        actor=current_user._get_current_object(),
                                        on=data.get("on"))
