"""Payments received, their allocation to invoices, refunds and write-offs."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, UTCDateTime, utcnow
from catalog.parties.models import Party

PAYMENT_METHODS = {
    "bank_transfer": "Bank transfer",
    "card": "Card",
    "cheque": "Cheque",
    "cash": "Cash",
    "direct_debit": "Direct debit",
    "other": "Other",
}

if TYPE_CHECKING:
    from catalog.finance.models.invoices import Invoice


class Payment(Audited, Base):
    """Money received from a party; what is not allocated stays as unapplied cash."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    received_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(20))
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    bank_transaction_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bank_transactions.id"), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: set when the payment was reversed (a bounced cheque, a payment recorded in error): the
    #: reversal entry undoes its posting and its allocations no longer count
    reversal_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id"))
    reversal_reason: Mapped[str | None] = mapped_column(sa.String(300))

    party: Mapped[Party] = relationship(lazy="joined")
    allocations: Mapped[list[Allocation]] = relationship(back_populates="payment",
                                                         order_by="Allocation.id")

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)

    @property
    def method_label(self) -> str:
        return PAYMENT_METHODS.get(self.method, self.method)

    @property
    def is_reversed(self) -> bool:
        return self.reversal_entry_id is not None


class Allocation(Audited, Base):
    """Part of a payment (or of the party's unapplied cash) settling one invoice."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: null when applied from the party's unapplied cash rather than a new payment
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    allocated_on: Mapped[date] = mapped_column(sa.Date)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id"))

    payment: Mapped[Payment | None] = relationship(back_populates="allocations")

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)


class Refund(Audited, Base):
    """Unapplied cash paid back to the party."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(20))
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)


class WriteOff(Audited, Base):
    """An amount of an invoice given up as uncollectable, with a reason.

    Above the requester's authority limit it waits (``pending``) for a user whose limit covers it.
    A recovery posts the reversal of the write-off and the invoice is open again.
    """

    __tablename__ = "write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.String(500))
    #: pending, posted, rejected, recovered
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id"))
    recovery_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id"))

    invoice: Mapped[Invoice] = relationship()

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)

