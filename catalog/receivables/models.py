"""Collecting what is outstanding: dunning policies and runs, promises, plans, disputes, pauses,
settlements, agency placements, collector assignments and the account activity log."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from catalog.finance.models import Invoice, LedgerLine
from catalog.parties.models import Party

CHANNELS = {"email": "E-mail", "letter": "PDF letter", "phone": "Phone call (task)"}
INTEREST_MODES = {
    "none": "No interest",
    "simple": "Simple daily interest at the level's annual rate",
    # Late Payment of Commercial Debts (Interest) Act 1998 / EU Directive 2011/7/EU:
    # reference rate + 8 percentage points, simple, for business debtors only.
    "statutory_b2b": "Statutory B2B interest (reference rate + 8 points)",
}
DISPUTE_REASONS = {
    "not_received": "Goods or service not received",
    "wrong_amount": "Amount wrong",
    "duplicate": "Billed twice",
    "quality": "Quality or condition complaint",
    "no_agreement": "No agreement to pay",
    "other": "Other",
}


class DunningPolicy(Audited, TimestampMixin, Base):
    """A sequence of reminder levels for a kind of debtor."""

    __tablename__ = "dunning_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: institution, individual or any: which accounts use this policy by default
    applies_to: Mapped[str] = mapped_column(sa.String(12), default="any")
    is_active: Mapped[bool] = mapped_column(default=True)
    #: reference rate for statutory interest, basis points a year (e.g. 425 = 4.25 %)
    reference_rate_bp: Mapped[int] = mapped_column(default=0)

    levels: Mapped[list[DunningLevel]] = relationship(
        back_populates="policy", order_by="DunningLevel.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<DunningPolicy {self.id} {self.name!r}>"


class DunningLevel(Audited, Base):
    """One step of a policy: when, how, what it says and what it charges."""

    __tablename__ = "dunning_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_policies.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(100))
    #: days after the due date (negative: a friendly reminder before it falls due)
    days_after_due: Mapped[int]
    channel: Mapped[str] = mapped_column(sa.String(8), default="email")
    #: for phone tasks: the role whose users should call (e.g. finance_officer)
    task_role: Mapped[str | None] = mapped_column(sa.String(64))
    #: a fixed reminder fee, raised as its own invoice (never added to the overdue one)
    fee_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    interest_mode: Mapped[str] = mapped_column(sa.String(16), default="none")
    #: annual rate for simple interest, basis points
    interest_rate_bp: Mapped[int] = mapped_column(default=0)
    #: do not remind for less than this much overdue (in the account's currency)
    min_amount_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    policy: Mapped[DunningPolicy] = relationship(back_populates="levels")
    templates: Mapped[list[DunningTemplate]] = relationship(
        back_populates="level", cascade="all, delete-orphan", order_by="DunningTemplate.language"
    )

    __table_args__ = (
        sa.UniqueConstraint("policy_id", "position", name="uq_dunning_levels_policy_position"),
        sa.CheckConstraint(
            "fee_minor >= 0 AND min_amount_minor >= 0 AND interest_rate_bp >= 0",
            name="amounts_not_negative",
        ),
    )

    def template_for(self, language: str) -> DunningTemplate | None:
        by_language = {t.language: t for t in self.templates}
        return (
            by_language.get(language)
            or by_language.get("en")
            or next(iter(by_language.values()), None)
        )


class DunningTemplate(Audited, Base):
    """The words of a level in one language, with merge fields such as {party_name}."""

    __tablename__ = "dunning_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_levels.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)

    level: Mapped[DunningLevel] = relationship(back_populates="templates")

    __table_args__ = (
        sa.UniqueConstraint("level_id", "language", name="uq_dunning_templates_level_language"),
    )


class DunningRun(Audited, Base):
    """One evaluation of every account as of a date: proposed lines, then approved and sent."""

    __tablename__ = "dunning_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: one run per business date: running again that day returns the same run
    as_of: Mapped[date] = mapped_column(sa.Date, unique=True)
    #: proposed, approved (messages queued) or empty
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    lines: Mapped[list[DunningLine]] = relationship(back_populates="run", order_by="DunningLine.id")


class DunningLine(Audited, Base):
    """One consolidated reminder to one party: all its overdue items at one level."""

    __tablename__ = "dunning_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_runs.id"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_levels.id"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    overdue_minor: Mapped[int] = mapped_column(sa.BigInteger)
    fee_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    interest_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    channel: Mapped[str] = mapped_column(sa.String(8))
    #: proposed, approved, sent, skipped (with skip_reason) or cancelled by the reviewer
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed")
    skip_reason: Mapped[str | None] = mapped_column(sa.String(300))
    #: the invoice raised for the fee and interest (never the overdue invoice itself)
    charge_invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"))
    outbox_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[DunningRun] = relationship(back_populates="lines")
    party: Mapped[Party] = relationship(lazy="joined")
    level: Mapped[DunningLevel] = relationship(lazy="joined")
    items: Mapped[list[DunningItem]] = relationship(
        back_populates="line", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint(
            "run_id", "party_id", "currency", name="uq_dunning_lines_run_party_currency"
        ),
    )


class DunningItem(Base):
    """An overdue invoice listed on a reminder line (all of the party's overdue items are)."""

    __tablename__ = "dunning_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_lines.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    #: the level this invoice newly reaches with this reminder; null when only listed
    level_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dunning_levels.id"))
    open_minor: Mapped[int] = mapped_column(sa.BigInteger)
    days_overdue: Mapped[int]
    interest_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: days of interest charged on this line (so the next level charges only the days since)
    interest_days: Mapped[int] = mapped_column(default=0)

    line: Mapped[DunningLine] = relationship(back_populates="items")
    invoice: Mapped[Invoice] = relationship(lazy="joined")


class LevelReached(Base):
    """An invoice reached a dunning level. The primary key is the guarantee against reminding
    twice: the database refuses a second (invoice, level), whatever the code does."""

    __tablename__ = "dunning_level_reached"

    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), primary_key=True)
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_levels.id"), primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("dunning_lines.id"))


class CollectionSettings(Audited, Base):
    """Per-party collection settings: policy, collector, next action."""

    __tablename__ = "collection_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), unique=True)
    policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dunning_policies.id"))
    collector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    next_action: Mapped[str | None] = mapped_column(sa.String(300))
    next_action_on: Mapped[date | None] = mapped_column(sa.Date)

    party: Mapped[Party] = relationship(lazy="joined")


class Activity(Base):
    """The account's activity log: reminders, calls, notes, promises, disputes … Append-only."""

    __tablename__ = "collection_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: email, letter, call, note, promise, dispute, plan, pause, settlement, placement, payment
    kind: Mapped[str] = mapped_column(sa.String(12))
    #: true for contacts with the debtor (count towards the contact cap)
    is_contact: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_collection_activities_party_time", "party_id", "occurred_at"),)


class Dispute(Audited, Base):
    """A disputed invoice (or part of it): excluded from dunning, kept in aging."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    reason_code: Mapped[str] = mapped_column(sa.String(20))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: the user who must resolve it
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: open or resolved
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    opened_on: Mapped[date] = mapped_column(sa.Date)
    resolved_on: Mapped[date | None] = mapped_column(sa.Date)
    resolution: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)


class Promise(Audited, Base):
    """A promise to pay an amount by a date: pauses dunning until the date plus grace."""

    __tablename__ = "payment_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    promised_on: Mapped[date] = mapped_column(sa.Date)
    grace_days: Mapped[int] = mapped_column(default=3)
    #: what the party owed when it promised: the promise is kept once it has paid this much
    receivable_at_promise_minor: Mapped[int] = mapped_column(sa.BigInteger)
    made_on: Mapped[date] = mapped_column(sa.Date)
    #: open, kept or broken
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    settled_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (sa.CheckConstraint("amount_minor > 0", name="amount_positive"),)


class PaymentPlan(Audited, Base):
    """An instalment schedule agreed with a debtor; pauses base dunning while it is kept."""

    __tablename__ = "payment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    total_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: paid by the party before the plan started; instalments count payments after it
    paid_before_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    #: the plan defaults when this many instalments are late beyond the grace days
    default_after_missed: Mapped[int] = mapped_column(default=1)
    grace_days: Mapped[int] = mapped_column(default=7)
    #: on default: accelerate (the whole balance is due and dunned at once) or resume dunning
    on_default: Mapped[str] = mapped_column(sa.String(12), default="resume")
    #: active, completed, defaulted or cancelled
    status: Mapped[str] = mapped_column(sa.String(10), default="active")
    defaulted_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    instalments: Mapped[list[PlanInstalment]] = relationship(
        back_populates="plan", order_by="PlanInstalment.due_on", cascade="all, delete-orphan"
    )


class PlanInstalment(Audited, Base):
    __tablename__ = "payment_plan_instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_plans.id"), index=True)
    due_on: Mapped[date] = mapped_column(sa.Date)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)

    plan: Mapped[PaymentPlan] = relationship(back_populates="instalments")


class DunningPause(Audited, Base):
    """A manual pause of dunning for a party, with a reason and an end date."""

    __tablename__ = "dunning_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    until: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: lifted early by a user
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Settlement(Audited, Base):
    """An offer to accept less than the balance in full settlement."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: the balance when the offer was made
    balance_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: what the museum accepts
    accept_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: received from the party since the offer (towards accept_minor)
    expires_on: Mapped[date] = mapped_column(sa.Date)
    made_on: Mapped[date] = mapped_column(sa.Date)
    #: pending_approval, agreed, paid, lapsed or rejected
    status: Mapped[str] = mapped_column(sa.String(16))
    offered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint(
            "accept_minor > 0 AND accept_minor < balance_minor", name="accept_less_than_balance"
        ),
    )

    @property
    def discount_minor(self) -> int:
        return self.balance_minor - self.accept_minor


class AgencyPlacement(Audited, Base):
    """An account placed with a collection agency; internal dunning pauses while placed."""

    __tablename__ = "agency_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    placed_minor: Mapped[int] = mapped_column(sa.BigInteger)
    #: the agency's commission on recoveries, basis points
    commission_bp: Mapped[int] = mapped_column(default=0)
    placed_on: Mapped[date] = mapped_column(sa.Date)
    #: placed, recalled or closed
    status: Mapped[str] = mapped_column(sa.String(10), default="placed")
    closed_on: Mapped[date | None] = mapped_column(sa.Date)

    agency: Mapped[Party] = relationship(foreign_keys=[agency_id], lazy="joined")
    recoveries: Mapped[list[AgencyRecovery]] = relationship(
        back_populates="placement", order_by="AgencyRecovery.id", cascade="all, delete-orphan"
    )

    @property
    def recovered_minor(self) -> int:
        return sum(r.amount_minor for r in self.recoveries)

    @property
    def commission_minor(self) -> int:
        return sum(r.commission_minor for r in self.recoveries)


class AgencyRecovery(Audited, Base):
    """Money an agency reports recovered on a placement (the payment itself is recorded in
    finance as usual; this records the agency's share)."""

    __tablename__ = "agency_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("agency_placements.id"), index=True)
    recovered_on: Mapped[date] = mapped_column(sa.Date)
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    commission_minor: Mapped[int] = mapped_column(sa.BigInteger)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id"))

    placement: Mapped[AgencyPlacement] = relationship(back_populates="recoveries")


#: Covers the aging query (receivable lines per invoice up to a date) so that it reads the index
#: alone, in invoice order, instead of a million table rows.
ix_ledger_lines_aging = sa.Index(
    "ix_ledger_lines_aging",
    LedgerLine.__table__.c.account_id,
    LedgerLine.__table__.c.invoice_id,
    LedgerLine.__table__.c.entry_date,
    LedgerLine.__table__.c.amount_minor,
)
