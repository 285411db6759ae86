"""Valuations of objects and insurance policies (restricted: valuations.view / valuations.edit)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin
from catalog.core.money import Money
from catalog.objects.models import CatalogueObject
from catalog.parties.models import Party


class Valuation(Audited, TimestampMixin, Base):
    """What an object was judged to be worth on a date, and by whom (SPECTRUM valuation)."""

    __tablename__ = "valuations"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(sa.ForeignKey("objects.id"), index=True)
    valued_on: Mapped[date]
    #: the valuer (a person or firm from the parties authority)
    valuer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: insurance, sale, probate …
    purpose: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.Text)

    object: Mapped[CatalogueObject] = relationship()
    valuer: Mapped[Party | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        sa.Index("ix_valuations_object_date", "object_id", "valued_on"),
    )

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)

    def __repr__(self) -> str:
        return f"<Valuation {self.id} object={self.object_id} {self.amount}>"


class InsurancePolicy(Audited, TimestampMixin, Base):
    """An insurance policy that can cover loans (or a government indemnity, kind = indemnity)."""

    __tablename__ = "insurance_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: insurance or indemnity
    kind: Mapped[str] = mapped_column(sa.String(12), default="insurance")
    insurer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    policy_number: Mapped[str] = mapped_column(sa.String(100), unique=True)
    cover_start: Mapped[date]
    cover_end: Mapped[date]
    #: the most the policy pays for any one loan, in minor units
    limit_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    note: Mapped[str | None] = mapped_column(sa.Text)

    insurer: Mapped[Party | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("limit_minor >= 0", name="limit_not_negative"),
        sa.CheckConstraint("cover_end >= cover_start", name="cover_period_ordered"),
    )

    @property
    def limit(self) -> Money:
        return Money(self.limit_minor, self.currency)

    def covers(self, start: date, end: date) -> bool:
        return self.cover_start <= start and end <= self.cover_end

    def __repr__(self) -> str:
        return f"<InsurancePolicy {self.id} {self.policy_number!r}>"
