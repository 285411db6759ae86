"""Use cases for loans in and out: numbers, objects and conflicts, the workflow, movements.

Every change of an object's location goes through :func:`catalog.locations.services.move_objects`:
dispatching a loan out is an object exit (a movement off site), its return an entry (a movement back
home); a loan in is the reverse. Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import DomainError, InvalidTransition, ValidationError
from catalog.core.money import Money
from catalog.core.permissions import check
from catalog.loans.models import (
    COMMITTING,
    DIRECTIONS,
    Loan,
        LoanEvent,
    LoanObject,
    LoanVenue,
)
from catalog.locations.models import Location
from catalog.locations.services import move_objects
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party

#: number scheme (catalog.objects.numbers) per direction
SCHEMES = {"out": "loan_out", "in": "loan_in"}

#: loan fields a user may edit (the rest are set by the workflow)
EDITABLE_FIELDS = (
    "exhibition_title", "purpose", "requested_on", "environment_conditions", "display_conditions",
    "handling_conditions", "courier_conditions", "transport_conditions", "cover_kind",
    "insurance_policy_id", "cover_note", "credit_line", "notes",
)  # fmt: skip


def _require(actor: Any, permission: str) -> None:
    # Views check first; services re-check so that API and CLI callers cannot bypass the rule.
    # The system (demo loader, migrations) acts with actor None.
    if actor is not None:
        check(actor, permission)


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "id", None)


def allocate_loan_number(session: Session, *, direction: str, on: date) -> str:
    """The next number of the ``loan_out`` or ``loan_in`` number scheme (e.g. ``LO.2026.4``).

    The objects module's scheme service locks the counter row FOR UPDATE, so two people
    creating loans at once get different numbers; ``loans.number`` is unique as the last guard.
    Admins edit the patterns like any other number scheme.
    """
    from catalog.objects.numbers import allocate_number

    return allocate_number(session, SCHEMES[direction], on=on)


def _record(session: Session, loan: Loan, action: str, *, actor: Any, note: str | None = None,
            from_status: str | None = None, to_status: str | None = None,
            effective_on: date | None = None) -> LoanEvent:
    event = LoanEvent(loan=loan, action=action, from_status=from_status, to_status=to_status,
                      actor_id=_actor_id(actor), note=note, effective_on=effective_on)
    session.add(event)
    return event


def _check_period(start_date: date | None, end_date: date | None, return_due: date | None) -> None:
    if start_date is None or end_date is None:
        raise ValidationError("Give the loan's start and end dates.", field="start_date")
    if end_date < start_date:
        raise ValidationError(
            f"The end date {end_date:%d %b %Y} is before the start date {start_date:%d %b %Y}; "
            "enter an end date on or after the start.", field="end_date")
    if return_due is not None and return_due < end_date:
        raise ValidationError(
            f"The return date {return_due:%d %b %Y} is before the end of the loan "
            f"{end_date:%d %b %Y}; objects come back after the loan ends, so enter a later "
            "return date.", field="return_due")


def _fee(fee: Money | None) -> tuple[int | None, str | None]:
    if fee is None:
        return None, None
    if fee.minor < 0:
        raise ValidationError("A loan fee cannot be negative.", field="fee")
    return fee.minor, fee.currency


def create_loan(
    session: Session,
    *,
    direction: str,
    party: Party,
    start_date: date,
    end_date: date,
    return_due: date | None = None,
    actor: Any,
    fee: Money | None = None,
    **fields: Any,
) -> Loan:
    """Record a requested loan out (``direction="out"``) or in (``"in"``) with its own number.

    Args:
        party: the borrower (loan out) or the lender (loan in).
        return_due: when objects must be back; defaults to the end date.
        fee: the loan fee (charged to the borrower on a loan out).
        fields: any of :data:`EDITABLE_FIELDS`.
    """
    _require(actor, "loans.edit")
    if direction not in DIRECTIONS:
        raise ValidationError("A loan is either a loan out or a loan in.", field="direction")
    return_due = return_due or end_date
    _check_period(start_date, end_date, return_due)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown loan fields: {', '.join(sorted(unknown))}.")
    fee_minor, fee_currency = _fee(fee)
    loan = Loan(
        number=allocate_loan_number(session, direction=direction, on=start_date),
        direction=direction, status="requested", party=party, start_date=start_date,
        end_date=end_date, return_due=return_due, fee_minor=fee_minor, fee_currency=fee_currency,
        requested_on=fields.pop("requested_on", None) or date.today(),  # noqa: DTZ011
        **fields,
    )  # fmt: skip
    session.add(loan)
    session.flush()
    _record(session, loan, "create", actor=actor, to_status="requested")
    session.flush()
    return loan


def update_loan(session: Session, loan: Loan, *, actor: Any, start_date: date, end_date: date,
                return_due: date | None = None, fee: Money | None = None,
                **fields: Any) -> Loan:
    """Change a loan's details. Dates can change freely until dispatch; after that, extend it."""
    _require(actor, "loans.edit")
    if loan.status in ("closed", "refused"):
        raise DomainError(f"Loan {loan.number} is {loan.status_label.lower()}; it can no longer "
                          "be changed.")
    return_due = return_due or end_date
    _check_period(start_date, end_date, return_due)
    if loan.status in ("dispatched", "on_display", "returned") and (
            start_date != loan.start_date or end_date != loan.end_date
            or return_due != loan.return_due):
        raise DomainError("The objects have left: change the end date with “Extend the loan”, "
                          "which keeps a record of the extension.", field="end_date")
    loan.start_date, loan.end_date, loan.return_due = start_date, end_date, return_due
    loan.fee_minor, loan.fee_currency = _fee(fee)
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationError(f"Unknown loan field {key}.")
        setattr(loan, key, value)
    session.flush()
    return loan


def add_venue(session: Session, loan: Loan, *, actor: Any, name: str, **fields: Any) -> LoanVenue:
    """Add an exhibition venue with its stated environment (temperature, RH, lux)."""
    _require(actor, "loans.edit")
    if not name.strip():
        raise ValidationError("Give the venue's name.", field="name")
    for low, high, label in (("temp_min", "temp_max", "temperature"), ("rh_min", "rh_max", "RH")):
        if (fields.get(low) is not None and fields.get(high) is not None
                and fields[low] > fields[high]):
            raise ValidationError(f"The venue's minimum {label} is above its maximum; "
                                  "swap the two values.", field=low)
    if (fields.get("start_date") and fields.get("end_date")
            and fields["end_date"] < fields["start_date"]):
        raise ValidationError("The venue's closing date is before its opening date.",
                              field="end_date")
    venue = LoanVenue(loan=loan, name=name.strip(), position=len(loan.venues), **fields)
    session.add(venue)
    session.flush()
    return venue


def remove_venue(session: Session, venue: LoanVenue, *, actor: Any) -> None:
    """Take a venue off a loan (a tour stop cancelled)."""
    _require(actor, "loans.edit")
    loan = venue.loan
    if loan.status in ("closed", "refused"):
        raise DomainError(f"Loan {loan.number} is {loan.status_label.lower()}; its venues are "
                          "part of the record.")
    _record(session, loan, "remove_venue", actor=actor, note=venue.name)
    loan.venues.remove(venue)
    session.delete(venue)
    session.flush()


# Conflicts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Conflict:
    """Why an object should not go on (or stay in) a loan."""

    #: deaccessioned, other_loan, loan_in_due, conservation, condition
    kind: str
    message: str
    #: deaccession cannot be overridden; the others can, with a reason
    can_override: bool = True


@dataclass
class _Facts:
    """What conflict detection needs to know about one object, fetched in bulk."""

    commitments: list[tuple[Loan, LoanObject]]
    treatment_status: str | None = None
    report: tuple[str, date] | None = None  # (overall, examined_on) of the latest report


def _gather(session: Session, object_ids: set[int]) -> dict[int, _Facts]:
    """Open loans, open treatments and latest conditions of many objects in three queries."""
    from catalog.conditions.models import (
        OPEN_TREATMENT,
        PROBLEM_CONDITIONS,
        ConditionReport,
        ConservationTreatment,
    )

    facts = {i: _Facts([]) for i in object_ids}
    if not object_ids:
        return facts
    for other, lo in session.execute(
        sa.select(Loan, LoanObject).join(LoanObject, LoanObject.loan_id == Loan.id)
        .where(LoanObject.object_id.in_(object_ids), Loan.status.in_(COMMITTING),
               LoanObject.returned_on.is_(None))
        .order_by(Loan.start_date, Loan.id)
    ).all():
        facts[lo.object_id].commitments.append((other, lo))
    for object_id, status in session.execute(
        sa.select(ConservationTreatment.object_id, ConservationTreatment.status)
        .where(ConservationTreatment.object_id.in_(object_ids),
               ConservationTreatment.status.in_(OPEN_TREATMENT))
        .order_by(ConservationTreatment.id)
    ).all():
        facts[object_id].treatment_status = status
    ranked = sa.select(
        ConditionReport.object_id, ConditionReport.overall, ConditionReport.examined_on,
        sa.func.row_number().over(
            partition_by=ConditionReport.object_id,
            order_by=(ConditionReport.examined_on.desc(), ConditionReport.id.desc()),
        ).label("rank"),
    ).where(ConditionReport.object_id.in_(object_ids)).subquery()
    for object_id, overall, examined_on in session.execute(
        sa.select(ranked.c.object_id, ranked.c.overall, ranked.c.examined_on)
        .where(ranked.c.rank == 1, ranked.c.overall.in_(PROBLEM_CONDITIONS))
    ).all():
        facts[object_id].report = (overall, examined_on)
    return facts


def _conflicts(obj: CatalogueObject, loan: Any, facts: _Facts) -> list[Conflict]:
    conflicts: list[Conflict] = []
    if obj.status == "deaccessioned":
        conflicts.append(Conflict(
            "deaccessioned",
            f"{obj.object_number} has been deaccessioned and cannot be lent; choose another "
            "object.", can_override=False))
    for other, _ in facts.commitments:
        if other.id == loan.id:
            continue
        if other.direction == "in" and loan.direction == "out":
            # Lending on a borrowed object is possible, but not beyond the date it must go back.
            if other.return_due < loan.return_due:
                conflicts.append(Conflict(
                    "loan_in_due",
                    f"{obj.object_number} is on loan in ({other.number}) and due back to "
                    f"{other.party.name} on {other.return_due:%d %b %Y}, before this loan ends "
                    f"on {loan.return_due:%d %b %Y}; shorten this loan or extend the loan in "
                    "first."))
            continue
        if other.start_date <= loan.return_due and other.return_due >= loan.start_date:
            conflicts.append(Conflict(
                "other_loan",
                f"{obj.object_number} is already committed to loan {other.number} "
                f"({other.party.name}, {other.start_date:%d %b %Y} – "
                f"{other.return_due:%d %b %Y}); choose other dates or another object."))
    if facts.treatment_status is not None:
        conflicts.append(Conflict(
            "conservation",
            f"{obj.object_number} is in conservation (treatment "
            f"{facts.treatment_status.replace('_', ' ')}); complete or cancel the treatment "
            "first."))
    if facts.report is not None:
        overall, examined_on = facts.report
        conflicts.append(Conflict(
            "condition",
            f"{obj.object_number} was last reported in {overall} condition "
            f"({examined_on:%d %b %Y}); a conservator should check it again before it "
            "travels."))
    return conflicts


def find_conflicts(session: Session, obj: CatalogueObject, *, loan: Any) -> list[Conflict]:
    """Everything that stands against lending ``obj`` over ``loan``'s dates."""
    return _conflicts(obj, loan, _gather(session, {obj.id})[obj.id])


def find_conflicts_many(session: Session,
                        pairs: Sequence[tuple[CatalogueObject, Any]]) -> list[list[Conflict]]:
    """Conflicts of many (object, loan) pairs in three queries (schedule, loan page)."""
    facts = _gather(session, {obj.id for obj, _ in pairs})
    return [_conflicts(obj, loan, facts[obj.id]) for obj, loan in pairs]


def add_object(
    session: Session,
    loan: Loan,
    obj: CatalogueObject,
    *,
    actor: Any,
    insurance_value: Money | None = None,
    requirements: str | None = None,
    override_reason: str | None = None,
) -> LoanObject:
    """Put ``obj`` in ``loan``.

    Conflicts refuse the object unless ``override_reason`` is given (a deaccessioned object is
    refused whatever the reason); an overridden conflict is kept on the loan object.
    """
    _require(actor, "loans.edit")
    if loan.status not in ("requested", "approved", "agreement_signed"):
        raise DomainError(f"Loan {loan.number} is {loan.status_label.lower()}: objects can only "
                          "be added before dispatch. Create a new loan for further objects.")
    if any(lo.object_id == obj.id for lo in loan.loan_objects):
        raise ValidationError(f"{obj.object_number} is already in loan {loan.number}.",
                              field="object_number")
    conflicts = find_conflicts(session, obj, loan=loan)
    hard = [c for c in conflicts if not c.can_override]
    if hard:
        raise DomainError(hard[0].message, field="object_number")
    override = (override_reason or "").strip()
    if conflicts and not override:
        raise DomainError(
            " ".join(c.message for c in conflicts)
            + " To add it anyway, tick “override” and give a reason.", field="object_number")
    value_minor, value_currency = (insurance_value.minor, insurance_value.currency) \
        if insurance_value is not None else (None, None)
    if value_minor is not None and value_minor < 0:
        raise ValidationError("An insurance value cannot be negative.", field="insurance_value")
    if value_minor is not None:
        _require(actor, "valuations.edit")
    loan_object = LoanObject(
        loan=loan, object=obj, insurance_value_minor=value_minor,
        insurance_currency=value_currency, requirements=requirements,
        override_conflicts="\n".join(c.message for c in conflicts) or None,
        override_reason=override if conflicts else None,
    )  # fmt: skip
    session.add(loan_object)
    _record(session, loan, "add_object", actor=actor,
            note=obj.object_number + (f" (conflicts overridden: {override})" if conflicts else ""))
    session.flush()
    return loan_object


def set_insurance_value(session: Session, loan_object: LoanObject, *, value: Money | None,
                        actor: Any) -> None:
    """Set the agreed insurance or indemnity value of one object in a loan."""
    _require(actor, "valuations.edit")
    if value is not None and value.minor < 0:
        raise ValidationError("An insurance value cannot be negative.", field="insurance_value")
    loan_object.insurance_value_minor = value.minor if value else None
    loan_object.insurance_currency = value.currency if value else None
    session.flush()


def apply_latest_valuations(session: Session, loan: Loan, *, actor: Any) -> int:
    """Give every object without an insurance value its latest valuation; returns how many."""
    from catalog.valuations.services import latest_valuation

    _require(actor, "valuations.edit")
    changed = 0
    for lo in loan.loan_objects:
        if lo.insurance_value_minor is None:
            valuation = latest_valuation(session, lo.object)
            if valuation is not None:
                lo.insurance_value_minor = valuation.amount_minor
                lo.insurance_currency = valuation.currency
                changed += 1
    if changed:
        _record(session, loan, "set_values", actor=actor,
                note=f"Insurance values of {changed} object(s) taken from their valuations")
    session.flush()
    return changed


def remove_object(session: Session, loan_object: LoanObject, *, actor: Any) -> None:
    """Take an object out of a loan that has not been dispatched."""
    _require(actor, "loans.edit")
    loan = loan_object.loan
    if loan.status not in ("requested", "approved", "agreement_signed"):
        raise DomainError("The objects have left; record the object's return instead.")
    _record(session, loan, "remove_object", actor=actor, note=loan_object.object.object_number)
    loan.loan_objects.remove(loan_object)
    session.delete(loan_object)
    session.flush()


def create_loan_in_object(session: Session, *, loan: Loan, object_number: str,
                          title: str | None, actor: Any, **fields: Any) -> CatalogueObject:
    """Create a record for a lender's object arriving on a loan in (status "on loan in")."""
    _require(actor, "loans.edit")
    from catalog.objects.models import CatalogueObject as Obj
    from catalog.objects.numbers import natural_sort_key, normalise_number

    number = object_number.strip()
    if not number:
        raise ValidationError("Give the lender's object number.", field="object_number")
    key = normalise_number(number)
    if session.scalar(sa.select(Obj.id).where(Obj.number_key == key)) is not None:
        raise ValidationError(f"An object numbered {number} exists already; add it by number.",
                              field="object_number")
    obj = Obj(object_number=number, number_key=key, sort_key=natural_sort_key(number),
              status="loan_in", title=title,
              credit_line=loan.credit_line, **fields)
    session.add(obj)
    session.flush()
    return obj


# The workflow ------------------------------------------------------------------------------

def take_step(
    session: Session,
    loan: Loan,
    action: str,
    *,
    actor: Any,
    on: date | None = None,
    note: str | None = None,
    location: Location | None = None,
) -> LoanEvent:
    """Take a workflow step (approve, refuse, sign_agreement, dispatch, install, return, close).

    ``on`` is the business date of dispatch or return (today by default). Dispatch moves the
    objects (exit for a loan out; entry to ``location`` for a loan in); return moves every object
    still out (see :func:`return_objects` for partial returns).

    Raises:
        InvalidTransition: the step is out of order; the message says which step comes first.
        ValidationError: a refusal without a reason, impossible dates, a loan with no objects.
    """
    _require(actor, "loans.edit")
    on = on or date.today()  # noqa: DTZ011 (a business date in the museum's calendar)
    if not loan.can(action):
        loan.transition(action)  # raises with the message saying what to do instead
    if action == "refuse" and not (note or "").strip():
        raise ValidationError("Say why the loan is refused; the reason goes to the requester.",
                              field="note")
    if action == "dispatch":
        return _dispatch(session, loan, on=on, note=note, location=location, actor=actor)
    if action == "return":
        return_objects(session, loan, list(loan.objects_out), on=on, actor=actor,
                       location=location, note=note)
        return loan.events[-1]
    if action == "close" and loan.objects_out:
        raise InvalidTransition("Some objects have not come back; record their return first.")
    previous = loan.transition(action)
    if action == "refuse":
        loan.refusal_reason = note
    event = _record(session, loan, action, actor=actor, note=note, from_status=previous,
                    to_status=loan.status, effective_on=on)
    session.flush()
    return event


def _dispatch(session: Session, loan: Loan, *, on: date, note: str | None,
              location: Location | None, actor: Any) -> LoanEvent:
    if not loan.loan_objects:
        raise ValidationError(f"Loan {loan.number} has no objects; add the objects before "
                              "dispatching it.")
    objects = [lo.object for lo in loan.loan_objects]
    for obj in objects:
        if obj.status == "deaccessioned":
            raise DomainError(f"{obj.object_number} has been deaccessioned; remove it from the "
                              "loan before dispatch.")
    if loan.is_out:
        move_objects(session, objects=objects, to_location=location, actor=actor,
                     reason=f"Object exit: loan out {loan.number} to {loan.party.name}",
                     method=loan.transport_conditions, note=note, status="done")
    else:
        move_objects(session, objects=objects, to_location=location, actor=actor,
                     reason=f"Object entry: loan in {loan.number} from {loan.party.name}",
                     note=note, status="done")
        for obj in objects:
            obj.status = "loan_in"
    for lo in loan.loan_objects:
        lo.dispatched_on = on
    previous = loan.transition("dispatch")
    event = _record(session, loan, "dispatch", actor=actor, note=note, from_status=previous,
                    to_status=loan.status, effective_on=on)
    session.flush()
    return event


def return_objects(
    session: Session,
    loan: Loan,
    loan_objects: Sequence[LoanObject],
    *,
    on: date,
    actor: Any,
    location: Location | None = None,
    note: str | None = None,
) -> list[LoanObject]:
    """Record the return of some (or all) of a loan's objects; the last one returns the loan.

    A loan out's objects go back to their home location (or ``location``); a loan in's objects
    leave the museum (object exit to the lender).
    """
    _require(actor, "loans.edit")
    if loan.status not in ("dispatched", "on_display"):
        loan.transition("return")  # raises: the objects have not left yet
    if not loan_objects:
        raise ValidationError("Choose the objects that came back.", field="objects")
    for lo in loan_objects:
        if lo.loan_id != loan.id:
            raise ValidationError(f"{lo.object.object_number} is not in loan {loan.number}.")
        if lo.returned_on is not None:
            raise ValidationError(f"{lo.object.object_number} was already returned on "
                                  f"{lo.returned_on:%d %b %Y}.", field="objects")
        if lo.dispatched_on is not None and on < lo.dispatched_on:
            raise ValidationError(
                f"The return date {on:%d %b %Y} is before the dispatch on "
                f"{lo.dispatched_on:%d %b %Y}; enter the date the objects actually came back.",
                field="on")
    if loan.is_out:
        by_home: dict[int | None, list[CatalogueObject]] = {}
        for lo in loan_objects:
            target = location.id if location is not None else lo.object.home_location_id
            by_home.setdefault(target, []).append(lo.object)
        for target_id, objects in by_home.items():
            target = session.get(Location, target_id) if target_id is not None else None
            move_objects(session, objects=objects, to_location=target, actor=actor,
                         reason=f"Object entry: return from loan out {loan.number}",
                         note=note, status="done")
    else:
        move_objects(session, objects=[lo.object for lo in loan_objects], to_location=None,
                     actor=actor, reason=f"Object exit: return to lender, loan in {loan.number}",
                     note=note, status="done")
    for lo in loan_objects:
        lo.returned_on = on
    numbers = ", ".join(lo.object.object_number for lo in loan_objects)
    if loan.objects_out:
        _record(session, loan, "return_object", actor=actor, effective_on=on,
                note=f"Returned: {numbers}" + (f". {note}" if note else ""))
    else:
        previous = loan.transition("return")
        _record(session, loan, "return", actor=actor, from_status=previous,
                to_status=loan.status, effective_on=on,
                note=f"Returned: {numbers}" + (f". {note}" if note else ""))
    session.flush()
    return list(loan_objects)


def extend_loan(session: Session, loan: Loan, *, end_date: date, return_due: date | None = None,
                actor: Any, note: str | None = None) -> LoanEvent:
    """Extend (or shorten) a loan that is under way; the previous dates stay in its events."""
    _require(actor, "loans.edit")
    if loan.status not in ("approved", "agreement_signed", "dispatched", "on_display"):
        raise InvalidTransition(f"Loan {loan.number} is {loan.status_label.lower()}; only an "
                                "approved loan that has not come back can be extended.")
    return_due = return_due or max(end_date, loan.return_due - loan.end_date + end_date)
    _check_period(loan.start_date, end_date, return_due)
    for lo in loan.objects_out:
        others = [c for c in find_conflicts(session, lo.object, loan=_Window(loan, return_due))
                  if c.kind in ("other_loan", "loan_in_due")]
        if others:
            raise DomainError(others[0].message + " The extension was not recorded.",
                              field="end_date")
    old = f"{loan.end_date:%d %b %Y} (return {loan.return_due:%d %b %Y})"
    if loan.original_end_date is None:
        loan.original_end_date = loan.end_date
    loan.end_date, loan.return_due = end_date, return_due
    event = _record(session, loan, "extend", actor=actor,
                    note=f"End date {old} → {end_date:%d %b %Y} (return {return_due:%d %b %Y})"
                    + (f". {note}" if note else ""))
    session.flush()
    return event


class _Window:
    """A loan seen with a proposed new return date, for checking an extension's conflicts."""

    def __init__(self, loan: Loan, return_due: date) -> None:
        self.id = loan.id
        self.direction = loan.direction
        self.start_date = loan.start_date
        self.return_due = return_due


# Queries -----------------------------------------------------------------------------------

def get_loan(session: Session, loan_id: int) -> Loan:
    from catalog.core.errors import NotFoundError

    loan = session.get(Loan, loan_id)
    if loan is None:
        raise NotFoundError("There is no such loan.")
    return loan


def find_object(session: Session, number: str) -> CatalogueObject:
    """The object with this number (case and spaces ignored), or a ValidationError."""
    from catalog.objects.services import find_by_number

    obj = find_by_number(session, number)
    if obj is None and number.strip():
        # Records written by other paths (imports, the API) may normalise numbers differently;
        # the number as written is the fallback.
        obj = session.scalars(sa.select(CatalogueObject).where(
            sa.func.lower(CatalogueObject.object_number) == number.strip().lower())
            .limit(1)).first()
    if obj is None:
        raise ValidationError(f"There is no object numbered {number.strip()!r}; check the "
                              "number.", field="object_number")
    return obj


def loan_conflicts(session: Session, loan: Loan) -> dict[int, list[Conflict]]:
    """Current conflicts of each object in an open loan, by loan object id."""
    if not loan.is_open:
        return {}
    out = [lo for lo in loan.loan_objects if lo.returned_on is None]
    found = find_conflicts_many(session, [(lo.object, loan) for lo in out])
    return {lo.id: conflicts for lo, conflicts in zip(out, found, strict=True) if conflicts}


def insured_totals(loan: Loan) -> list[Money]:
    """Total insured value of a loan, one sum per currency."""
    totals: dict[str, Money] = {}
    for lo in loan.loan_objects:
        value = lo.insurance_value
        if value is not None:
            totals[value.currency] = totals.get(value.currency, Money.zero(value.currency)) + value
    return [totals[c] for c in sorted(totals)]


def active_loans_for(session: Session, obj: CatalogueObject) -> list[Loan]:
    """Open loans that hold ``obj`` (for the object's page and its status)."""
    return list(session.scalars(
        sa.select(Loan).join(LoanObject).where(
            LoanObject.object_id == obj.id, LoanObject.returned_on.is_(None),
            Loan.status.in_(COMMITTING)).order_by(Loan.start_date)))


def object_loan_status(session: Session, obj: CatalogueObject) -> str | None:
    """"On loan to X until D" while a loan out's objects are away; None otherwise."""
    for loan in active_loans_for(session, obj):
        if loan.status in ("dispatched", "on_display"):
            verb = "On loan to" if loan.is_out else "On loan from"
            return f"{verb} {loan.party.name} ({loan.number}) until {loan.return_due:%d %b %Y}"
    return None
