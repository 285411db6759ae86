"""Donor pledges and their instalment schedules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin
from catalog.parties.models import Party

if TYPE_CHECKING:
    from catalog.finance.models.invoices import Invoice


class Pledge(Audited, TimestampMixin, Base):
    """A donor's promise to give an amount, paid in instalments."""

    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    total_minor: Mapped[int] = mapped_column(sa.BigInteger)
    pledged_on: Mapped[date] = mapped_column(sa.Date)
    purpose: Mapped[str] = mapped_column(sa.String(300))
    #: active or cancelled
    status: Mapped[str] = mapped_column(sa.String(10), default="active")

    party: Mapped[Party] = relationship(lazy="joined")
    instalments: Mapped[list[PledgeInstalment]] = relationship(
        back_populates="pledge", order_by="PledgeInstalment.due_on")

    __table_args__ = (sa.CheckConstraint("total_minor > 0", name="total_positive"),)


class PledgeInstalment(Audited, Base):
    """One scheduled instalment; its invoice is raised when it falls due."""

    __tablename__ = "pledge_instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledges.id"), index=True)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: set once raised; unique so that a rerun can never raise it twice
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), unique=True)

    pledge: Mapped[Pledge] = relationship(back_populates="instalments")
    invoice: Mapped[Invoice | None] = relationship()

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)

