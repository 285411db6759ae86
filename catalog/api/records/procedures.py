"""API resources of the procedure and finance records: loans, condition reports, invoices and
payments (``/api/v1/loans``, ``/condition-reports``, ``/invoices``, ``/payments``), with
filters and keyset pagination. Loans (as requests), condition reports, draft invoices and
payments can be created through their modules' services; workflow steps (approving a loan,
issuing an invoice) stay in the UI until an action calling their services is added here.
Restricted values follow the user's permissions: insurance values need ``valuations.view``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.conditions.models import (
    COMPLETENESS,
    CONDITIONS,
    CONTEXTS,
    PRIORITIES,
    ConditionReport,
)
from catalog.conditions.services import create_report
from catalog.core.errors import ValidationError
from catalog.core.money import Money, MoneyError, check_currency
from catalog.core.permissions import has_permission
from catalog.finance.models.invoices import INVOICE_KINDS, INVOICE_STATUSES, Invoice
from catalog.finance.models.payments import PAYMENT_METHODS, Payment
from catalog.finance.services import add_line, create_invoice, record_payment
from catalog.loans.models import DIRECTIONS, STATUSES, Loan, LoanObject
from catalog.loans.services import create_loan
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party

loans_blp = Blueprint("loans_api", __name__, description="Loans in and out.")
conditions_blp = Blueprint("condition_reports_api", __name__, description="Condition reports.")
invoices_blp = Blueprint("invoices_api", __name__, description="Invoices.")
payments_blp = Blueprint("payments_api", __name__, description="Payments received.")

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
    number = f.Str(dump_only=True, metadata={"description": "allocated from the number scheme"})
    direction = f.Str(required=True, validate=[f.one_of(DIRECTIONS)])
    status = f.Str(dump_only=True)
    party = f.Int(required=True, minimum=1, attribute="party_id",
                  metadata={"description": "id of the borrower (out) or lender (in)"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    exhibition_title = f.Str(allow_none=True, max_length=300)
    purpose = f.Str(allow_none=True, max_length=200)
    requested_on = Date(allow_none=True)
    start_date = Date(required=True)
    end_date = Date(required=True)
    return_due = Date(allow_none=True, metadata={"description": "default: the end date"})
    credit_line = f.Str(allow_none=True, max_length=5000)
    notes = f.Str(allow_none=True, max_length=20_000)
    fee_minor = f.Int(allow_none=True, minimum=0, maximum=2**63 - 1)
    fee_currency = f.Str(allow_none=True, min_length=3, max_length=3)
    fee_invoice_number = f.Str(dump_only=True, allow_none=True)
    venues = ma.fields.List(ma.fields.Nested(LoanVenueSchema), dump_only=True)
    objects = ma.fields.List(ma.fields.Nested(LoanObjectSchema), dump_only=True,
                             attribute="loan_objects")
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)

    @ma.validates_schema
    def fee_with_currency(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("fee_minor") is None) != (data.get("fee_currency") is None):
            raise ma.ValidationError("Give the fee with its currency.", "fee_currency")

    @ma.post_dump
    def hide_valuations(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # Insurance values are valuations (restricted).
        if not has_permission(current_user, "valuations.view"):
            for item in data.get("objects", []):
                item.pop("insurance_value_minor", None)
                item.pop("insurance_currency", None)
        return data


def create_loan_api(session: Any, data: dict[str, Any], user: Any) -> Loan:
    """A requested loan, numbered from its scheme, through the loans service; objects, venues
    and the workflow steps are added in the loan's pages."""
    party = session.get(Party, data.pop("party_id"))
    if party is None:
        raise ValidationError("There is no party with that id.", field="party")
    fee_minor, currency = data.pop("fee_minor", None), data.pop("fee_currency", None)
    fee = None
    if fee_minor is not None and currency is not None:
        try:
            fee = Money(fee_minor, check_currency(currency))
        except (MoneyError, ValueError) as exc:
            raise ValidationError(str(exc), field="fee_currency") from None
    return create_loan(session, direction=data.pop("direction"), party=party,
                       start_date=data.pop("start_date"), end_date=data.pop("end_date"),
                       return_due=data.pop("return_due", None), actor=user, fee=fee, **data)


class LoanFilters(ListArgs):
    status = f.Str(validate=[f.one_of(STATUSES)])
    direction = f.Str(validate=[f.one_of(DIRECTIONS)])
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})


crud(loans_blp, Resource(
    model=Loan, schema=LoanSchema, filters=LoanFilters, noun="loan", view="loans.view",
    edit="loans.edit", create=create_loan_api, updatable=False,
    options=[selectinload(Loan.venues),
             selectinload(Loan.loan_objects).joinedload(LoanObject.object)],
    filter_clauses={"party": lambda v: Loan.party_id == v},
))  # fmt: skip


# Condition reports ------------------------------------------------------------------------------
class ConditionAreaSchema(f.ApiSchema):
    area = f.Str(required=True, min_length=1, max_length=100)
    note = f.Str(required=True, min_length=1, max_length=20_000)


class ConditionReportSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    object_id = f.Int(required=True, minimum=1)
    object_number = f.Str(dump_only=True, attribute="object.object_number")
    context = f.Str(required=True, validate=[f.one_of(CONTEXTS)])
    loan_id = f.Int(allow_none=True, minimum=1)
    examiner_name = f.Str(min_length=1, max_length=200,
                          metadata={"description": "default: the token's user"})
    examined_on = Date(required=True)
    overall = f.Str(required=True, validate=[f.one_of(CONDITIONS)])
    completeness = f.Str(validate=[f.one_of(COMPLETENESS)], load_default="complete")
    completeness_note = f.Str(allow_none=True, max_length=20_000)
    hazards = f.Str(allow_none=True, max_length=20_000)
    summary = f.Str(allow_none=True, max_length=20_000)
    display_recommendation = f.Str(allow_none=True, max_length=20_000)
    handling_recommendation = f.Str(allow_none=True, max_length=20_000)
    storage_recommendation = f.Str(allow_none=True, max_length=20_000)
    packing_recommendation = f.Str(allow_none=True, max_length=20_000)
    priority = f.Str(validate=[f.one_of(PRIORITIES)], load_default="low")
    next_check_on = Date(allow_none=True)
    areas = ma.fields.List(ma.fields.Nested(ConditionAreaSchema), load_default=list)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class ConditionReportFilters(ListArgs):
    object_id = f.QueryInt(minimum=1)
    loan_id = f.QueryInt(minimum=1)
    context = f.Str(validate=[f.one_of(CONTEXTS)])
    overall = f.Str(validate=[f.one_of(CONDITIONS)])
    next_check_before = Date(metadata={"description": "next check due on or before"})


def create_condition_report(session: Any, data: dict[str, Any], user: Any) -> ConditionReport:
    """Through the conditions service (its checks: dates, loan context, permission)."""
    obj = session.get(CatalogueObject, data.pop("object_id"))
    if obj is None:
        raise ValidationError("There is no object with that id.", field="object_id")
    loan = None
    if (loan_id := data.pop("loan_id", None)) is not None:
        loan = session.get(Loan, loan_id)
        if loan is None:
            raise ValidationError("There is no loan with that id.", field="loan_id")
    areas = [(a["area"], a["note"]) for a in data.pop("areas", [])]
    examiner = data.pop("examiner_name", None) or user.name or user.email
    return create_report(session, obj=obj, loan=loan, areas=areas, examiner_name=examiner,
                         actor=user, **data)


crud(conditions_blp, Resource(
    model=ConditionReport, schema=ConditionReportSchema, filters=ConditionReportFilters,
    noun="condition report", view="conditions.view", edit="conditions.edit",
    create=create_condition_report, updatable=False,
    options=[selectinload(ConditionReport.areas)],
    filter_clauses={"next_check_before": lambda v: ConditionReport.next_check_on <= v},
))  # fmt: skip


# Invoices and payments --------------------------------------------------------------------------
BIG = {"minimum": -(2**63), "maximum": 2**63 - 1}


def _positive_quantity(value: Any) -> None:
    # The bounds keep quantity × price inside a 64-bit amount.
    if not value.is_finite() or value <= 0 or value >= 10**6:
        raise ma.ValidationError("A quantity is more than 0 and less than a million.")


class InvoiceLineSchema(f.ApiSchema):
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


class InvoiceSchema(f.ApiSchema):
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
    lines = ma.fields.List(ma.fields.Nested(InvoiceLineSchema), load_default=list)
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


class InvoiceFilters(ListArgs):
    status = f.Str(validate=[f.one_of(INVOICE_STATUSES)])
    kind = f.Str(validate=[f.one_of(INVOICE_KINDS)])
    party = f.QueryInt(minimum=1, metadata={"description": "party id"})
    currency = f.Str(max_length=3)
    due_before = Date(metadata={"description": "due on or before"})


crud(invoices_blp, Resource(
    model=Invoice, schema=InvoiceSchema, filters=InvoiceFilters, noun="invoice",
    view="finance.view", edit="finance.edit", create=create_invoice_api, updatable=False,
    options=[selectinload(Invoice.lines)],
    filter_clauses={"party": lambda v: Invoice.party_id == v,
                    "due_before": lambda v: Invoice.due_date <= v},
))  # fmt: skip


class AllocationSchema(f.ApiSchema):
    invoice_id = f.Int(dump_only=True)
    amount_minor = f.Int(dump_only=True, **BIG)
    currency = f.Str(dump_only=True)
    allocated_on = Date(dump_only=True)


class AllocationInputSchema(f.ApiSchema):
    invoice_id = f.Int(required=True, minimum=1)
    amount_minor = f.Int(required=True, minimum=1, maximum=2**63 - 1)


class PaymentSchema(f.ApiSchema):
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
    allocations = ma.fields.List(ma.fields.Nested(AllocationSchema), dump_only=True)
    allocate = ma.fields.List(ma.fields.Nested(AllocationInputSchema), load_only=True,
                              metadata={"description": "explicit allocations; default: "
                                                       "oldest open invoices first"})


class PaymentFilters(ListArgs):
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
    model=Payment, schema=PaymentSchema, filters=PaymentFilters, noun="payment",
    view="finance.view", edit="finance.edit", create=record_payment_api, updatable=False,
    options=[selectinload(Payment.allocations)],
    filter_clauses={"party": lambda v: Payment.party_id == v,
                    "received_since": lambda v: Payment.received_on >= v},
))  # fmt: skip
