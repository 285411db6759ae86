"""``/api/v1/loans``: loans in and out, and ``POST /api/v1/loans/<id>/steps`` for the workflow.

Insurance values are restricted: ``loan_objects`` carries them only for users with
valuations.view.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.errors import ApiErrorSchema
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud, get_or_404
from catalog.core.errors import ValidationError
from catalog.core.money import Money
from catalog.core.permissions import has_permission, require
from catalog.extensions import db
from catalog.loans import services
from catalog.loans.models import DIRECTIONS, STATUSES, STEPS, Loan, LoanObject
from catalog.parties.models import Party

blp = Blueprint("loans_api", __name__, description="Loans in and out.")

_CURRENCY = ma.validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as GBP.")
_TEXT = 20_000


class LoanObjectSchema(f.ApiSchema):
    object_id = f.Int(dump_only=True)
    object_number = f.Str(dump_only=True, attribute="object.object_number")
    insurance_value_minor = f.Int(dump_only=True, allow_none=True, minimum=f.INT64_MIN,
                                  maximum=f.INT64_MAX,
                                  metadata={"description": "only with valuations.view"})
    insurance_currency = f.Str(dump_only=True, allow_none=True,
                               metadata={"description": "only with valuations.view"})
    dispatched_on = ma.fields.Date(dump_only=True, allow_none=True)
    returned_on = ma.fields.Date(dump_only=True, allow_none=True)


class LoanSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    number = f.Str(dump_only=True, metadata={"description": "from the loan's number scheme"})
    direction = f.Str(required=True, validate=[f.one_of(DIRECTIONS)])
    status = f.Str(dump_only=True, metadata={"description": ", ".join(STATUSES)})
    party_id = f.Int(required=True, minimum=1,
                     metadata={"description": "the borrower (loan out) or lender (loan in)"})
    party_name = f.Str(dump_only=True, attribute="party.name")
    exhibition_title = f.Str(max_length=300, allow_none=True)
    purpose = f.Str(max_length=200, allow_none=True)
    requested_on = ma.fields.Date(allow_none=True)
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    return_due = ma.fields.Date(allow_none=True, metadata={"description": "default: end date"})
    original_end_date = ma.fields.Date(dump_only=True)
    environment_conditions = f.Str(max_length=_TEXT, allow_none=True)
    display_conditions = f.Str(max_length=_TEXT, allow_none=True)
    handling_conditions = f.Str(max_length=_TEXT, allow_none=True)
    courier_conditions = f.Str(max_length=_TEXT, allow_none=True)
    transport_conditions = f.Str(max_length=_TEXT, allow_none=True)
    cover_kind = f.Str(validate=[f.one_of(("insurance", "indemnity", "none"))],
                       load_default="insurance")
    cover_note = f.Str(max_length=_TEXT, allow_none=True)
    credit_line = f.Str(max_length=_TEXT, allow_none=True)
    fee_minor = f.Int(minimum=0, maximum=f.INT64_MAX, allow_none=True,
                      metadata={"description": "loan fee in minor units"})
    fee_currency = f.Str(validate=[_CURRENCY], allow_none=True)
    fee_invoice_number = f.Str(dump_only=True)
    refusal_reason = f.Str(dump_only=True)
    notes = f.Str(max_length=_TEXT, allow_none=True)
    objects = ma.fields.List(ma.fields.String(), dump_only=True, attribute="object_numbers",
                             metadata={"description": "object numbers in the loan"})
    loan_objects = ma.fields.List(ma.fields.Nested(LoanObjectSchema), dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)

    @ma.post_dump
    def hide_valuations(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # Insurance values are valuations: restricted to valuations.view.
        if not has_permission(current_user, "valuations.view"):
            for item in data.get("loan_objects", []):
                item.pop("insurance_value_minor", None)
                item.pop("insurance_currency", None)
        return data


class LoanFilters(ListArgs):
    direction = f.Str(validate=[f.one_of(DIRECTIONS)])
    status = f.Str(validate=[f.one_of(STATUSES)])
    party_id = f.QueryInt(minimum=1)


def _fee(data: dict[str, Any], loan: Loan | None = None) -> Money | None:
    minor = data.pop("fee_minor", loan.fee_minor if loan else None)
    currency = data.pop("fee_currency", loan.fee_currency if loan else None)
    if minor is None:
        return None
    if not currency:
        raise ValidationError("Give the fee's currency.", field="fee_currency")
    return Money(minor, currency)


def _party(session: Any, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        raise ValidationError(f"There is no party with the id {party_id}.", field="party_id")
    return party


def create_loan(session: Any, data: dict[str, Any], user: Any) -> Loan:
    party = _party(session, data.pop("party_id"))
    fee = _fee(data)
    return services.create_loan(
        session, direction=data.pop("direction"), party=party,
        start_date=data.pop("start_date"), end_date=data.pop("end_date"),
        return_due=data.pop("return_due", None), fee=fee, actor=user, **data)


def update_loan(session: Any, loan: Loan, data: dict[str, Any], user: Any) -> Loan:
    if "direction" in data and data.pop("direction") != loan.direction:
        raise ValidationError("A loan out cannot become a loan in; create a new loan.",
                              field="direction")
    if "party_id" in data:
        loan.party = _party(session, data.pop("party_id"))
    fee = _fee(data, loan)
    return services.update_loan(
        session, loan, actor=user, start_date=data.pop("start_date", loan.start_date),
        end_date=data.pop("end_date", loan.end_date),
        return_due=data.pop("return_due", loan.return_due), fee=fee, **data)


RESOURCE = Resource(
    model=Loan, schema=LoanSchema, filters=LoanFilters, noun="loan",
    view="loans.view", edit="loans.edit", create=create_loan, update=update_loan,
    options=[selectinload(Loan.loan_objects).joinedload(LoanObject.object)],
)
crud(blp, RESOURCE)


class StepSchema(f.ApiSchema):
    action = f.Str(required=True, validate=[f.one_of(STEPS)],
                   metadata={"description": "approve, refuse, sign_agreement, dispatch, install, "
                                            "return or close, in that order"})
    on = ma.fields.Date(allow_none=True, metadata={"description": "dispatch or return date; "
                                                                  "default: today"})
    note = f.Str(max_length=_TEXT, allow_none=True,
                 metadata={"description": "required when refusing: the reason"})
    location = f.Str(max_length=100, allow_none=True, metadata={
        "description": "location code the objects go to (dispatch of a loan in, return)"})


@blp.route("/<int:record_id>/steps", endpoint="steps")
class Steps(MethodView):
    @require("loans.edit")
    @blp.arguments(StepSchema)
    @blp.response(200, LoanSchema)
    @blp.alt_response(401, schema=ApiErrorSchema, description="No valid bearer token.")
    @blp.alt_response(403, schema=ApiErrorSchema, description="The user lacks loans.edit.")
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such loan.")
    @blp.alt_response(409, schema=ApiErrorSchema,
                      description="The step is out of order; the message says what to do.")
    def post(self, data: dict[str, Any], record_id: int) -> Any:
        """Take the next workflow step of a loan"""
        from catalog.locations.services import get_location_by_code

        loan = get_or_404(RESOURCE, record_id)
        location = None
        if data.get("location"):
            try:
                location = get_location_by_code(db.session, data["location"])
            except ValidationError as exc:
                raise ValidationError(exc.message, field="location") from None
        services.take_step(db.session, loan, data["action"],
                           actor=current_user._get_current_object(), on=data.get("on"),
                           note=data.get("note"), location=location)
        return loan
