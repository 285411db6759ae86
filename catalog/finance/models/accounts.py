"""Finance settings of a party (one authority: the catalogue's parties) and its billing contacts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin
from catalog.parties.models import Party

#: institution (B2B rules) or individual (consumer safeguards: donors, members)
ACCOUNT_KINDS = {"institution": "Institution", "individual": "Individual"}


class FinanceAccount(Audited, TimestampMixin, Base):
    """How the museum bills one party: currency, terms, time zone, credit hold, language."""

    __tablename__ = "finance_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(12), default="institution")
    #: invoices to this party default to this currency
    currency: Mapped[str] = mapped_column(sa.String(3), default="GBP")
    #: due date = issue date + this many days
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    #: IANA zone of the debtor, for contact hours (dunning)
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    #: no new invoices may be issued while on hold
    credit_hold: Mapped[bool] = mapped_column(default=False)
    #: language of letters and reminders (ISO 639-1)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")

    party: Mapped[Party] = relationship(lazy="joined")
    contacts: Mapped[list[FinanceContact]] = relationship(
        back_populates="account", order_by="FinanceContact.id", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("payment_terms_days >= 0 AND payment_terms_days <= 365",
                           name="terms_range"),
        sa.CheckConstraint("kind IN ('institution', 'individual')", name="kind_known"),
    )

    @property
    def is_individual(self) -> bool:
        return self.kind == "individual"

    def mail_recipients(self) -> list[str]:
        """Addresses that accept finance e-mail: contacts not opted out, else the party's own."""
        addresses = [c.email for c in self.contacts if c.email and not c.email_opt_out]
        if not addresses and not self.contacts and self.party.email:
            addresses = [self.party.email]
        return addresses

    def __repr__(self) -> str:
        return f"<FinanceAccount party={self.party_id} {self.currency}>"


class FinanceContact(Audited, TimestampMixin, Base):
    """A person who receives invoices and statements for a party."""

    __tablename__ = "finance_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("finance_accounts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(320))
    #: the contact asked for no finance e-mail; letters go by post
    email_opt_out: Mapped[bool] = mapped_column(default=False)

    account: Mapped[FinanceAccount] = relationship(back_populates="contacts")
