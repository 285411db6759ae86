"""Invoices, their lines, credit notes and the gap-free number series."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime
from catalog.parties.models import Party

#: kind -> (label, revenue account code, source type)
INVOICE_KINDS: dict[str, tuple[str, str, str | None]] = {
    "loan_fee": ("Loan fee", "revenue_loan", "loan"),
    "reproduction": ("Reproduction and rights fee", "revenue_reproduction", "objects"),
    "storage": ("Storage fee", "revenue_storage", "object_entry"),
    "membership": ("Membership", "revenue_membership", "membership"),
    "pledge_instalment": ("Pledge instalment", "revenue_donation", "pledge_instalment"),
    # charged by dunning (collections): a new invoice, never a change to the overdue one
    "late_fee": ("Late payment fee", "revenue_other", "dunning"),
    "interest": ("Late payment interest", "revenue_other", "dunning"),
    "other": ("Other", "revenue_other", None),
}

INVOICE_STATUSES = {
    "draft": "Draft",
    "issued": "Issued",
    "partly_paid": "Partly paid",
    "paid": "Paid",
    "void": "Void",
    "written_off": "Written off",
}


class NumberSeries(Base):
    """The next number of a series (invoices, credit notes); locked FOR UPDATE when taken."""

    __tablename__ = "finance_number_series"

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(20))
    next_number: Mapped[int] = mapped_column(sa.BigInteger, default=1)


class Invoice(Audited, TimestampMixin, Base):
    """A demand for payment. Drafts change freely; once issued, amounts and lines are fixed."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(12), default="draft", index=True)
    #: number series code; the number is taken when the invoice is issued, never for drafts
    series: Mapped[str] = mapped_column(sa.String(20), default="INV")
    number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    issue_date: Mapped[date | None] = mapped_column(sa.Date)
    due_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    #: what the charge is for: ("loan", 7), ("object_entry", 3), ("pledge_instalment", 9) …
    source_type: Mapped[str | None] = mapped_column(sa.String(40))
    source_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: free-text reference shown on the invoice (their order number, the loan number …)
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    net_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    tax_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    party: Mapped[Party] = relationship(lazy="joined")
    lines: Mapped[list[InvoiceLine]] = relationship(back_populates="invoice",
                                                    order_by="InvoiceLine.position")
    credit_notes: Mapped[list[CreditNote]] = relationship(back_populates="invoice",
                                                          order_by="CreditNote.id")

    __table_args__ = (
        sa.Index("ix_invoices_source", "source_type", "source_id"),
        sa.CheckConstraint("total_minor >= 0", name="total_not_negative"),
        sa.CheckConstraint("status = 'draft' OR number IS NOT NULL", name="issued_has_number"),
    )

    @property
    def kind_label(self) -> str:
        return INVOICE_KINDS[self.kind][0]

    @property
    def status_label(self) -> str:
        return INVOICE_STATUSES.get(self.status, self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def label(self) -> str:
        return self.number or f"Draft #{self.id}"

    def __repr__(self) -> str:
        return f"<Invoice {self.id} {self.number} {self.status}>"


class InvoiceLine(Audited, Base):
    """One charge: quantity × unit price, plus tax at a rate in basis points."""

    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    description: Mapped[str] = mapped_column(sa.String(500))
    #: quantities may be fractional (hours, square metres); money never is
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3))
    unit_price_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: 2000 = 20 %
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    net_minor: Mapped[int] = mapped_column(sa.BigInteger)
    tax_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: the object a reproduction or storage charge is for
    object_id: Mapped[int | None] = mapped_column(sa.ForeignKey("objects.id"))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
        sa.CheckConstraint("tax_rate_bp >= 0 AND tax_rate_bp <= 10000", name="tax_rate_range"),
    )

    @property
    def total_minor(self) -> int:
        return self.net_minor + self.tax_minor


class CreditNote(Audited, Base):
    """A correction of an issued invoice, partial or full; a full one voids the invoice."""

    __tablename__ = "credit_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    issue_date: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(500))
    currency: Mapped[str] = mapped_column(sa.String(3))
    net_minor: Mapped[int] = mapped_column(sa.BigInteger)
    tax_minor: Mapped[int] = mapped_column(sa.BigInteger)
    total_minor: Mapped[int] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")

    __table_args__ = (sa.CheckConstraint("total_minor > 0", name="total_positive"),)
