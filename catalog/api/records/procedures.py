"""``/api/v1/invoices`` and ``/api/v1/payments`` (the paths the design names), with filters and
keyset pagination: draft invoices with lines and payments are created through the finance
service; issuing an invoice stays a deliberate step in the finance pages.

(Loans and condition reports have their own modules' resources: ``catalog/loans/api.py``,
``catalog/conditions/api.py``; the finance module also answers under ``/api/v1/finance``.)
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.core.errors import ValidationError
from catalog.finance.models.invoices import INVOICE_KINDS, INVOICE_STATUSES, Invoice
from catalog.finance.models.payments import PAYMENT_METHODS, Payment
from catalog.finance.services import add_line, create_invoice, record_payment
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party

invoices_blp = Blueprint("invoices_api", __name__, description="Invoices.")
payments_blp = Blueprint("payments_api", __name__, description="Payments received.")

Date = ma.fields.Date


# Invoices and payments --------------------------------------------------------------------------
BIG = {"minimum": -(2**63), "maximum": 2**63 - 1}


def _positive_quantity(value: Any) -> None:
    # The bounds keep quantity × price inside a 64-bit amount.
    if not value.is_finite() or value <= 0 or value >= 10**6:
        raise ma.ValidationError("A quantity is more than 0 and less than a million.")


class InvoiceLineRecordSchema(f.ApiSchema):
    position = f.Int(dump_only=True)
    description = f.Str(required=True, min_length=1, max_length=500)
    quantity = ma.fields.Decimal(required=True, as_string=True, places=3,
                                 validate=[_positive_quantity],
                                 metadata={"description": "exact decimal, e.g. \"2\" or \"1.5\""})
    unit_price_minor = f.Int(required=True, minimum=0, maximum=10**12)
    tax_rate_bp = f.Int(minimum=0, maximum=10_000, load_default=0,
                        metadata={"description": "tax rate in basis points"})
    net_minor = f.Int(dump_only=True, **BIG)
    tax_minor = f.Int(dump_only=True, **BIG)
    object_id = f.Int(allow_none=True, minimum=1)


class InvoiceRecordSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    kind = f.Str(required=True, validate=[f.one_of(INVOICE_KINDS)])
    number = f.Str(dump_only=True, allow_none=True, metadata={"description": "null while draft"})
    status = f.Str(dump_only=True)
    party = f.Int(required=True, minimum=1, attribute="party_id",
                  metadata={"description": "party id"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    currency = f.Str(min_length=3, max_length=3,
                     metadata={"description": "default: the party's account currency"})
    issue_date = Date(dump_only=True, allow_none=True)
    due_date = Date(dump_only=True, allow_none=True)
    reference = f.Str(allow_none=True, max_length=200)
    notes = f.Str(allow_none=True, max_length=20_000, load_only=True)
    net_minor = f.Int(dump_only=True, **BIG)
    tax_minor = f.Int(dump_only=True, **BIG)
    total_minor = f.Int(dump_only=True, **BIG)
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineRecordSchema), load_default=list)
    issued_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


def create_invoice_api(session: Any, data: dict[str, Any], user: Any) -> Invoice:
    """A draft invoice with its lines, through the finance service; issuing it (number, ledger)
    stays a deliberate step in the finance pages."""
    party = session.get(Party, data.pop("party_id"))
    if party is None:
        raise ValidationError("There is no party with that id.", field="party")
    lines = data.pop("lines", [])
    wanted = {line["object_id"] for line in lines if line.get("object_id")}
    if wanted and len(wanted) != session.scalar(
            sa.select(sa.func.count()).where(CatalogueObject.id.in_(wanted))):
        raise ValidationError("A line names an object that does not exist.", field="lines")
    invoice = create_invoice(session, party=party, kind=data.pop("kind"), actor=user,
                             currency=data.pop("currency", None), **data)
    for line in lines:
        add_line(session, invoice, actor=user, **line)
    return invoice


class InvoiceRecordFilters(ListArgs):
    status = f.Str(validate=[f.one_of(INVOICE_STATUSES)])
    kind = f.Str(validate=[f.one_of(INVOICE_KINDS)])
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})
    currency = f.Str(max_length=3)
    due_before = Date(metadata={"description": "due on or before"})


crud(invoices_blp, Resource(
    model=Invoice, schema=InvoiceRecordSchema, filters=InvoiceRecordFilters, noun="invoice",
    view="finance.view", edit="finance.edit", create=create_invoice_api, updatable=False,
    options=[selectinload(Invoice.lines)],
    filter_clauses={"party": lambda v: Invoice.party_id == v,
                    "due_before": lambda v: Invoice.due_date <= v},
))  # fmt: skip


class AllocationRecordSchema(f.ApiSchema):
    invoice_id = f.Int(dump_only=True)
    amount_minor = f.Int(dump_only=True, **BIG)
    currency = f.Str(dump_only=True)
    allocated_on = Date(dump_only=True)


class AllocationInputRecordSchema(f.ApiSchema):
    invoice_id = f.Int(required=True, minimum=1)
    amount_minor = f.Int(required=True, minimum=1, maximum=2**63 - 1)


class PaymentRecordSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    party = f.Int(required=True, minimum=1, attribute="party_id",
                  metadata={"description": "party id"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    currency = f.Str(required=True, min_length=3, max_length=3)
    amount_minor = f.Int(required=True, minimum=1, maximum=2**63 - 1,
                         metadata={"description": "in minor units (cents)"})
    received_on = Date(required=True)
    method = f.Str(required=True, validate=[f.one_of(PAYMENT_METHODS)])
    reference = f.Str(allow_none=True, max_length=200)
    recorded_at = ma.fields.AwareDateTime(dump_only=True)
    allocations = ma.fields.List(ma.fields.Nested(AllocationRecordSchema), dump_only=True)
    allocate = ma.fields.List(ma.fields.Nested(AllocationInputRecordSchema), load_only=True,
                              metadata={"description": "explicit allocations; default: "
                                                       "oldest open invoices first"})


class PaymentRecordFilters(ListArgs):
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})
    currency = f.Str(max_length=3)
    received_since = Date(metadata={"description": "received on or after"})


def record_payment_api(session: Any, data: dict[str, Any], user: Any) -> Payment:
    """Through the finance service: allocation, ledger posting and unapplied cash as in the UI."""
    party = session.get(Party, data.pop("party_id"))
    if party is None:
        raise ValidationError("There is no party with that id.", field="party")
    allocate = data.pop("allocate", None)
    allocations = {a["invoice_id"]: a["amount_minor"] for a in allocate} if allocate else None
    return record_payment(session, party=party, actor=user, allocations=allocations,
                          reference=data.pop("reference", None), **data)


crud(payments_blp, Resource(
    model=Payment, schema=PaymentRecordSchema, filters=PaymentRecordFilters, noun="payment",
    view="finance.view", edit="finance.edit", create=record_payment_api, updatable=False,
    options=[selectinload(Payment.allocations)],
    filter_clauses={"party": lambda v: Payment.party_id == v,
                    "received_since": lambda v: Payment.received_on >= v},
))  # fmt: skip
