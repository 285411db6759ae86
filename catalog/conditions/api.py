"""``/api/v1/condition-reports``: condition reports (a record of a check: never updated)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from catalog.api import fields as f
from catalog.api.pagination import ListArgs
from catalog.api.resources import Resource, crud
from catalog.conditions import services
from catalog.conditions.models import (
    COMPLETENESS,
    CONDITIONS,
    CONTEXTS,
    PRIORITIES,
    ConditionReport,
)
from catalog.core.errors import ValidationError

blp = Blueprint("condition_reports_api", __name__, description="Condition reports.")

_TEXT = 20_000


class AreaSchema(f.ApiSchema):
    area = f.Str(required=True, min_length=1, max_length=100)
    note = f.Str(required=True, max_length=_TEXT)


class ConditionReportSchema(f.ApiSchema):
    id = f.Int(dump_only=True)
    object = f.Str(required=True, max_length=100, attribute="object.object_number",
                   metadata={"description": "object number"})
    object_id = f.Int(dump_only=True)
    context = f.Str(required=True, validate=[f.one_of(CONTEXTS)])
    loan_id = f.Int(minimum=1, allow_none=True)
    examiner_name = f.Str(required=True, min_length=1, max_length=200)
    examined_on = ma.fields.Date(required=True)
    overall = f.Str(required=True, validate=[f.one_of(CONDITIONS)])
    completeness = f.Str(validate=[f.one_of(COMPLETENESS)], load_default="complete")
    completeness_note = f.Str(max_length=_TEXT, allow_none=True)
    hazards = f.Str(max_length=_TEXT, allow_none=True)
    summary = f.Str(max_length=_TEXT, allow_none=True)
    areas = ma.fields.List(ma.fields.Nested(AreaSchema), load_default=list)
    display_recommendation = f.Str(max_length=_TEXT, allow_none=True)
    handling_recommendation = f.Str(max_length=_TEXT, allow_none=True)
    storage_recommendation = f.Str(max_length=_TEXT, allow_none=True)
    packing_recommendation = f.Str(max_length=_TEXT, allow_none=True)
    priority = f.Str(validate=[f.one_of(PRIORITIES)], load_default="low")
    next_check_on = ma.fields.Date(allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)


class ConditionReportFilters(ListArgs):
    object_id = f.QueryInt(minimum=1)
    loan_id = f.QueryInt(minimum=1)
    context = f.Str(validate=[f.one_of(CONTEXTS)])
    overall = f.Str(validate=[f.one_of(CONDITIONS)])


def create_report(session: Any, data: dict[str, Any], user: Any) -> ConditionReport:
    from catalog.loans.models import Loan
    from catalog.loans.services import find_object

    number = data.pop("object")["object_number"]
    try:
        obj = find_object(session, number)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="object") from None
    loan = None
    if (loan_id := data.pop("loan_id", None)) is not None:
        loan = session.get(Loan, loan_id)
        if loan is None:
            raise ValidationError(f"There is no loan with the id {loan_id}.", field="loan_id")
    areas = [(a["area"], a["note"]) for a in data.pop("areas", [])]
    return services.create_report(session, obj=obj, loan=loan, areas=areas, actor=user, **data)


crud(blp, Resource(
    model=ConditionReport, schema=ConditionReportSchema, filters=ConditionReportFilters,
    noun="condition report", view="conditions.view", edit="conditions.edit",
    create=create_report, updatable=False, options=[selectinload(ConditionReport.areas)],
))  # fmt: skip
