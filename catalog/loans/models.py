"""Loans out and loans in (SPECTRUM), their venues, objects and workflow events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.core.errors import InvalidTransition
from catalog.core.money import Money
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party

if TYPE_CHECKING:
    from catalog.users.models import User
    from catalog.valuations.models import InsurancePolicy

DIRECTIONS = {"out": "Loan out", "in": "Loan in"}

#: status -> label, in workflow order
STATUSES = {
    "requested": "Requested",
    "approved": "Approved",
    "agreement_signed": "Agreement signed",
    "dispatched": "Dispatched",
    "on_display": "On display",
    "returned": "Returned",
    "closed": "Closed",
    "refused": "Refused",
}

#: for loans in, "dispatched" is the lender's dispatch, i.e. the objects' arrival here
STATUS_LABELS_IN = {**STATUSES, "dispatched": "Received"}


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str


#: the workflow: action -> (from which statuses, to which status)
STEPS: dict[str, Step] = {
    "approve": Step("approve", "Approve", ("requested",), "approved"),
    "refuse": Step("refuse", "Refuse", ("requested", "approved"), "refused"),
    "sign_agreement": Step("sign_agreement", "Agreement signed", ("approved",),
                           "agreement_signed"),
    "dispatch": Step("dispatch", "Dispatch", ("agreement_signed",), "dispatched"),
    "install": Step("install", "On display", ("dispatched",), "on_display"),
    "return": Step("return", "Returned", ("dispatched", "on_display"), "returned"),
    "close": Step("close", "Close", ("returned",), "closed"),
}

#: what the user should do next, per status, for refusal messages
NEXT_HINT = {
    "requested": "approve (or refuse) the request first",
    "approved": "record the signed agreement first",
    "agreement_signed": "dispatch the objects first",
    "dispatched": "mark the objects on display, or record their return",
    "on_display": "record the return of the objects first",
    "returned": "close the loan",
    "closed": "the loan is closed; nothing more can happen to it",
    "refused": "the request was refused; create a new loan if it is asked for again",
}

#: statuses in which the loan commits its objects (for conflict detection)
COMMITTING = ("requested", "approved", "agreement_signed", "dispatched", "on_display")


class Loan(Audited, TimestampMixin, Base):
    """A loan out (we lend to a borrower) or a loan in (a lender lends to us)."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: from the loan_out / loan_in number schemes, e.g. "LO.2026.3" or "L.2026.1"
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: out or in
    direction: Mapped[str] = mapped_column(sa.String(3), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="requested", index=True)
    #: the borrower (loan out) or the lender (loan in)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    exhibition_title: Mapped[str | None] = mapped_column(sa.String(300))
    purpose: Mapped[str | None] = mapped_column(sa.String(200))
    #: when the loan was asked for
    requested_on: Mapped[date | None]
    #: the loan period: objects leave (or arrive) from start_date, are due back by return_due
    start_date: Mapped[date]
    end_date: Mapped[date]
    #: when the objects must be home (loan out) or back with the lender (loan in)
    return_due: Mapped[date]
    #: the end date first agreed, kept when the loan is extended
    original_end_date: Mapped[date | None]
    # Special conditions, printed in the agreement and courier instructions.
    environment_conditions: Mapped[str | None] = mapped_column(sa.Text)
    display_conditions: Mapped[str | None] = mapped_column(sa.Text)
    handling_conditions: Mapped[str | None] = mapped_column(sa.Text)
    courier_conditions: Mapped[str | None] = mapped_column(sa.Text)
    transport_conditions: Mapped[str | None] = mapped_column(sa.Text)
    #: insurance, indemnity or none
    cover_kind: Mapped[str] = mapped_column(sa.String(12), default="insurance")
    insurance_policy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("insurance_policies.id"), index=True)
    #: the borrower's or lender's own cover (wall-to-wall), as text
    cover_note: Mapped[str | None] = mapped_column(sa.Text)
    credit_line: Mapped[str | None] = mapped_column(sa.Text)
    fee_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    #: the finance invoice raised for the fee (finance module's invoice id and number)
    fee_invoice_id: Mapped[int | None]
    fee_invoice_number: Mapped[str | None] = mapped_column(sa.String(40))
    #: why the request was refused
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    party: Mapped[Party] = relationship(lazy="joined")
    insurance_policy: Mapped[InsurancePolicy | None] = relationship()
    venues: Mapped[list[LoanVenue]] = relationship(back_populates="loan",
                                                   order_by="LoanVenue.position",
                                                   cascade="all, delete-orphan")
    loan_objects: Mapped[list[LoanObject]] = relationship(back_populates="loan",
                                                          order_by="LoanObject.id",
                                                          cascade="all, delete-orphan")
    events: Mapped[list[LoanEvent]] = relationship(back_populates="loan",
                                                   order_by="LoanEvent.id")

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="period_ordered"),
        sa.CheckConstraint("return_due >= end_date", name="return_after_end"),
        sa.CheckConstraint("fee_minor IS NULL OR fee_minor >= 0", name="fee_not_negative"),
        sa.Index("ix_loans_period", "start_date", "return_due"),
    )

    # Workflow ------------------------------------------------------------------------------
    def can(self, action: str) -> bool:
        step = STEPS.get(action)
        return step is not None and self.status in step.sources

    def transition(self, action: str) -> str:
        """Move the loan by ``action``; returns the previous status.

        Raises:
            InvalidTransition: the step is not possible now; the message says what to do instead.
        """
        step = STEPS.get(action)
        if step is None:
            raise InvalidTransition(f"“{action}” is not a step of the loan workflow.")
        if self.status not in step.sources:
            raise InvalidTransition(
                f"Loan {self.number} is {self.status_label.lower()}, so it cannot be "
                f"“{self.step_label(action).lower()}” now: {NEXT_HINT[self.status]}.")
        previous = self.status
        self.status = step.target
        return previous

    def available_steps(self) -> list[Step]:
        return [s for s in STEPS.values() if self.status in s.sources]

    def step_label(self, action: str) -> str:
        if self.direction == "in" and action == "dispatch":
            return "Objects received"
        if self.direction == "in" and action == "return":
            return "Returned to lender"
        return STEPS[action].label

    @property
    def status_label(self) -> str:
        labels = STATUS_LABELS_IN if self.direction == "in" else STATUSES
        return labels.get(self.status, self.status)

    @property
    def is_out(self) -> bool:
        return self.direction == "out"

    @property
    def is_open(self) -> bool:
        return self.status in COMMITTING

    @property
    def party_role_label(self) -> str:
        return "Borrower" if self.is_out else "Lender"

    @property
    def borrower_id(self) -> int | None:
        """The party invoiced for the fee (finance reads this): the borrower of a loan out."""
        return self.party_id if self.is_out else None

    @property
    def fee(self) -> Money | None:
        if self.fee_minor is None or not self.fee_currency:
            return None
        return Money(self.fee_minor, self.fee_currency)

    @property
    def object_numbers(self) -> list[str]:
        return [lo.object.object_number for lo in self.loan_objects]

    @property
    def objects_out(self) -> list[LoanObject]:
        return [lo for lo in self.loan_objects if lo.returned_on is None]

    def __repr__(self) -> str:
        return f"<Loan {self.id} {self.number} {self.status}>"


class LoanVenue(Audited, Base):
    """A venue of the exhibition, with the environment the borrower says it keeps."""

    __tablename__ = "loan_venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.Text)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    #: stated temperature range, °C
    temp_min: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    temp_max: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    #: stated relative humidity range, %
    rh_min: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    rh_max: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    #: stated maximum illuminance on display, lux
    lux_max: Mapped[int | None]

    loan: Mapped[Loan] = relationship(back_populates="venues")

    def __repr__(self) -> str:
        return f"<LoanVenue {self.id} {self.name!r}>"


class LoanObject(Audited, Base):
    """An object in a loan, with its insurance value and its own return (partial returns)."""

    __tablename__ = "loan_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    #: agreed insurance (or indemnity) value, minor units; shown only with valuations.view
    insurance_value_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    insurance_currency: Mapped[str | None] = mapped_column(sa.String(3))
    #: object-specific requirements (frame, mount, case, light level)
    requirements: Mapped[str | None] = mapped_column(sa.Text)
    #: when the object left (loan out) or arrived (loan in)
    dispatched_on: Mapped[date | None]
    #: when the object came home (loan out) or went back to the lender (loan in)
    returned_on: Mapped[date | None]
    #: conflicts known when the object was added despite them, and why
    override_conflicts: Mapped[str | None] = mapped_column(sa.Text)
    override_reason: Mapped[str | None] = mapped_column(sa.Text)

    loan: Mapped[Loan] = relationship(back_populates="loan_objects")
    object: Mapped[CatalogueObject] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("loan_id", "object_id", name="uq_loan_objects_loan_object"),
        sa.CheckConstraint("insurance_value_minor IS NULL OR insurance_value_minor >= 0",
                           name="value_not_negative"),
    )

    @property
    def insurance_value(self) -> Money | None:
        if self.insurance_value_minor is None or not self.insurance_currency:
            return None
        return Money(self.insurance_value_minor, self.insurance_currency)

    def __repr__(self) -> str:
        return f"<LoanObject {self.id} loan={self.loan_id} object={self.object_id}>"


class LoanEvent(Base):
    """One step of a loan's workflow (or an extension, a partial return): who and when.

    Append-only: the record of what happened to a loan is never rewritten.
    """

    __tablename__ = "loan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    #: approve, refuse, sign_agreement, dispatch, install, return, close, extend,
    #: return_object, create, add_object, remove_object, set_values, remove_venue
    action: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the business date of the step (dispatch date, return date), when it differs from today
    effective_on: Mapped[date | None]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)

    loan: Mapped[Loan] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<LoanEvent {self.id} loan={self.loan_id} {self.action}>"
