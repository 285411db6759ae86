"""Finance use cases: accounts, invoices, credit notes, payments, pledges, write-offs.

Every money movement posts one balanced journal entry through :func:`catalog.finance.ledger.
post_entry`; invoice balances and statuses follow from the ledger. Services never commit.
Rows that money is allocated against are locked (``FOR UPDATE``) before their open amount is
read, so two clerks paying the same invoice at once cannot over-allocate it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, InvalidTransition, NotFoundError, ValidationError
from catalog.core.money import Money, MoneyError, check_currency
from catalog.core.permissions import check, has_permission
from catalog.finance.ledger import (
    Line,
    insert_if_missing,
    invoice_balance,
    party_unapplied,
    post_entry,
    reverse_entry,
)
from catalog.finance.models import (
    ACCOUNT_KINDS,
    INVOICE_KINDS,
    PAYMENT_METHODS,
    Allocation,
    CreditNote,
    FinanceAccount,
    FinanceContact,
    Invoice,
    InvoiceLine,
    JournalEntry,
    NumberSeries,
    Payment,
    Pledge,
    PledgeInstalment,
    Refund,
    WriteOff,
)
from catalog.parties.models import Party

#: series code -> number prefix; numbers look like INV-000042
SERIES_PREFIX = {"INV": "INV-", "CN": "CN-"}

#: invoices that still accept payments
OPEN_STATUSES = ("issued", "partly_paid")


def today() -> date:
    """Today's business date in the museum's time zone."""
    try:
        from flask import current_app

        zone = ZoneInfo(current_app.config.get("MUSEUM_TIMEZONE", "UTC"))
    except RuntimeError:  # outside the application
        zone = ZoneInfo("UTC")
    return utcnow().astimezone(zone).date()


def _actor_check(actor: Any, permission: str) -> None:
    # System jobs (pledge instalments, bank matching from the CLI) act with actor=None.
    if actor is not None:
        check(actor, permission)


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


# --- accounts ----------------------------------------------------------------------------------

def get_account(session: Session, party: Party, *, create: bool = True) -> FinanceAccount:
    """The party's finance settings, created with defaults on first use."""
    query = sa.select(FinanceAccount).where(FinanceAccount.party_id == party.id)
    account = session.scalar(query)
    if account is None:
        if not create:
            raise NotFoundError(f"{party.name} has no finance account yet.")
        session.flush()  # the party itself may be new
        # In a savepoint, so that a clerk creating the same account at the same moment makes
        # this insert fail harmlessly (the other's row is then read); the ORM insert keeps the
        # creation in the audit trail.
        try:
            with session.begin_nested():
                session.add(FinanceAccount(
                    party_id=party.id, party=party,
                    kind="individual" if party.kind == "person" else "institution"))
        except sa.exc.IntegrityError:
            pass
        account = session.scalar(query)
        assert account is not None
    return account


def update_account(session: Session, party: Party, *, kind: str, currency: str,
                   payment_terms_days: int, time_zone: str, credit_hold: bool, language: str,
                   actor: Any) -> FinanceAccount:
    """Change a party's finance settings.

    Raises:
        ValidationError: an unknown kind, currency or time zone, or terms outside 0–365 days.
    """
    _actor_check(actor, "finance.edit")
    if kind not in ACCOUNT_KINDS:
        raise ValidationError("Choose institution or individual.", field="kind")
    try:
        currency = check_currency(currency)
    except MoneyError as exc:
        raise ValidationError(str(exc), field="currency") from exc
    if not 0 <= payment_terms_days <= 365:
        raise ValidationError("Payment terms are between 0 and 365 days.",
                              field="payment_terms_days")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{time_zone!r} is not a time zone such as Europe/London.",
                              field="time_zone") from exc
    account = get_account(session, party)
    account.kind = kind
    account.currency = currency
    account.payment_terms_days = payment_terms_days
    account.time_zone = time_zone
    account.credit_hold = credit_hold
    account.language = (language or "en").strip().lower()[:8]
    session.flush()
    return account


def add_contact(session: Session, party: Party, *, name: str, email: str, email_opt_out: bool,
                actor: Any) -> FinanceContact:
    """Add a billing contact to the party's finance account."""
    _actor_check(actor, "finance.edit")
    email = (email or "").strip()
    if "@" not in email or len(email) > 320:
        raise ValidationError("Give the contact's e-mail address.", field="email")
    account = get_account(session, party)
    contact = FinanceContact(account_id=account.id, name=(name or "").strip(), email=email,
                             email_opt_out=email_opt_out)
    session.add(contact)
    session.flush()
    session.refresh(account, ["contacts"])
    return contact


def set_contact_opt_out(session: Session, contact: FinanceContact, *, opt_out: bool,
                        actor: Any) -> None:
    _actor_check(actor, "finance.edit")
    contact.email_opt_out = opt_out
    session.flush()


# --- invoices ----------------------------------------------------------------------------------

def line_amounts(quantity: Decimal, unit_price_minor: int, tax_rate_bp: int) -> tuple[int, int]:
    """Net and tax of a line in minor units, each rounded half-even once, per line."""
    net = (Decimal(quantity) * Decimal(unit_price_minor)).quantize(Decimal(1), ROUND_HALF_EVEN)
    tax = (net * Decimal(tax_rate_bp) / Decimal(10_000)).quantize(Decimal(1), ROUND_HALF_EVEN)
    return int(net), int(tax)


def create_invoice(session: Session, *, party: Party, kind: str, actor: Any,
                   currency: str | None = None, source_type: str | None = None,
                   source_id: int | None = None, reference: str | None = None,
                   notes: str | None = None) -> Invoice:
    """Start a draft invoice. It has no number until it is issued.

    Raises:
        ValidationError: an unknown kind or currency.
    """
    _actor_check(actor, "finance.edit")
    if kind not in INVOICE_KINDS:
        raise ValidationError(f"Unknown kind of invoice {kind!r}.", field="kind")
    account = get_account(session, party)
    try:
        currency = check_currency(currency or account.currency)
    except MoneyError as exc:
        raise ValidationError(str(exc), field="currency") from exc
    invoice = Invoice(kind=kind, party_id=party.id, party=party, currency=currency,
                      status="draft", series="INV",
                      source_type=source_type or INVOICE_KINDS[kind][2],
                      source_id=source_id, reference=reference, notes=notes,
                      created_by_id=getattr(actor, "id", None))
    session.add(invoice)
    session.flush()
    return invoice


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != "draft":
        raise InvalidTransition(
            f"Invoice {invoice.label} is issued and can no longer be changed; "
            "correct it with a credit note.")


def add_line(session: Session, invoice: Invoice, *, description: str, quantity: Decimal | str | int,
             unit_price_minor: int, tax_rate_bp: int = 0, object_id: int | None = None,
             actor: Any) -> InvoiceLine:
    """Add a line to a draft invoice.

    Raises:
        InvalidTransition: the invoice is issued.
        ValidationError: no description, a quantity that is not positive, a negative price,
            a tax rate outside 0–100 %.
    """
    _actor_check(actor, "finance.edit")
    _require_draft(invoice)
    description = (description or "").strip()
    if not description:
        raise ValidationError("Describe what the line charges for.", field="description")
    try:
        qty = Decimal(str(quantity))
    except InvalidOperation as exc:
        raise ValidationError(f"{quantity!r} is not a quantity.", field="quantity") from exc
    if not qty.is_finite() or qty <= 0:
        raise ValidationError("The quantity must be more than zero; to reduce an issued "
                              "invoice, issue a credit note.", field="quantity")
    if qty != qty.quantize(Decimal("0.001")) or qty >= Decimal(1000000000):
        raise ValidationError("Quantities have at most three decimals.", field="quantity")
    if not isinstance(unit_price_minor, int) or unit_price_minor < 0:
        raise ValidationError("The unit price cannot be negative.", field="unit_price")
    if not isinstance(tax_rate_bp, int) or not 0 <= tax_rate_bp <= 10_000:
        raise ValidationError("The tax rate is between 0 and 100 %.", field="tax_rate")
    net, tax = line_amounts(qty, unit_price_minor, tax_rate_bp)
    position = max((line.position for line in invoice.lines), default=0) + 1
    line = InvoiceLine(invoice_id=invoice.id, position=position, description=description[:500],
                       quantity=qty, unit_price_minor=unit_price_minor, tax_rate_bp=tax_rate_bp,
                       net_minor=net, tax_minor=tax, object_id=object_id)
    session.add(line)
    session.flush()
    session.refresh(invoice, ["lines"])
    _recompute(invoice)
    session.flush()
    return line


def remove_line(session: Session, invoice: Invoice, line_id: int, *, actor: Any) -> None:
    """Remove a line from a draft invoice."""
    _actor_check(actor, "finance.edit")
    _require_draft(invoice)
    line = next((line for line in invoice.lines if line.id == line_id), None)
    if line is None:
        raise NotFoundError("That line is not on this invoice.")
    session.delete(line)
    session.flush()
    session.refresh(invoice, ["lines"])
    _recompute(invoice)
    session.flush()


def delete_draft(session: Session, invoice: Invoice, *, actor: Any) -> None:
    """Throw away a draft (it never had a number, so no gap is left)."""
    _actor_check(actor, "finance.edit")
    _require_draft(invoice)
    for line in list(invoice.lines):
        session.delete(line)
    session.flush()
    session.delete(invoice)
    session.flush()


def _recompute(invoice: Invoice) -> None:
    invoice.net_minor = sum(line.net_minor for line in invoice.lines)
    invoice.tax_minor = sum(line.tax_minor for line in invoice.lines)
    invoice.total_minor = invoice.net_minor + invoice.tax_minor


def take_number(session: Session, series: str) -> str:
    """The next number of ``series``, gap-free: the counter row is locked until commit, so a
    rolled-back issue gives its number back and concurrent issues queue."""
    lock = (sa.select(NumberSeries).where(NumberSeries.code == series).with_for_update()
            .execution_options(populate_existing=True))
    row = session.scalar(lock)
    if row is None:
        insert_if_missing(session, NumberSeries, {
            "code": series, "prefix": SERIES_PREFIX.get(series, f"{series}-"),
            "next_number": 1}, "code")
        row = session.scalar(lock)
        assert row is not None
    number = row.next_number
    row.next_number = number + 1
    session.flush()
    return f"{row.prefix}{number:06d}"


def issue_invoice(session: Session, invoice: Invoice, *, actor: Any,
                  issue_date: date | None = None, due_date: date | None = None) -> Invoice:
    """Issue a draft: number it, fix its totals, set the due date, post it to the ledger.

    Raises:
        InvalidTransition: not a draft.
        DomainError: no lines, a zero total, or the party is on credit hold.
    """
    _actor_check(actor, "finance.edit")
    _require_draft(invoice)
    session.refresh(invoice, ["lines"])
    if not invoice.lines:
        raise DomainError("Add at least one line before issuing the invoice.")
    _recompute(invoice)
    if invoice.total_minor <= 0:
        raise DomainError("An invoice for nothing cannot be issued.")
    account = get_account(session, invoice.party)
    if account.credit_hold:
        raise DomainError(f"{invoice.party.name} is on credit hold; no invoice can be issued "
                          "until the hold is lifted.")
    day = issue_date or today()
    invoice.number = take_number(session, invoice.series)
    invoice.issue_date = day
    invoice.due_date = due_date or day + timedelta(days=account.payment_terms_days)
    if invoice.due_date < day:
        raise ValidationError("The due date cannot be before the issue date.")
    invoice.issued_at = utcnow()
    invoice.status = "issued"
    session.flush()
    revenue = INVOICE_KINDS[invoice.kind][1]
    lines = [Line("receivable", invoice.total_minor, invoice.currency, invoice.party_id,
                  invoice.id),
             Line(revenue, -invoice.net_minor, invoice.currency, invoice.party_id, invoice.id)]
    if invoice.tax_minor:
        lines.append(Line("tax", -invoice.tax_minor, invoice.currency, invoice.party_id,
                          invoice.id))
    lines = [line for line in lines if line.amount_minor != 0]
    post_entry(session, lines, entry_date=day, memo=f"Invoice {invoice.number}",
               source_type="invoice", source_id=invoice.id, actor=actor)
    return invoice


def _require_attr(obj: Any, name: str, what: str) -> Any:
    value = getattr(obj, name, None)
    if value is None:
        raise ValidationError(f"The loan has no {what} ({name}); it cannot be invoiced.")
    return value


def invoice_loan_fee(session: Session, *, loan: Any, actor: Any) -> Invoice:
    """Issue the loan fee invoice of an outgoing loan to its borrower.

    Reads ``loan.fee_minor``, ``loan.fee_currency``, ``loan.borrower_id`` and ``loan.number``.
    The invoice is linked to the loan by source ("loan", loan.id), so it can be found again.

    Raises:
        ValidationError: the loan has no fee, currency or borrower.
        DomainError: the loan already has a live fee invoice.
    """
    fee = _require_attr(loan, "fee_minor", "fee")
    currency = _require_attr(loan, "fee_currency", "fee currency")
    borrower_id = _require_attr(loan, "borrower_id", "borrower")
    number = getattr(loan, "number", None) or f"#{loan.id}"
    if not isinstance(fee, int) or fee <= 0:
        raise ValidationError("The loan fee must be a positive amount.")
    existing = session.scalar(sa.select(Invoice).where(
        Invoice.source_type == "loan", Invoice.source_id == loan.id,
        Invoice.status != "void"))
    if existing is not None:
        raise DomainError(f"Loan {number} already has invoice {existing.label}.")
    party = session.get(Party, borrower_id)
    if party is None:
        raise ValidationError("The loan's borrower does not exist.")
    invoice = create_invoice(session, party=party, kind="loan_fee", actor=actor,
                             currency=currency, source_type="loan", source_id=loan.id,
                             reference=f"Loan {number}")
    add_line(session, invoice, description=f"Loan fee, loan {number}", quantity=1,
             unit_price_minor=fee, actor=actor)
    return issue_invoice(session, invoice, actor=actor)


def live_allocations() -> sa.ColumnElement[bool]:
    """Allocations that still count: from unapplied cash, or from a payment not reversed."""
    return sa.or_(Allocation.payment_id.is_(None), Allocation.payment_id.in_(
        sa.select(Payment.id).where(Payment.reversal_entry_id.is_(None))))


def refresh_status(session: Session, invoice: Invoice) -> str:
    """Set the invoice's status from its ledger balance (status is a cache of the ledger)."""
    if invoice.status == "draft":
        return invoice.status
    open_minor = invoice_balance(session, invoice.id)
    credited = sum(cn.total_minor for cn in invoice.credit_notes)
    if credited >= invoice.total_minor:
        status = "void"
    elif open_minor <= 0:
        paid = session.scalar(sa.select(sa.func.count()).select_from(Allocation)
                              .where(Allocation.invoice_id == invoice.id, live_allocations())) or 0
        written = session.scalar(sa.select(sa.func.count()).select_from(WriteOff).where(
            WriteOff.invoice_id == invoice.id, WriteOff.status == "posted")) or 0
        status = "written_off" if written and not paid else "paid"
    elif open_minor < invoice.total_minor - credited:
        status = "partly_paid"
    else:
        status = "issued"
    if status != invoice.status:
        invoice.status = status
        session.flush()
    return status


def lock_invoices(session: Session, ids: Sequence[int]) -> list[Invoice]:
    """Lock invoice rows (ordered by id, so two lockers never deadlock) and reload them."""
    if not ids:
        return []
    return list(session.scalars(
        sa.select(Invoice).where(Invoice.id.in_(sorted(set(ids)))).order_by(Invoice.id)
        .with_for_update(of=Invoice).execution_options(populate_existing=True)))


# --- credit notes ------------------------------------------------------------------------------

def create_credit_note(session: Session, invoice: Invoice, *, reason: str, actor: Any,
                       amount_minor: int | None = None, issue_date: date | None = None
                       ) -> CreditNote:
    """Credit part or all of an issued invoice. A full credit voids the invoice.

    What the credit takes off an unpaid balance reduces the receivable; any excess (the invoice
    was already paid) becomes the party's unapplied cash, to apply elsewhere or refund.

    Raises:
        InvalidTransition: the invoice is a draft or already void.
        ValidationError: no reason, or an amount that is not positive or exceeds what is left
            to credit.
    """
    _actor_check(actor, "finance.edit")
    lock_invoices(session, [invoice.id])
    session.refresh(invoice)
    if invoice.status == "draft":
        raise InvalidTransition("A draft is changed, not credited; delete its lines instead.")
    if invoice.status == "void":
        raise InvalidTransition(f"Invoice {invoice.label} is already void.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the credit note.", field="reason")
    credited = sum(cn.total_minor for cn in invoice.credit_notes)
    creditable = invoice.total_minor - credited
    amount = creditable if amount_minor is None else amount_minor
    if not isinstance(amount, int) or amount <= 0:
        raise ValidationError("The credit must be a positive amount.", field="amount")
    if amount > creditable:
        raise ValidationError(
            f"At most {_money(creditable, invoice.currency)} of invoice {invoice.label} "
            "is left to credit.", field="amount")
    tax = int((Decimal(amount) * Decimal(invoice.tax_minor) / Decimal(invoice.total_minor))
              .quantize(Decimal(1), ROUND_HALF_EVEN)) if invoice.total_minor else 0
    if amount == creditable:  # the last credit takes exactly what is left of the tax
        tax = invoice.tax_minor - sum(cn.tax_minor for cn in invoice.credit_notes)
    net = amount - tax
    day = issue_date or today()
    note = CreditNote(invoice_id=invoice.id, party_id=invoice.party_id,
                      number=take_number(session, "CN"), issue_date=day, reason=reason[:500],
                      currency=invoice.currency, net_minor=net, tax_minor=tax,
                      total_minor=amount, created_by_id=getattr(actor, "id", None),
                      created_at=utcnow())
    session.add(note)
    session.flush()
    open_minor = max(invoice_balance(session, invoice.id), 0)
    off_receivable = min(open_minor, amount)
    revenue = INVOICE_KINDS[invoice.kind][1]
    lines = [Line(revenue, net, invoice.currency, invoice.party_id, invoice.id),
             Line("tax", tax, invoice.currency, invoice.party_id, invoice.id),
             Line("receivable", -off_receivable, invoice.currency, invoice.party_id, invoice.id),
             Line("unapplied", -(amount - off_receivable), invoice.currency, invoice.party_id,
                  invoice.id)]
    post_entry(session, [line for line in lines if line.amount_minor],
               entry_date=day, memo=f"Credit note {note.number} for {invoice.number}",
               source_type="credit_note", source_id=note.id, actor=actor)
    session.refresh(invoice, ["credit_notes"])
    refresh_status(session, invoice)
    return note


# --- payments ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenItem:
    invoice_id: int
    open_minor: int


def allocate_oldest_first(amount_minor: int, items: Sequence[OpenItem]) -> dict[int, int]:
    """Spread ``amount_minor`` over open items in the order given (oldest first).

    Never allocates more than an item's open amount nor more than the amount; the rest is
    what stays unapplied.
    """
    result: dict[int, int] = {}
    left = amount_minor
    for item in items:
        if left <= 0:
            break
        take = min(left, max(item.open_minor, 0))
        if take > 0:
            result[item.invoice_id] = take
            left -= take
    return result


def open_invoices(session: Session, party_id: int, currency: str | None = None) -> list[Invoice]:
    """The party's invoices that still accept payment, oldest due first."""
    query = (sa.select(Invoice).where(Invoice.party_id == party_id,
                                      Invoice.status.in_(OPEN_STATUSES))
             .order_by(Invoice.due_date, Invoice.issue_date, Invoice.id))
    if currency:
        query = query.where(Invoice.currency == currency)
    return list(session.scalars(query))


def _plan_allocations(session: Session, *, party: Party, currency: str, amount_minor: int,
                      allocations: Mapping[int, int] | None
                      ) -> tuple[dict[int, int], list[Invoice]]:
    """Lock the invoices concerned and check the allocations against their open amounts."""
    if allocations is None:
        candidates = [i.id for i in open_invoices(session, party.id, currency)]
    else:
        candidates = list(allocations)
    locked = lock_invoices(session, candidates)
    by_id = {invoice.id: invoice for invoice in locked}
    if allocations is None:
        ordered = sorted((i for i in locked if i.status in OPEN_STATUSES),
                         key=lambda i: (i.due_date or date.max, i.issue_date or date.max, i.id))
        items = [OpenItem(i.id, invoice_balance(session, i.id)) for i in ordered]
        plan = allocate_oldest_first(amount_minor, items)
    else:
        plan = {}
        for invoice_id, amount in allocations.items():
            invoice = by_id.get(invoice_id)
            if invoice is None:
                raise NotFoundError(f"There is no invoice #{invoice_id}.")
            if not isinstance(amount, int) or amount < 0:
                raise ValidationError(f"The amount allocated to {invoice.label} cannot be "
                                      "negative.", field="allocations")
            if amount == 0:
                continue
            if invoice.party_id != party.id:
                raise ValidationError(f"Invoice {invoice.label} belongs to {invoice.party.name}, "
                                      f"not {party.name}.", field="allocations")
            if invoice.currency != currency:
                raise ValidationError(
                    f"Invoice {invoice.label} is in {invoice.currency}; a payment in {currency} "
                    "cannot settle it.", field="currency")
            if invoice.status not in OPEN_STATUSES:
                raise ValidationError(f"Invoice {invoice.label} is {invoice.status_label.lower()}"
                                      " and takes no payment.", field="allocations")
            open_minor = invoice_balance(session, invoice.id)
            if amount > open_minor:
                raise ValidationError(
                    f"{_money(amount, currency)} is more than the "
                    f"{_money(open_minor, currency)} open on invoice {invoice.label}.",
                    field="allocations")
            plan[invoice_id] = amount
        if sum(plan.values()) > amount_minor:
            raise ValidationError(
                f"The allocations ({_money(sum(plan.values()), currency)}) exceed the "
                f"{_money(amount_minor, currency)} available.", field="allocations")
    return plan, locked


def _allocation_lines(plan: Mapping[int, int], by_id: Mapping[int, Invoice], currency: str,
                      party_id: int) -> list[Line]:
    return [Line("receivable", -amount, currency, party_id, invoice_id)
            for invoice_id, amount in plan.items()]


def record_payment(session: Session, *, party: Party, amount_minor: int, currency: str,
                   received_on: date, method: str, reference: str | None, actor: Any,
                   allocations: Mapping[int, int] | None = None,
                   bank_transaction_id: int | None = None) -> Payment:
    """Record money received and allocate it (oldest first unless ``allocations`` is given).

    What is not allocated is kept as the party's unapplied cash.

    Raises:
        ValidationError: a non-positive amount, an unknown method, the wrong currency, an
            allocation above an invoice's open amount or above the payment. Nothing is posted.
    """
    _actor_check(actor, "finance.edit")
    try:
        currency = check_currency(currency)
    except MoneyError as exc:
        raise ValidationError(str(exc), field="currency") from exc
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValidationError("A payment must be a positive amount.", field="amount")
    if method not in PAYMENT_METHODS:
        raise ValidationError("Choose how the payment was made.", field="method")
    account = get_account(session, party)
    if allocations is None and currency != account.currency and not open_invoices(
            session, party.id, currency):
        raise ValidationError(
            f"{party.name} is billed in {account.currency} and has no open invoice in "
            f"{currency}; a payment in {currency} cannot be recorded against this account.",
            field="currency")
    plan, locked = _plan_allocations(session, party=party, currency=currency,
                                     amount_minor=amount_minor, allocations=allocations)
    payment = Payment(party_id=party.id, party=party, currency=currency,
                      amount_minor=amount_minor, received_on=received_on, method=method,
                      reference=(reference or "").strip()[:200] or None,
                      bank_transaction_id=bank_transaction_id,
                      recorded_by_id=getattr(actor, "id", None), recorded_at=utcnow())
    session.add(payment)
    session.flush()
    by_id = {i.id: i for i in locked}
    lines = [Line("cash", amount_minor, currency, party.id)]
    lines += _allocation_lines(plan, by_id, currency, party.id)
    rest = amount_minor - sum(plan.values())
    if rest:
        lines.append(Line("unapplied", -rest, currency, party.id))
    entry = post_entry(session, lines, entry_date=received_on,
                       memo=f"Payment received ({PAYMENT_METHODS[method]})"
                            + (f" ref {payment.reference}" if payment.reference else ""),
                       source_type="payment", source_id=payment.id, actor=actor)
    _write_allocations(session, plan, by_id, payment_id=payment.id, currency=currency,
                       day=received_on, entry=entry)
    return payment


def _write_allocations(session: Session, plan: Mapping[int, int], by_id: Mapping[int, Invoice],
                       *, payment_id: int | None, currency: str, day: date,
                       entry: JournalEntry) -> None:
    for invoice_id, amount in plan.items():
        session.add(Allocation(payment_id=payment_id, invoice_id=invoice_id, amount_minor=amount,
                               currency=currency, allocated_on=day, entry_id=entry.id))
    session.flush()
    for invoice_id in plan:
        invoice = by_id[invoice_id]
        before = invoice.status
        refresh_status(session, invoice)
        if invoice.status == "paid" and before != "paid" and invoice.kind == "pledge_instalment":
            acknowledge_gift(session, invoice)


def apply_unapplied(session: Session, *, party: Party, currency: str, actor: Any,
                    allocations: Mapping[int, int] | None = None,
                    on: date | None = None) -> dict[int, int]:
    """Apply the party's unapplied cash to its open invoices (oldest first by default).

    Raises:
        DomainError: the party has no unapplied cash in ``currency``.
        ValidationError: as for :func:`record_payment`.
    """
    _actor_check(actor, "finance.edit")
    currency = check_currency(currency)
    lock_party(session, party)
    available = party_unapplied(session, party.id, currency)
    if available <= 0:
        raise DomainError(f"{party.name} has no unapplied cash in {currency}.")
    plan, locked = _plan_allocations(session, party=party, currency=currency,
                                     amount_minor=available, allocations=allocations)
    if not plan:
        raise DomainError(f"{party.name} has no open invoice in {currency} to apply it to.")
    day = on or today()
    total = sum(plan.values())
    lines = [Line("unapplied", total, currency, party.id)]
    lines += _allocation_lines(plan, {i.id: i for i in locked}, currency, party.id)
    entry = post_entry(session, lines, entry_date=day, memo="Unapplied cash applied",
                       source_type="apply_unapplied", source_id=party.id, actor=actor)
    _write_allocations(session, plan, {i.id: i for i in locked}, payment_id=None,
                       currency=currency, day=day, entry=entry)
    return plan


def reverse_payment(session: Session, payment: Payment, *, reason: str, actor: Any,
                    on: date | None = None) -> Payment:
    """Undo a payment (a bounced cheque, a payment recorded in error) by a reversal entry.

    The invoices it paid are open again. Refused when part of the payment's unapplied cash has
    since been applied elsewhere or refunded: there would be less cash to take back than it left.

    Raises:
        InvalidTransition: already reversed.
        ValidationError: no reason.
        DomainError: its unapplied cash has been used since.
    """
    _actor_check(actor, "finance.edit")
    if payment.is_reversed:
        raise InvalidTransition("This payment has already been reversed.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for reversing the payment.", field="reason")
    invoices = lock_invoices(session, [a.invoice_id for a in payment.allocations])
    lock_party(session, payment.party)
    left_unapplied = payment.amount_minor - sum(a.amount_minor for a in payment.allocations)
    if left_unapplied > party_unapplied(session, payment.party_id, payment.currency):
        raise DomainError("Some of this payment's unapplied cash has since been applied or "
                          "refunded, so it cannot be reversed as a whole.")
    entry = session.scalar(sa.select(JournalEntry).where(
        JournalEntry.source_type == "payment", JournalEntry.source_id == payment.id,
        JournalEntry.reverses_id.is_(None)))
    if entry is None:
        raise DomainError("The payment's posting was not found.")
    reversal = reverse_entry(session, entry, entry_date=on or today(),
                             memo=f"Payment reversed: {reason}"[:300], actor=actor)
    payment.reversal_entry_id = reversal.id
    payment.reversal_reason = reason[:300]
    session.flush()
    for invoice in invoices:
        refresh_status(session, invoice)
    return payment


def lock_party(session: Session, party: Party) -> None:
    """Lock the party's finance account row: unapplied cash is spent one clerk at a time."""
    session.execute(sa.select(FinanceAccount.id).where(FinanceAccount.party_id == party.id)
                    .with_for_update())


def refund_unapplied(session: Session, *, party: Party, currency: str, amount_minor: int,
                     method: str, reference: str | None, actor: Any,
                     on: date | None = None) -> Refund:
    """Pay unapplied cash back to the party.

    Raises:
        ValidationError: a non-positive amount or more than the unapplied cash.
    """
    _actor_check(actor, "finance.edit")
    currency = check_currency(currency)
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValidationError("A refund must be a positive amount.", field="amount")
    if method not in PAYMENT_METHODS:
        raise ValidationError("Choose how the refund is paid.", field="method")
    get_account(session, party)
    lock_party(session, party)
    available = party_unapplied(session, party.id, currency)
    if amount_minor > available:
        raise ValidationError(f"{party.name} has only {_money(max(available, 0), currency)} "
                              "of unapplied cash to refund.", field="amount")
    day = on or today()
    entry = post_entry(session, [Line("unapplied", amount_minor, currency, party.id),
                                 Line("refunds", -amount_minor, currency, party.id)],
                       entry_date=day, memo="Refund of unapplied cash",
                       source_type="refund", source_id=party.id, actor=actor)
    refund = Refund(party_id=party.id, currency=currency, amount_minor=amount_minor,
                    refunded_on=day, method=method, reference=(reference or "")[:200] or None,
                    entry_id=entry.id, recorded_by_id=getattr(actor, "id", None))
    session.add(refund)
    session.flush()
    return refund


# --- write-offs --------------------------------------------------------------------------------

def covers(user: Any, amount_minor: int, currency: str) -> bool:
    """True when the user's authority limit covers ``amount_minor`` of ``currency``."""
    limit = getattr(user, "authority_limit_minor", None)
    return (limit is not None and getattr(user, "authority_currency", None) == currency
            and amount_minor <= limit)


def request_write_off(session: Session, invoice: Invoice, *, amount_minor: int, reason: str,
                      actor: Any, on: date | None = None) -> WriteOff:
    """Write off part or all of an invoice's open amount.

    Posted at once when the actor may approve and their authority limit covers the amount;
    otherwise it waits for approval.

    Raises:
        ValidationError: no reason, a non-positive amount, or more than the open amount.
    """
    _actor_check(actor, "finance.edit")
    lock_invoices(session, [invoice.id])
    session.refresh(invoice)
    if invoice.status not in OPEN_STATUSES:
        raise InvalidTransition(f"Invoice {invoice.label} is {invoice.status_label.lower()}; "
                                "there is nothing to write off.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the write-off.", field="reason")
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValidationError("The write-off must be a positive amount.", field="amount")
    open_minor = invoice_balance(session, invoice.id)
    pending = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(WriteOff.amount_minor), 0))
                             .where(WriteOff.invoice_id == invoice.id,
                                    WriteOff.status == "pending")) or 0
    if amount_minor > open_minor - pending:
        raise ValidationError(
            f"Only {_money(open_minor - pending, invoice.currency)} of invoice {invoice.label} "
            "is open (after write-offs waiting for approval).", field="amount")
    write_off = WriteOff(invoice_id=invoice.id, party_id=invoice.party_id,
                         amount_minor=amount_minor, currency=invoice.currency,
                         reason=reason[:500], status="pending",
                         requested_by_id=getattr(actor, "id", None), requested_at=utcnow())
    session.add(write_off)
    session.flush()
    if actor is not None and has_permission(actor, "finance.approve") and covers(
            actor, amount_minor, invoice.currency):
        _post_write_off(session, write_off, approver=actor, on=on)
    return write_off


def post_approved_write_off(session: Session, invoice: Invoice, *, amount_minor: int,
                            reason: str, approver: Any, on: date | None = None) -> WriteOff:
    """Write off an amount already approved elsewhere (e.g. the rest of a paid settlement,
    approved with the settlement within ``approver``'s authority): posted at once.

    Raises:
        DomainError: the approver's authority limit does not cover the amount.
        ValidationError: as for :func:`request_write_off`.
    """
    if approver is not None:
        check(approver, "finance.approve")
    if approver is not None and not covers(approver, amount_minor, invoice.currency):
        raise DomainError("The approver's authority limit does not cover this write-off.")
    write_off = request_write_off(session, invoice, amount_minor=amount_minor, reason=reason,
                                  actor=None, on=on)
    _post_write_off(session, write_off, approver=approver, on=on)
    return write_off


def _post_write_off(session: Session, write_off: WriteOff, *, approver: Any,
                    on: date | None) -> None:
    invoice = write_off.invoice
    day = on or today()
    entry = post_entry(session, [
        Line("write_off", write_off.amount_minor, write_off.currency, write_off.party_id,
             invoice.id),
        Line("receivable", -write_off.amount_minor, write_off.currency, write_off.party_id,
             invoice.id),
    ], entry_date=day, memo=f"Write-off on {invoice.number}: {write_off.reason}"[:300],
        source_type="write_off", source_id=write_off.id, actor=approver)
    write_off.entry_id = entry.id
    write_off.status = "posted"
    write_off.approved_by_id = getattr(approver, "id", None)
    write_off.decided_at = utcnow()
    session.flush()
    refresh_status(session, invoice)


def approve_write_off(session: Session, write_off: WriteOff, *, actor: Any,
                      on: date | None = None) -> WriteOff:
    """Approve a pending write-off within the approver's authority limit.

    Raises:
        PermissionDenied: no finance.approve permission.
        DomainError: the approver's limit does not cover it, or the open amount has shrunk.
    """
    check(actor, "finance.approve")
    if write_off.status != "pending":
        raise InvalidTransition("Only a write-off waiting for approval can be approved.")
    if not covers(actor, write_off.amount_minor, write_off.currency):
        raise DomainError(
            "Your authority limit does not cover "
            f"{_money(write_off.amount_minor, write_off.currency)}; "
            "a user with a higher limit must approve it.")
    lock_invoices(session, [write_off.invoice_id])
    if write_off.amount_minor > invoice_balance(session, write_off.invoice_id):
        raise DomainError("The invoice's open amount is now less than the write-off; "
                          "reject it and request a new one.")
    _post_write_off(session, write_off, approver=actor, on=on)
    return write_off


def reject_write_off(session: Session, write_off: WriteOff, *, actor: Any) -> WriteOff:
    check(actor, "finance.approve")
    if write_off.status != "pending":
        raise InvalidTransition("Only a write-off waiting for approval can be rejected.")
    write_off.status = "rejected"
    write_off.approved_by_id = actor.id
    write_off.decided_at = utcnow()
    session.flush()
    return write_off


def recover_write_off(session: Session, write_off: WriteOff, *, actor: Any,
                      on: date | None = None) -> WriteOff:
    """The debtor paid after all: reverse the write-off so the invoice is open again."""
    _actor_check(actor, "finance.edit")
    if write_off.status != "posted" or write_off.entry_id is None:
        raise InvalidTransition("Only a posted write-off can be recovered.")
    lock_invoices(session, [write_off.invoice_id])
    entry = session.get(JournalEntry, write_off.entry_id)
    assert entry is not None
    reversal = reverse_entry(session, entry, entry_date=on or today(),
                             memo=f"Recovery of write-off on {write_off.invoice.number}",
                             actor=actor)
    write_off.recovery_entry_id = reversal.id
    write_off.status = "recovered"
    session.flush()
    refresh_status(session, write_off.invoice)
    return write_off


# --- pledges -----------------------------------------------------------------------------------

def _add_months(day: date, months: int) -> date:
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def create_pledge(session: Session, *, party: Party, currency: str, total_minor: int,
                  pledged_on: date, purpose: str, instalments: int, first_due: date,
                  every_months: int = 12, actor: Any) -> Pledge:
    """Record a donor's pledge with an even instalment schedule (the last takes the rest).

    Raises:
        ValidationError: a non-positive total, fewer than one or more than 120 instalments,
            more instalments than minor units.
    """
    _actor_check(actor, "finance.edit")
    currency = check_currency(currency)
    if not isinstance(total_minor, int) or total_minor <= 0:
        raise ValidationError("A pledge must be a positive amount.", field="total")
    if not 1 <= instalments <= 120 or instalments > total_minor:
        raise ValidationError("Between 1 and 120 instalments.", field="instalments")
    if not 1 <= every_months <= 24:
        raise ValidationError("Instalments are 1 to 24 months apart.", field="every_months")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError("Say what the pledge supports.", field="purpose")
    get_account(session, party)
    pledge = Pledge(party_id=party.id, party=party, currency=currency, total_minor=total_minor,
                    pledged_on=pledged_on, purpose=purpose[:300], status="active")
    session.add(pledge)
    session.flush()
    share = total_minor // instalments
    for index in range(instalments):
        amount = share if index < instalments - 1 else total_minor - share * (instalments - 1)
        session.add(PledgeInstalment(pledge_id=pledge.id,
                                     due_on=_add_months(first_due, index * every_months),
                                     amount_minor=amount))
    session.flush()
    session.refresh(pledge, ["instalments"])
    return pledge


#: instalment invoices are raised this many days before the instalment falls due
INSTALMENT_LEAD_DAYS = 14


def raise_instalments(session: Session, *, as_of: date, actor: Any) -> list[Invoice]:
    """Issue an invoice for every instalment due within :data:`INSTALMENT_LEAD_DAYS` of
    ``as_of`` (or overdue) that has none yet; the invoice is due on the instalment's date.

    Idempotent: each instalment row is locked and its invoice recorded (uniquely), so running
    it twice, or two runs at once, raises each instalment once.
    """
    _actor_check(actor, "finance.edit")
    due_ids = list(session.scalars(
        sa.select(PledgeInstalment.id).join(Pledge)
        .where(PledgeInstalment.invoice_id.is_(None),
               PledgeInstalment.due_on <= as_of + timedelta(days=INSTALMENT_LEAD_DAYS),
               Pledge.status == "active")
        .order_by(PledgeInstalment.due_on, PledgeInstalment.id)))
    raised = []
    for instalment_id in due_ids:
        instalment = session.scalar(
            sa.select(PledgeInstalment).where(PledgeInstalment.id == instalment_id)
            .with_for_update().execution_options(populate_existing=True))
        if instalment is None or instalment.invoice_id is not None:
            continue  # raised by a concurrent run
        pledge = instalment.pledge
        number = pledge.instalments.index(instalment) + 1
        invoice = create_invoice(session, party=pledge.party, kind="pledge_instalment",
                                 actor=actor, currency=pledge.currency,
                                 source_type="pledge_instalment", source_id=instalment.id,
                                 reference=f"Pledge #{pledge.id}")
        add_line(session, invoice, description=(f"Instalment {number} of "
                                                f"{len(pledge.instalments)}: {pledge.purpose}"),
                 quantity=1, unit_price_minor=instalment.amount_minor, actor=actor)
        # due on its scheduled date, whatever the party's usual terms; a late run is dated
        # no later than the due date so that balances as of that date are right
        issue_invoice(session, invoice, actor=actor, issue_date=min(as_of, instalment.due_on),
                      due_date=instalment.due_on)
        instalment.invoice_id = invoice.id
        session.flush()
        raised.append(invoice)
    return raised


def cancel_pledge(session: Session, pledge: Pledge, *, reason: str, actor: Any) -> Pledge:
    """Stop a pledge: instalments not yet invoiced are never raised. Invoices already issued
    stay (credit them if the donor is released from them too)."""
    _actor_check(actor, "finance.edit")
    if pledge.status != "active":
        raise InvalidTransition("This pledge is already cancelled.")
    if not (reason or "").strip():
        raise ValidationError("Give the reason for cancelling the pledge.", field="reason")
    from catalog.core.audit import reason as audit_reason

    with audit_reason(reason.strip()[:300]):
        pledge.status = "cancelled"
        session.flush()
    return pledge


def pledge_paid_minor(session: Session, pledge: Pledge) -> int:
    """What the donor has paid on the pledge so far (allocations to its instalment invoices)."""
    invoice_ids = [i.invoice_id for i in pledge.instalments if i.invoice_id]
    if not invoice_ids:
        return 0
    return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Allocation.amount_minor), 0))
                              .where(Allocation.invoice_id.in_(invoice_ids),
                                     live_allocations())) or 0)


def acknowledge_gift(session: Session, invoice: Invoice) -> None:
    """Send the donor a gift acknowledgement letter (PDF) for a paid pledge instalment."""
    from catalog.core.outbox import Attachment, OutboxMessage, enqueue_mail
    from catalog.finance.pdf import gift_acknowledgement_pdf

    instalment = session.scalar(sa.select(PledgeInstalment).where(
        PledgeInstalment.id == invoice.source_id)) if invoice.source_id else None
    if instalment is None:
        return
    account = get_account(session, invoice.party)
    key = f"gift-ack-invoice-{invoice.id}"
    for address in account.mail_recipients():
        dedupe = f"{key}-{address}"[:200]
        if session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe)):
            continue
        pdf = gift_acknowledgement_pdf(session, instalment.pledge, invoice=invoice)
        enqueue_mail(session, to=address, subject=f"Thank you for your gift ({invoice.number})",
                     body_text=(f"Dear {invoice.party.name},\n\nThank you for your gift of "
                                f"{_money(invoice.total_minor, invoice.currency)} towards "
                                f"{instalment.pledge.purpose}. Our acknowledgement letter is "
                                "attached.\n"),
                     attachments=(Attachment(f"gift-acknowledgement-{invoice.number}.pdf",
                                             "application/pdf", pdf),),
                     dedupe_key=dedupe)
    session.flush()


# --- mail --------------------------------------------------------------------------------------

def send_invoice(session: Session, invoice: Invoice, *, actor: Any) -> list[str]:
    """E-mail the invoice PDF to the party's finance contacts through the outbox.

    Raises:
        InvalidTransition: a draft.
        DomainError: nobody to send it to (no contact, or every contact opted out).
    """
    from catalog.core.outbox import Attachment, enqueue_mail
    from catalog.finance.pdf import invoice_pdf

    _actor_check(actor, "finance.edit")
    if invoice.status == "draft":
        raise InvalidTransition("Issue the invoice before sending it.")
    account = get_account(session, invoice.party)
    recipients = account.mail_recipients()
    if not recipients:
        raise DomainError(f"{invoice.party.name} has no finance contact who accepts e-mail; "
                          "send the PDF by post.")
    pdf = invoice_pdf(session, invoice)
    for address in recipients:
        enqueue_mail(session, to=address, subject=f"Invoice {invoice.number}",
                     body_text=(f"Dear {invoice.party.name},\n\nPlease find attached invoice "
                                f"{invoice.number} for "
                                f"{_money(invoice.total_minor, invoice.currency)}"
                                f", due on {invoice.due_date:%d %B %Y}.\n"),
                     attachments=(Attachment(f"{invoice.number}.pdf", "application/pdf", pdf),))
    session.flush()
    return recipients


def send_statement(session: Session, party: Party, *, currency: str, as_of: date,
                   actor: Any) -> list[str]:
    """E-mail a statement of account (PDF) to the party's finance contacts."""
    from catalog.core.outbox import Attachment, enqueue_mail
    from catalog.finance.pdf import statement_pdf

    _actor_check(actor, "finance.edit")
    account = get_account(session, party)
    recipients = account.mail_recipients()
    if not recipients:
        raise DomainError(f"{party.name} has no finance contact who accepts e-mail.")
    pdf = statement_pdf(session, party, currency=currency, as_of=as_of)
    for address in recipients:
        enqueue_mail(session, to=address, subject=f"Statement of account, {as_of:%d %B %Y}",
                     body_text=f"Dear {party.name},\n\nYour statement of account is attached.\n",
                     attachments=(Attachment(f"statement-{as_of.isoformat()}.pdf",
                                             "application/pdf", pdf),))
    session.flush()
    return recipients


# --- statements --------------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementRow:
    entry_date: date
    memo: str
    debit_minor: int
    credit_minor: int
    balance_minor: int


def statement_rows(session: Session, party_id: int, currency: str, *,
                   as_of: date) -> list[StatementRow]:
    """One row per journal entry touching the party's receivable or unapplied cash, with a
    running balance (positive: the party owes the museum)."""
    from catalog.finance.ledger import chart_ids
    from catalog.finance.models import LedgerLine

    ids = chart_ids(session)
    rows = session.execute(
        sa.select(JournalEntry.entry_date, JournalEntry.id, JournalEntry.memo,
                  sa.func.sum(LedgerLine.amount_minor))
        .join(LedgerLine, LedgerLine.entry_id == JournalEntry.id)
        .where(LedgerLine.party_id == party_id, LedgerLine.currency == currency,
               LedgerLine.account_id.in_([ids["receivable"], ids["unapplied"]]),
               LedgerLine.entry_date <= as_of)
        .group_by(JournalEntry.entry_date, JournalEntry.id, JournalEntry.memo)
        .order_by(JournalEntry.entry_date, JournalEntry.id))
    result = []
    balance = 0
    for day, _id, memo, total in rows:
        amount = int(total)
        if amount == 0:
            continue
        balance += amount
        result.append(StatementRow(day, memo, max(amount, 0), max(-amount, 0), balance))
    return result
