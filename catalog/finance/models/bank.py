"""Imported bank statements and their transactions, matched to invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, UTCDateTime, utcnow

#: matched (posted automatically), unsure (waits for review), unmatched, ignored, confirmed,
#: outgoing (a debit: not a receipt, nothing to match)
BANK_STATUSES = {
    "matched": "Matched and posted",
    "confirmed": "Confirmed and posted",
    "unsure": "Needs review",
    "unmatched": "No match",
    "ignored": "Ignored",
    "outgoing": "Outgoing",
}

if TYPE_CHECKING:
    from catalog.finance.models.invoices import Invoice


class BankImport(Audited, Base):
    """One imported statement file; its SHA-256 is unique so a file is imported once."""

    __tablename__ = "bank_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(300))
    #: csv, ofx or camt053
    format: Mapped[str] = mapped_column(sa.String(10))
    file_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    account: Mapped[str | None] = mapped_column(sa.String(100))
    transaction_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)

    transactions: Mapped[list[BankTransaction]] = relationship(back_populates="bank_import",
                                                               order_by="BankTransaction.id")


class BankTransaction(Audited, Base):
    """One line of a statement; ``bank_ref`` (account + the bank's id) is unique."""

    __tablename__ = "bank_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_imports.id"), index=True)
    bank_ref: Mapped[str] = mapped_column(sa.String(200), unique=True)
    booked_on: Mapped[date] = mapped_column(sa.Date)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    counterparty: Mapped[str | None] = mapped_column(sa.String(300))
    remittance: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), index=True)
    #: the invoice the matcher proposes (unsure) or used (matched, confirmed)
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"))
    match_note: Mapped[str | None] = mapped_column(sa.String(300))

    bank_import: Mapped[BankImport] = relationship(back_populates="transactions")
    invoice: Mapped[Invoice | None] = relationship()

    @property
    def status_label(self) -> str:
        return BANK_STATUSES.get(self.status, self.status)

