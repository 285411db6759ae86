"""The double-entry ledger: chart of accounts, journal entries and their lines.

Append-only (database triggers refuse UPDATE and DELETE). Debits are positive, credits negative;
the lines of an entry sum to zero per currency. Only :func:`catalog.finance.ledger.post_entry`
writes here, and on PostgreSQL a deferred constraint trigger re-checks the balance at commit.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, UTCDateTime, utcnow

_BIGINT_PK = sa.BigInteger().with_variant(sa.Integer, "sqlite")

#: code -> (number, name, type); revenue accounts per kind of charge
CHART: dict[str, tuple[str, str, str]] = {
    "cash": ("1000", "Bank and cash", "asset"),
    "receivable": ("1100", "Accounts receivable", "asset"),
    "unapplied": ("2100", "Unapplied cash (customer credit)", "liability"),
    "tax": ("2200", "Tax payable", "liability"),
    "refunds": ("2300", "Refunds paid", "liability"),
    "revenue_loan": ("4100", "Loan fees", "revenue"),
    "revenue_reproduction": ("4200", "Reproduction and rights fees", "revenue"),
    "revenue_storage": ("4300", "Storage fees", "revenue"),
    "revenue_membership": ("4400", "Memberships", "revenue"),
    "revenue_donation": ("4500", "Donations and pledges", "revenue"),
    "revenue_other": ("4900", "Other income", "revenue"),
    "write_off": ("6100", "Bad debts written off", "expense"),
}


class LedgerAccount(Base):
    """An account of the chart (receivables, cash, revenue by kind …)."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    number: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: asset, liability, revenue or expense
    type: Mapped[str] = mapped_column(sa.String(12))

    def __repr__(self) -> str:
        return f"<LedgerAccount {self.number} {self.code}>"


class JournalEntry(Audited, Base):
    """One balanced posting: an invoice issued, a payment received, a write-off …"""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(_BIGINT_PK, primary_key=True)
    #: the business date the entry counts on (balances "as of" a date use it)
    entry_date: Mapped[date] = mapped_column(sa.Date, index=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    memo: Mapped[str] = mapped_column(sa.String(300))
    #: what caused it, e.g. ("invoice", 12), ("payment", 3), ("write_off", 1)
    source_type: Mapped[str] = mapped_column(sa.String(40))
    source_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: set on a reversal: the entry it cancels
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id"),
                                                    unique=True)

    lines: Mapped[list[LedgerLine]] = relationship(back_populates="entry",
                                                   order_by="LedgerLine.id")

    __table_args__ = (sa.Index("ix_journal_entries_source", "source_type", "source_id"),)


class LedgerLine(Audited, Base):
    """A debit (positive) or credit (negative) of one account, optionally for a party/invoice."""

    __tablename__ = "ledger_lines"

    id: Mapped[int] = mapped_column(_BIGINT_PK, primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_accounts.id"))
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"))
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"))
    #: copy of the entry's date so that "as of" balances need no join
    entry_date: Mapped[date] = mapped_column(sa.Date)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")
    account: Mapped[LedgerAccount] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("amount_minor <> 0", name="not_zero"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        # balance of an invoice as of a date; of a party per account as of a date (aging)
        sa.Index("ix_ledger_lines_invoice", "invoice_id", "account_id", "entry_date"),
        sa.Index("ix_ledger_lines_party", "party_id", "account_id", "currency", "entry_date"),
        sa.Index("ix_ledger_lines_account_date", "account_id", "entry_date"),
    )
