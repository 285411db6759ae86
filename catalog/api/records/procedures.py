"""Read-only API resources of the procedure and finance records: loans, condition reports,
invoices and payments (``/api/v1/loans``, ``/condition-reports``, ``/invoices``,
``/payments``), with filters and keyset pagination.

Writes go through each module's forms and workflow for now; when a module wants API writes it
adds ``create``/``update`` functions calling its services to the :class:`Resource` below.
Restricted values follow the user's permissions: insurance values need ``valuations.view``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.conditions.models import CONDITIONS, CONTEXTS, ConditionReport
from catalog.core.permissions import has_permission
from catalog.finance.models.invoices import INVOICE_KINDS, INVOICE_STATUSES, Invoice
from catalog.finance.models.payments import Payment
from catalog.loans.models import DIRECTIONS, STATUSES, Loan, LoanObject

loans_blp = Blueprint("loans_api", __name__, description="Loans in and out (read-only).")
conditions_blp = Blueprint("condition_reports_api", __name__,
                           description="Condition reports (read-only).")
invoices_blp = Blueprint("invoices_api", __name__, description="Invoices (read-only).")
payments_blp = Blueprint("payments_api", __name__, description="Payments (read-only).")

Date = ma.fields.Date
Bool = ma.fields.Boolean


# Loans ----------------------------------------------------------------------------------------
class LoanVenueSchema(f.ApiSchema):
    name = f.Str(dump_only=True)
    start_date = Date(dump_only=True, allow_none=True)
    end_date = Date(dump_only=True, allow_none=True)


class LoanObjectSchema(f.ApiSchema):
    object_id = f.Int(dump_only=True)
    object_number = f.Str(dump_only=True, attribute="object.object_number")
    insurance_value_minor = f.Int(dump_only=True, allow_none=True, minimum=-(2**63),
                                  maximum=2**63 - 1)
    insurance_currency = f.Str(dump_only=True, allow_none=True)
    dispatched_on = Date(dump_only=True, allow_none=True)
    returned_on = Date(dump_only=True, allow_none=True)


class LoanSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    number = f.Str(dump_only=True)
    direction = f.Str(dump_only=True)
    status = f.Str(dump_only=True)
    party = f.Int(dump_only=True, attribute="party_id")
    party_name = f.Str(dump_only=True, attribute="party.name")
    exhibition_title = f.Str(dump_only=True, allow_none=True)
    purpose = f.Str(dump_only=True, allow_none=True)
    requested_on = Date(dump_only=True, allow_none=True)
    start_date = Date(dump_only=True)
    end_date = Date(dump_only=True)
    return_due = Date(dump_only=True)
    credit_line = f.Str(dump_only=True, allow_none=True)
    fee_minor = f.Int(dump_only=True, allow_none=True, minimum=-(2**63), maximum=2**63 - 1)
    fee_currency = f.Str(dump_only=True, allow_none=True)
    fee_invoice_number = f.Str(dump_only=True, allow_none=True)
    venues = ma.fields.List(ma.fields.Nested(LoanVenueSchema), dump_only=True)
    objects = ma.fields.List(ma.fields.Nested(LoanObjectSchema), dump_only=True,
                             attribute="loan_objects")
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)

    @ma.post_dump
    def hide_valuations(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # Insurance values are valuations (restricted).
        if not has_permission(current_user, "valuations.view"):
            for item in data.get("objects", []):
                item.pop("insurance_value_minor", None)
                item.pop("insurance_currency", None)
        return data


class LoanFilters(ListArgs):
    status = f.Str(validate=[f.one_of(STATUSES)])
    direction = f.Str(validate=[f.one_of(DIRECTIONS)])
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})


crud(loans_blp, Resource(
    model=Loan, schema=LoanSchema, filters=LoanFilters, noun="loan", view="loans.view",
    options=[selectinload(Loan.venues),
             selectinload(Loan.loan_objects).joinedload(LoanObject.object)],
    filter_clauses={"party": lambda v: Loan.party_id == v},
))  # fmt: skip


# Condition reports ------------------------------------------------------------------------------
class ConditionAreaSchema(f.ApiSchema):
    area = f.Str(dump_only=True)
    note = f.Str(dump_only=True)


class ConditionReportSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    object_id = f.Int(dump_only=True)
    object_number = f.Str(dump_only=True, attribute="object.object_number")
    context = f.Str(dump_only=True)
    loan_id = f.Int(dump_only=True, allow_none=True)
    examiner_name = f.Str(dump_only=True)
    examined_on = Date(dump_only=True)
    overall = f.Str(dump_only=True)
    completeness = f.Str(dump_only=True)
    completeness_note = f.Str(dump_only=True, allow_none=True)
    hazards = f.Str(dump_only=True, allow_none=True)
    summary = f.Str(dump_only=True, allow_none=True)
    display_recommendation = f.Str(dump_only=True, allow_none=True)
    handling_recommendation = f.Str(dump_only=True, allow_none=True)
    storage_recommendation = f.Str(dump_only=True, allow_none=True)
    packing_recommendation = f.Str(dump_only=True, allow_none=True)
    priority = f.Str(dump_only=True)
    next_check_on = Date(dump_only=True, allow_none=True)
    areas = ma.fields.List(ma.fields.Nested(ConditionAreaSchema), dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class ConditionReportFilters(ListArgs):
    object_id = f.QueryInt(minimum=1)
    loan_id = f.QueryInt(minimum=1)
    context = f.Str(validate=[f.one_of(CONTEXTS)])
    overall = f.Str(validate=[f.one_of(CONDITIONS)])
    next_check_before = Date(metadata={"description": "next check due on or before"})


crud(conditions_blp, Resource(
    model=ConditionReport, schema=ConditionReportSchema, filters=ConditionReportFilters,
    noun="condition report", view="conditions.view",
    options=[selectinload(ConditionReport.areas)],
    filter_clauses={"next_check_before": lambda v: ConditionReport.next_check_on <= v},
))  # fmt: skip


# Invoices and payments --------------------------------------------------------------------------
BIG = {"minimum": -(2**63), "maximum": 2**63 - 1}


class InvoiceLineSchema(f.ApiSchema):
    position = f.Int(dump_only=True)
    description = f.Str(dump_only=True)
    quantity = ma.fields.Decimal(dump_only=True, as_string=True)
    unit_price_minor = f.Int(dump_only=True, **BIG)
    tax_rate_bp = f.Int(dump_only=True, metadata={"description": "tax rate in basis points"})
    net_minor = f.Int(dump_only=True, **BIG)
    tax_minor = f.Int(dump_only=True, **BIG)
    object_id = f.Int(dump_only=True, allow_none=True)


class InvoiceSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    kind = f.Str(dump_only=True)
    number = f.Str(dump_only=True, allow_none=True, metadata={"description": "null while draft"})
    status = f.Str(dump_only=True)
    party = f.Int(dump_only=True, attribute="party_id")
    party_name = f.Str(dump_only=True, attribute="party.name")
    currency = f.Str(dump_only=True)
    issue_date = Date(dump_only=True, allow_none=True)
    due_date = Date(dump_only=True, allow_none=True)
    reference = f.Str(dump_only=True, allow_none=True)
    net_minor = f.Int(dump_only=True, **BIG)
    tax_minor = f.Int(dump_only=True, **BIG)
    total_minor = f.Int(dump_only=True, **BIG)
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema), dump_only=True)
    issued_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class InvoiceFilters(ListArgs):
    status = f.Str(validate=[f.one_of(INVOICE_STATUSES)])
    kind = f.Str(validate=[f.one_of(INVOICE_KINDS)])
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})
    currency = f.Str(max_length=3)
    due_before = Date(metadata={"description": "due on or before"})


crud(invoices_blp, Resource(
    model=Invoice, schema=InvoiceSchema, filters=InvoiceFilters, noun="invoice",
    view="finance.view", options=[selectinload(Invoice.lines)],
    filter_clauses={"party": lambda v: Invoice.party_id == v,
                    "due_before": lambda v: Invoice.due_date <= v},
))  # fmt: skip


class AllocationSchema(f.ApiSchema):
    invoice_id = f.Int(dump_only=True)
    amount_minor = f.Int(dump_only=True, **BIG)
    currency = f.Str(dump_only=True)
    allocated_on = Date(dump_only=True)


class PaymentSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    party = f.Int(dump_only=True, attribute="party_id")
    party_name = f.Str(dump_only=True, attribute="party.name")
    currency = f.Str(dump_only=True)
    amount_minor = f.Int(dump_only=True, **BIG)
    received_on = Date(dump_only=True)
    method = f.Str(dump_only=True)
    reference = f.Str(dump_only=True, allow_none=True)
    recorded_at = ma.fields.AwareDateTime(dump_only=True)
    allocations = ma.fields.List(ma.fields.Nested(AllocationSchema), dump_only=True)


class PaymentFilters(ListArgs):
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})
    currency = f.Str(max_length=3)
    received_since = Date(metadata={"description": "received on or after"})


crud(payments_blp, Resource(
    model=Payment, schema=PaymentSchema, filters=PaymentFilters, noun="payment",
    view="finance.view", options=[selectinload(Payment.allocations)],
    filter_clauses={"party": lambda v: Payment.party_id == v,
                    "received_since": lambda v: Payment.received_on >= v},
))  # fmt: skip
