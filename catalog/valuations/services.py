"""Use cases for valuations and insurance policies (restricted). Services never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.money import Money
from catalog.core.permissions import check
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party
from catalog.valuations.models import InsurancePolicy, Valuation


def _require(actor: Any, permission: str) -> None:
    if actor is not None:
        check(actor, permission)


def record_valuation(session: Session, *, obj: CatalogueObject, valued_on: date, amount: Money,
                     actor: Any, valuer: Party | None = None, purpose: str | None = None,
                     note: str | None = None) -> Valuation:
    """Record a valuation of ``obj`` (needs valuations.edit)."""
    _require(actor, "valuations.edit")
    if amount.minor < 0:
        raise ValidationError("A valuation cannot be negative.", field="amount")
    if valued_on > date.today():  # noqa: DTZ011
        raise ValidationError("The valuation date is in the future; enter the date of the "
                              "valuation.", field="valued_on")
    valuation = Valuation(object=obj, valued_on=valued_on, amount_minor=amount.minor,
                          currency=amount.currency, valuer=valuer, purpose=purpose, note=note)
    session.add(valuation)
    session.flush()
    return valuation


def latest_valuation(session: Session, obj: CatalogueObject) -> Valuation | None:
    return session.scalar(
        sa.select(Valuation).where(Valuation.object_id == obj.id)
        .order_by(Valuation.valued_on.desc(), Valuation.id.desc()).limit(1))


def valuations_for(session: Session, obj: CatalogueObject, *, actor: Any) -> list[Valuation]:
    _require(actor, "valuations.view")
    return list(session.scalars(
        sa.select(Valuation).where(Valuation.object_id == obj.id)
        .order_by(Valuation.valued_on.desc(), Valuation.id.desc())))


def create_policy(session: Session, *, policy_number: str, cover_start: date, cover_end: date,
                  limit: Money, actor: Any, insurer: Party | None = None,
                  kind: str = "insurance", note: str | None = None) -> InsurancePolicy:
    """Record an insurance policy (or an indemnity) that loans can be covered by."""
    _require(actor, "valuations.edit")
    number = policy_number.strip()
    if not number:
        raise ValidationError("Give the policy number.", field="policy_number")
    if kind not in ("insurance", "indemnity"):
        raise ValidationError("A policy is insurance or an indemnity.", field="kind")
    if cover_end < cover_start:
        raise ValidationError("The cover ends before it starts; check the cover period.",
                              field="cover_end")
    if limit.minor <= 0:
        raise ValidationError("Give the policy's limit.", field="limit")
    if session.scalar(sa.select(InsurancePolicy.id)
                      .where(InsurancePolicy.policy_number == number)) is not None:
        raise ValidationError(f"Policy {number} is recorded already.", field="policy_number")
    policy = InsurancePolicy(policy_number=number, cover_start=cover_start, cover_end=cover_end,
                             limit_minor=limit.minor, currency=limit.currency, insurer=insurer,
                             kind=kind, note=note)
    session.add(policy)
    session.flush()
    return policy


def get_policy(session: Session, policy_id: int) -> InsurancePolicy:
    policy = session.get(InsurancePolicy, policy_id)
    if policy is None:
        raise NotFoundError("There is no such policy.")
    return policy


def cover_warnings(loan: Any) -> list[str]:
    """Problems with a loan's cover: the policy's period or limit does not cover the loan."""
    from catalog.loans.services import insured_totals

    warnings = []
    policy = loan.insurance_policy
    if loan.cover_kind != "none" and policy is None and not loan.cover_note:
        warnings.append("No policy or cover note is recorded for this loan.")
    if policy is not None:
        if not policy.covers(loan.start_date, loan.return_due):
            warnings.append(
                f"Policy {policy.policy_number} covers {policy.cover_start:%d %b %Y} – "
                f"{policy.cover_end:%d %b %Y}, not the whole loan "
                f"({loan.start_date:%d %b %Y} – {loan.return_due:%d %b %Y}).")
        warnings.extend(
            f"The total insured value {total} exceeds the policy limit {policy.limit}."
            for total in insured_totals(loan)
            if total.currency == policy.currency and policy.limit < total)
    return warnings
