"""The dunning engine: policies as data, runs that propose consolidated reminders, approval that
queues them through the outbox.

Guarantees:
- One run per business date: running again that day returns the same run.
- An invoice reaches each level at most once, enforced by the database (``dunning_level_reached``);
  a run that crashes rolls back whole, so a retry proposes the same lines again.
- Messages are queued with a ``dedupe_key`` per line, so approving twice never sends twice.
- Fees and interest are raised as a new invoice; the overdue invoices are never changed.
- A payment stops dunning at once: approval re-reads each party's open items and drops what is paid.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, InvalidTransition
from catalog.core.money import Money
from catalog.core.outbox import Attachment, enqueue_mail
from catalog.finance import services as finance
from catalog.finance.ledger import invoice_balance
from catalog.finance.models import FinanceAccount, FinanceContact, Invoice, LedgerLine
from catalog.finance.services import _actor_check
from catalog.parties.models import Party
from catalog.receivables.models import (
    Activity,
    CollectionSettings,
    Dispute,
    DunningItem,
    DunningLevel,
    DunningLine,
    DunningPolicy,
    DunningRun,
    LevelReached,
)
from catalog.receivables.stops import Holds, log_activity, refresh_stops

#: consumer safeguards for individual debtors
CONTACT_HOURS = (time(8, 0), time(21, 0))
CONTACT_CAP_PER_7_DAYS = 3

MERGE_FIELDS = (
    "party_name",
    "total_overdue",
    "items",
    "museum_name",
    "as_of",
    "fee",
    "interest",
    "opt_out_url",
    "level_name",
)


@dataclass
class ProposedItem:
    invoice: OpenInvoice
    open_minor: int
    days_overdue: int
    level: DunningLevel | None
    interest_minor: int = 0


@dataclass
class Proposal:
    party: Party
    currency: str
    items: list[ProposedItem] = field(default_factory=list)


def interest_for(
    level: DunningLevel, policy: DunningPolicy, account: Any, open_minor: int, days: int
) -> int:
    """Simple interest on ``open_minor`` for ``days`` at the level's rate, half-even rounded.

    Statutory interest (UK Late Payment Act / EU Directive 2011/7/EU) applies to business
    debtors only: reference rate plus 8 percentage points.
    """
    if days <= 0 or level.interest_mode == "none":
        return 0
    if level.interest_mode == "statutory_b2b":
        if account.kind != "institution":
            return 0
        rate_bp = policy.reference_rate_bp + 800
    else:
        rate_bp = level.interest_rate_bp
    value = (
        Decimal(open_minor) * Decimal(rate_bp) / Decimal(10_000) * Decimal(days) / Decimal(365)
    ).quantize(Decimal(1), ROUND_HALF_EVEN)
    return int(value)


def _reached(session: Session, invoice_ids: list[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for start in range(0, len(invoice_ids), 5000):
        chunk = invoice_ids[start : start + 5000]
        for inv, lvl in session.execute(
            sa.select(LevelReached.invoice_id, LevelReached.level_id).where(
                LevelReached.invoice_id.in_(chunk)
            )
        ):
            result.setdefault(inv, set()).add(lvl)
    return result


def _interest_days_charged(session: Session, invoice_ids: list[int]) -> dict[int, int]:
    """Days of interest already charged per invoice by reminders sent before."""
    result: dict[int, int] = {}
    # In chunks: PostgreSQL takes at most 65,535 parameters in one statement.
    for chunk in _in_chunks(invoice_ids):
        rows = session.execute(
            sa.select(DunningItem.invoice_id, sa.func.sum(DunningItem.interest_days))
            .join(DunningLine, DunningLine.id == DunningItem.line_id)
            .where(DunningItem.invoice_id.in_(chunk), DunningLine.status == "sent")
            .group_by(DunningItem.invoice_id)
        )
        result.update({int(i): int(d or 0) for i, d in rows})
    return result


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    party_id: int
    currency: str
    due_date: date
    open_minor: int


def _overdue_by_party(session: Session, as_of: date) -> dict[tuple[int, str], list[OpenInvoice]]:
    """Open invoices as of ``as_of`` (balance from the ledger) grouped by party and currency:
    one query over the ledger joined to the invoices."""
    from catalog.finance.ledger import account_id

    opened = (
        sa.select(LedgerLine.invoice_id.label("invoice_id"),
                  sa.func.sum(LedgerLine.amount_minor).label("open_minor"))
        .where(LedgerLine.account_id == account_id(session, "receivable"),
               LedgerLine.invoice_id.is_not(None), LedgerLine.entry_date <= as_of)
        .group_by(LedgerLine.invoice_id)
        .having(sa.func.sum(LedgerLine.amount_minor) > 0)
        .subquery()
    )
    rows = session.execute(
        sa.select(Invoice.id, Invoice.party_id, Invoice.currency, Invoice.due_date,
                  opened.c.open_minor)
        .join(opened, opened.c.invoice_id == Invoice.id)
        .where(Invoice.status.in_(finance.OPEN_STATUSES), Invoice.due_date.is_not(None))
        .order_by(Invoice.party_id, Invoice.due_date, Invoice.id)
    )
    result: dict[tuple[int, str], list[OpenInvoice]] = {}
    for inv_id, party_id, currency, due, open_minor in rows:
        result.setdefault((party_id, currency), []).append(
            OpenInvoice(inv_id, party_id, currency, due, int(open_minor)))
    return result


@dataclass(frozen=True)
class AccountFacts:
    """What a run needs to know of an account, loaded for every account in three queries."""

    kind: str
    has_email: bool

    @property
    def is_individual(self) -> bool:
        return self.kind == "individual"


def _account_facts(session: Session, party_ids: list[int]) -> dict[int, AccountFacts]:
    kinds: dict[int, str] = {}
    emails_ok: set[int] = set()
    with_contacts: set[int] = set()
    party_email: set[int] = set()
    for chunk in _in_chunks(party_ids):
        kinds.update(session.execute(sa.select(FinanceAccount.party_id, FinanceAccount.kind)
                                     .where(FinanceAccount.party_id.in_(chunk))).all())
        for party_id, email, opt_out in session.execute(
                sa.select(FinanceAccount.party_id, FinanceContact.email,
                          FinanceContact.email_opt_out)
                .join(FinanceContact, FinanceContact.account_id == FinanceAccount.id)
                .where(FinanceAccount.party_id.in_(chunk))):
            with_contacts.add(party_id)
            if email and not opt_out:
                emails_ok.add(party_id)
        party_email.update(session.scalars(sa.select(Party.id).where(
            Party.id.in_(chunk), Party.email.is_not(None), Party.email != "")))
    # The same rule as FinanceAccount.mail_recipients: contacts that accept e-mail, or the
    # party's own address when it has no finance contacts at all.
    return {pid: AccountFacts(kind, pid in emails_ok or (pid not in with_contacts
                                                          and pid in party_email))
            for pid, kind in kinds.items()}


def _in_chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def start_run(session: Session, *, as_of: date, actor: Any) -> DunningRun:
    """Propose today's reminders (or return the run already made for ``as_of``).

    For each party and currency with overdue items not under a stop or pause, the highest level
    each item has newly reached is found; the party gets one consolidated line at the highest of
    those levels, listing all its overdue items. Everything the decision needs is loaded in bulk
    first, so the run costs a few queries, not a few per account.
    """
    from sqlalchemy.orm import selectinload

    _actor_check(actor, "finance.collect")
    existing = session.scalar(sa.select(DunningRun).where(DunningRun.as_of == as_of))
    if existing is not None:
        return existing
    refresh_stops(session, as_of)
    run = DunningRun(as_of=as_of, created_by_id=getattr(actor, "id", None))
    session.add(run)
    session.flush()
    by_party = _overdue_by_party(session, as_of)
    all_ids = [inv.id for items in by_party.values() for inv in items]
    reached = _reached(session, all_ids)
    charged_days = _interest_days_charged(session, all_ids) if all_ids else {}
    party_ids = sorted({party_id for party_id, _ in by_party})
    accounts = _account_facts(session, party_ids)
    policies = {
        p.id: p
        for p in session.scalars(
            sa.select(DunningPolicy).options(selectinload(DunningPolicy.levels))
        )
    }
    own_policy = dict(
        session.execute(
            sa.select(CollectionSettings.party_id, CollectionSettings.policy_id).where(
                CollectionSettings.policy_id.is_not(None)
            )
        ).all()
    )
    default_policy = {}
    for kind in ("institution", "individual"):
        for wanted in (kind, "any"):
            found = next(
                (p for p in sorted(policies.values(), key=lambda p: p.id)
                 if p.is_active and p.applies_to == wanted),
                None,
            )
            if found is not None:
                default_policy[kind] = found
                break
    holds = Holds(session, as_of)
    disputed: dict[int, int] = dict(
        session.execute(
            sa.select(Dispute.invoice_id, sa.func.sum(Dispute.amount_minor))
            .where(Dispute.status == "open")
            .group_by(Dispute.invoice_id)
        ).all()
    )
    now = utcnow()
    contacts = dict(
        session.execute(
            sa.select(Activity.party_id, sa.func.count())
            .where(Activity.is_contact, Activity.occurred_at >= now - timedelta(days=7))
            .group_by(Activity.party_id)
        ).all()
    )
    line_rows: list[dict[str, Any]] = []
    item_rows: list[list[dict[str, Any]]] = []
    for (party_id, currency), items in sorted(by_party.items()):
        account = accounts.get(party_id)
        if account is None:
            party = session.get(Party, party_id)
            assert party is not None
            created = finance.get_account(session, party)
            account = AccountFacts(created.kind, bool(created.mail_recipients()))
        policy = (
            policies.get(own_policy[party_id])
            if party_id in own_policy
            else default_policy.get(account.kind)
        )
        if policy is None or not policy.levels:
            continue
        hold = holds.get(party_id, currency)
        proposal: list[ProposedItem] = []
        for invoice in items:
            dunnable = invoice.open_minor - int(disputed.get(invoice.id, 0))
            if dunnable <= 0:
                continue
            days = (as_of - invoice.due_date).days
            due_levels = [lvl for lvl in policy.levels if lvl.days_after_due <= days]
            if hold is not None and hold.accelerate:
                due_levels = list(policy.levels)
            new_level = None
            if due_levels and due_levels[-1].id not in reached.get(invoice.id, set()):
                new_level = due_levels[-1]
            if days > 0 or new_level is not None:
                proposal.append(ProposedItem(invoice, dunnable, days, new_level))
        triggering = [p.level for p in proposal if p.level is not None]
        if not triggering:
            continue
        level = max(triggering, key=lambda lvl: lvl.position)
        overdue_total = sum(p.open_minor for p in proposal if p.days_overdue > 0) or sum(
            p.open_minor for p in proposal
        )
        line: dict[str, Any] = {
            "run_id": run.id, "party_id": party_id, "level_id": level.id, "currency": currency,
            "overdue_minor": overdue_total, "channel": level.channel, "status": "proposed",
            "skip_reason": None, "fee_minor": 0, "interest_minor": 0,
        }
        if hold is not None and hold.stops:
            line["status"], line["skip_reason"] = "skipped", f"Not reminded: {hold.reason}."
        elif overdue_total < level.min_amount_minor:
            line["status"] = "skipped"
            line["skip_reason"] = (
                f"{Money(overdue_total, currency)} is below the level's minimum of "
                f"{Money(level.min_amount_minor, currency)}."
            )
        elif account.is_individual and contacts.get(party_id, 0) >= CONTACT_CAP_PER_7_DAYS:
            line["status"] = "skipped"
            line["skip_reason"] = (
                f"Contact cap: {CONTACT_CAP_PER_7_DAYS} contacts in the last 7 days already."
            )
        if line["channel"] == "email" and not account.has_email:
            line["channel"] = "letter"  # opted out of e-mail or no address: a letter instead
        items_of_line = []
        for item in proposal:
            days_to_charge = max(0, item.days_overdue - charged_days.get(item.invoice.id, 0))
            item.interest_minor = (
                interest_for(level, policy, account, item.open_minor, days_to_charge)
                if item.days_overdue > 0
                else 0
            )
            items_of_line.append({
                "invoice_id": item.invoice.id, "open_minor": item.open_minor,
                "days_overdue": item.days_overdue,
                "level_id": item.level.id if item.level else None,
                "interest_minor": item.interest_minor,
                "interest_days": days_to_charge if item.interest_minor else 0,
            })
        if line["status"] == "proposed":
            line["fee_minor"] = level.fee_minor
            line["interest_minor"] = sum(i["interest_minor"] for i in items_of_line)
        line_rows.append(line)
        item_rows.append(items_of_line)
    # Proposals are written in bulk (a run may propose tens of thousands of reminders); the
    # run itself is in the audit trail, and approving or cancelling a line is audited per line.
    if line_rows:
        connection = session.connection()
        line_ids = list(connection.execute(
            sa.insert(DunningLine.__table__).returning(DunningLine.__table__.c.id,
                                                       sort_by_parameter_order=True),
            line_rows).scalars())
        flat = [{**item, "line_id": line_id}
                for line_id, items in zip(line_ids, item_rows, strict=True) for item in items]
        for start in range(0, len(flat), 20_000):
            connection.execute(sa.insert(DunningItem.__table__), flat[start : start + 20_000])
        session.expire(run, ["lines"])
    session.flush()
    run.status = "proposed" if run.lines else "empty"
    session.flush()
    return run


def _contact_time(account: FinanceAccount, now: datetime) -> datetime | None:
    """For individuals, the first moment within 08:00–21:00 in their time zone, or None if now."""
    if not account.is_individual:
        return None
    try:
        zone = ZoneInfo(account.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    start, end = CONTACT_HOURS
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def render(template_text: str, values: dict[str, str]) -> str:
    """Fill {merge_fields}; unknown fields are left visible rather than failing the run."""

    class Keep(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return string.Formatter().vformat(template_text, (), Keep(values))


def approve_run(
    session: Session,
    run: DunningRun,
    *,
    actor: Any,
    line_ids: list[int] | None = None,
    public_base_url: str,
    museum_name: str,
    secret_key: str,
) -> list[DunningLine]:
    """Approve proposed lines (all, or ``line_ids``): raise fee invoices, queue the messages.

    Lines whose items were paid since the proposal are dropped ("paid → stops at once").
    Returns the lines sent.
    """
    _actor_check(actor, "finance.collect")
    if run.status not in ("proposed", "approved"):
        raise InvalidTransition("This run has nothing to approve.")
    from catalog.receivables.letters import reminder_pdf
    from catalog.receivables.optout import opt_out_url

    sent: list[DunningLine] = []
    now = utcnow()
    for line in run.lines:
        if line.status != "proposed" or (line_ids is not None and line.id not in line_ids):
            continue
        still_open = []
        for item in line.items:
            open_now = invoice_balance(session, item.invoice_id)
            if open_now > 0:
                still_open.append((item, open_now))
        already = _reached(session, [item.invoice_id for item, _ in still_open])
        triggering = [
            item
            for item, _ in still_open
            if item.level_id is not None
            and item.level_id not in already.get(item.invoice_id, set())
        ]
        if not triggering:
            line.status = "cancelled"
            line.skip_reason = "Paid, or reminded at this level, since the run was proposed."
            continue
        for item in triggering:
            # The database refuses a second (invoice, level): the guarantee against repeats.
            session.add(
                LevelReached(invoice_id=item.invoice_id, level_id=item.level_id, line_id=line.id)
            )
        session.flush()
        account = finance.get_account(session, line.party)
        level = line.level
        charges = line.fee_minor + line.interest_minor
        if charges > 0:
            charge = finance.create_invoice(
                session,
                party=line.party,
                kind="other",
                actor=None,
                currency=line.currency,
                source_type="dunning_line",
                source_id=line.id,
                reference=f"Reminder {run.as_of:%Y-%m-%d}",
            )
            if line.fee_minor:
                finance.add_line(
                    session,
                    charge,
                    description=f"Reminder fee ({level.name})",
                    quantity=1,
                    unit_price_minor=line.fee_minor,
                    tax_rate_bp=0,
                    actor=None,
                )
            if line.interest_minor:
                finance.add_line(
                    session,
                    charge,
                    description="Late payment interest",
                    quantity=1,
                    unit_price_minor=line.interest_minor,
                    tax_rate_bp=0,
                    actor=None,
                )
            finance.issue_invoice(session, charge, actor=None, issue_date=run.as_of)
            line.charge_invoice_id = charge.id
        items_text = "\n".join(
            f"  {item.invoice.number}: {Money(open_now, line.currency)} "
            f"(due {item.invoice.due_date:%d %b %Y}, {item.days_overdue} days overdue)"
            for item, open_now in still_open
        )
        template = level.template_for(account.language)
        recipients = account.mail_recipients()
        values = {
            "party_name": line.party.name,
            "museum_name": museum_name,
            "total_overdue": Money(sum(o for _, o in still_open), line.currency).format(),
            "items": items_text,
            "as_of": f"{run.as_of:%d %B %Y}",
            "level_name": level.name,
            "fee": Money(line.fee_minor, line.currency).format(),
            "interest": Money(line.interest_minor, line.currency).format(),
            "opt_out_url": "",
        }
        subject = render(template.subject if template else f"Reminder: {level.name}", values)
        if line.channel == "email" and recipients:
            for address in recipients:
                values["opt_out_url"] = opt_out_url(
                    public_base_url, secret_key, line.party_id, address
                )
                body = render(template.body if template else "{items}", values)
                if (
                    "{opt_out_url}" not in (template.body if template else "")
                    and values["opt_out_url"]
                ):
                    body += f"\n\nTo stop receiving these e-mails: {values['opt_out_url']}"
                pdf = reminder_pdf(session, line, still_open, museum_name=museum_name, body=body)
                message = enqueue_mail(
                    session,
                    to=address,
                    subject=subject,
                    body_text=body,
                    attachments=(Attachment(f"reminder-{line.id}.pdf", "application/pdf", pdf),),
                    headers={"List-Unsubscribe": f"<{values['opt_out_url']}>"},
                    dedupe_key=f"dunning-line:{line.id}:{address}",
                    send_after=_contact_time(account, now),
                )
                session.flush()
                line.outbox_message_id = message.id
            log_activity(
                session,
                party_id=line.party_id,
                kind="email",
                actor=actor,
                is_contact=True,
                text=f"Reminder e-mailed ({level.name}): {subject}",
            )
        elif line.channel == "phone":
            settings = ensure_settings(session, line.party_id)
            settings.next_action = f"Call about the overdue account ({level.name})"
            settings.next_action_on = run.as_of
            log_activity(
                session,
                party_id=line.party_id,
                kind="task",
                actor=actor,
                text=f"Phone call task for {level.task_role or 'a collector'} ({level.name})",
            )
        else:
            line.channel = "letter"
            log_activity(
                session,
                party_id=line.party_id,
                kind="letter",
                actor=actor,
                is_contact=True,
                text=f"Reminder letter ({level.name}) to print and post",
            )
        line.status = "sent"
        line.sent_at = now
        sent.append(line)
    run.status = "approved"
    run.approved_at = now
    run.approved_by_id = actor.id
    session.flush()
    return sent


def ensure_settings(session: Session, party_id: int) -> CollectionSettings:
    settings = session.scalar(
        sa.select(CollectionSettings).where(CollectionSettings.party_id == party_id)
    )
    if settings is None:
        settings = CollectionSettings(party_id=party_id)
        session.add(settings)
        session.flush()
    return settings


def cancel_line(session: Session, line: DunningLine, *, actor: Any) -> None:
    """A reviewer takes a proposed line out of the run."""
    _actor_check(actor, "finance.collect")
    if line.status != "proposed":
        raise DomainError("Only a proposed line can be taken out of the run.")
    line.status, line.skip_reason = "cancelled", f"Taken out by {actor.email}."
    session.flush()
