"""Finance pages: thin views over :mod:`catalog.finance.services` and :mod:`.bank`."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.audit import history
from catalog.core.errors import DomainError, ValidationError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.money import Money, MoneyError
from catalog.core.permissions import require
from catalog.core.web import refused
from catalog.extensions import db
from catalog.finance import bank, bp, ledger, pdf, services
from catalog.finance.forms import (
    AccountForm,
    BankImportForm,
    ContactForm,
    CreditNoteForm,
    InvoiceForm,
    LineForm,
    PaymentForm,
    PledgeForm,
    ReassignForm,
    RefundForm,
    WriteOffForm,
    choices,
)
from catalog.finance.models import (
    INVOICE_STATUSES,
    Allocation,
    BankImport,
    BankTransaction,
    FinanceAccount,
    FinanceContact,
    Invoice,
    Payment,
    Pledge,
    WriteOff,
)
from catalog.parties.models import Party


def _get(model: Any, ident: int) -> Any:
    record = db.session.get(model, ident)
    if record is None:
        abort(404)
    return record


def _minor(text: str | None, currency: str, field: str = "amount") -> int:
    try:
        return Money.parse(text or "", currency).minor
    except MoneyError as exc:
        raise ValidationError(str(exc), field=field) from exc


def _party_choices() -> list[Any]:
    rows = list(db.session.execute(sa.select(Party.id, Party.name).where(
        Party.merged_into_id.is_(None)).order_by(Party.sort_name).limit(2000)))
    # The list stops at 2,000 names, but a large catalogue has more parties (every maker is
    # one): the party asked for (?party_id=, or the posted form) must still be a valid choice,
    # or its payment is refused as "not a valid choice" (found by the scale load test).
    wanted = request.values.get("party_id", type=int)
    if wanted and all(party_id != wanted for party_id, _ in rows):
        rows += db.session.execute(sa.select(Party.id, Party.name).where(
            Party.id == wanted, Party.merged_into_id.is_(None))).all()
    return choices(rows)


def _as_of() -> date:
    try:
        return date.fromisoformat(request.args.get("as_of", ""))
    except ValueError:
        return services.today()


def _balances(invoices: Any, as_of: date | None = None) -> dict[int, int]:
    """Open amount of each issued invoice in the list (drafts have none), one query."""
    issued = [i.id for i in invoices if i.status != "draft"]
    found = ledger.invoice_balances(db.session, issued, as_of=as_of)
    return {invoice_id: found.get(invoice_id, 0) for invoice_id in issued}


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


# --- overview ----------------------------------------------------------------------------------

@bp.route("/")
@require("finance.view")
def index() -> Any:
    session = db.session
    receivable = ledger.account_id(session, "receivable")
    from catalog.finance.models import LedgerLine

    totals = session.execute(
        sa.select(LedgerLine.currency, sa.func.sum(LedgerLine.amount_minor))
        .where(LedgerLine.account_id == receivable).group_by(LedgerLine.currency)
        .order_by(LedgerLine.currency)).all()
    overdue = list(session.scalars(
        sa.select(Invoice).where(Invoice.status.in_(services.OPEN_STATUSES),
                                 Invoice.due_date < services.today())
        .order_by(Invoice.due_date).limit(20)))
    return render_template(
        "finance/index.html", totals=totals, overdue=overdue,
        balances=_balances(overdue),
        drafts=session.scalar(sa.select(sa.func.count()).select_from(Invoice)
                              .where(Invoice.status == "draft")),
        pending_write_offs=session.scalar(sa.select(sa.func.count()).select_from(WriteOff)
                                          .where(WriteOff.status == "pending")),
        to_review=session.scalar(sa.select(sa.func.count()).select_from(BankTransaction)
                                 .where(BankTransaction.status == "unsure")),
        trial=ledger.account_balances(session, as_of=_as_of()), as_of=_as_of())


def dashboard_panel() -> dict[str, Any]:
    """Receivables per currency, overdue count and work waiting, for the dashboard."""
    from catalog.finance.models import LedgerLine

    session = db.session
    receivable = ledger.account_id(session, "receivable")
    totals = session.execute(
        sa.select(LedgerLine.currency, sa.func.sum(LedgerLine.amount_minor))
        .where(LedgerLine.account_id == receivable).group_by(LedgerLine.currency)
        .order_by(LedgerLine.currency)).all()
    return {
        "totals": totals,
        "overdue": session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(
            Invoice.status.in_(services.OPEN_STATUSES), Invoice.due_date < services.today())),
        "pending_write_offs": session.scalar(sa.select(sa.func.count()).select_from(WriteOff)
                                             .where(WriteOff.status == "pending")),
        "to_review": session.scalar(sa.select(sa.func.count()).select_from(BankTransaction)
                                    .where(BankTransaction.status == "unsure")),
    }


@bp.route("/journal")
@require("finance.view")
def journal() -> Any:
    """The latest journal entries with their lines: every figure traced to its postings."""
    from sqlalchemy.orm import selectinload

    from catalog.finance.models import JournalEntry

    query = (sa.select(JournalEntry).options(selectinload(JournalEntry.lines))
             .order_by(JournalEntry.id.desc()).limit(200))
    source = request.args.get("source_type")
    if source:
        query = query.where(JournalEntry.source_type == source)
    invoice_id = request.args.get("invoice_id", type=int)
    if invoice_id:
        from catalog.finance.models import LedgerLine

        query = query.where(JournalEntry.id.in_(
            sa.select(LedgerLine.entry_id).where(LedgerLine.invoice_id == invoice_id)))
    entries = db.session.scalars(query).all()
    reversed_ids = set(db.session.scalars(sa.select(JournalEntry.reverses_id).where(
        JournalEntry.reverses_id.in_([e.id for e in entries]))))
    return render_template("finance/journal.html", entries=entries, reversed_ids=reversed_ids)


# --- accounts ----------------------------------------------------------------------------------

@bp.route("/accounts")
@require("finance.view")
def accounts() -> Any:
    picked = request.args.get("party_id", type=int)
    if picked:
        return redirect(url_for("finance.party", party_id=picked))
    rows = db.session.scalars(sa.select(FinanceAccount).join(Party)
                              .order_by(Party.sort_name).limit(500)).all()
    return render_template("finance/accounts.html", accounts=rows, parties=_party_choices())


def _party_page(party: Party, *, account_form: AccountForm | None = None,
                contact_form: ContactForm | None = None, refund_form: RefundForm | None = None,
                status: int = 200) -> Any:
    session = db.session
    account = services.get_account(session, party)
    as_of = _as_of()
    if account_form is None:
        account_form = AccountForm(obj=account)
    currencies = sorted(set(ledger.party_currencies(session, party.id)) | {account.currency})
    balances = [(c, ledger.party_receivable(session, party.id, c, as_of=as_of),
                 ledger.party_unapplied(session, party.id, c, as_of=as_of)) for c in currencies]
    invoices = session.scalars(sa.select(Invoice).where(Invoice.party_id == party.id)
                               .order_by(Invoice.id.desc()).limit(200)).all()
    payments = session.scalars(sa.select(Payment).where(Payment.party_id == party.id)
                               .order_by(Payment.received_on.desc(), Payment.id.desc())
                               .limit(100)).all()
    html = render_template(
        "finance/party.html", party=party, account=account, account_form=account_form,
        contact_form=contact_form or ContactForm(prefix="contact"),
        refund_form=refund_form or RefundForm(prefix="refund", currency=account.currency),
        balances=balances, invoices=invoices, payments=payments, as_of=as_of,
        open_by_invoice=_balances(invoices, as_of=as_of),
        statement=services.statement_rows(session, party.id, account.currency, as_of=as_of),
        changes=session.scalars(history("finance_accounts", account.id).limit(30)).all(),
        form=EmptyForm())
    return html, status


@bp.route("/parties/<int:party_id>")
@require("finance.view")
def party(party_id: int) -> Any:
    return _party_page(_get(Party, party_id))


@bp.route("/parties/<int:party_id>/settings", methods=["POST"])
@require("finance.edit")
def party_settings(party_id: int) -> Any:
    record = _get(Party, party_id)
    form = AccountForm()
    if form.validate_on_submit():
        try:
            services.update_account(
                db.session, record, kind=form.kind.data, currency=form.currency.data or "",
                payment_terms_days=form.payment_terms_days.data or 0,
                time_zone=form.time_zone.data or "", credit_hold=bool(form.credit_hold.data),
                language=form.language.data or "en", actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Finance settings saved.", "success")
            return redirect(url_for("finance.party", party_id=party_id))
    return _party_page(record, account_form=form, status=422)


@bp.route("/parties/<int:party_id>/contacts", methods=["POST"])
@require("finance.edit")
def add_contact(party_id: int) -> Any:
    record = _get(Party, party_id)
    form = ContactForm(prefix="contact")
    if form.validate_on_submit():
        try:
            services.add_contact(db.session, record, name=form.name.data or "",
                                 email=form.email.data or "",
                                 email_opt_out=bool(form.email_opt_out.data), actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Contact added.", "success")
            return redirect(url_for("finance.party", party_id=party_id))
    return _party_page(record, contact_form=form, status=422)


@bp.route("/contacts/<int:contact_id>/opt-out", methods=["POST"])
@require("finance.edit")
def toggle_opt_out(contact_id: int) -> Any:
    contact = _get(FinanceContact, contact_id)
    services.set_contact_opt_out(db.session, contact, opt_out=not contact.email_opt_out,
                                 actor=current_user)
    flash(f"{contact.email} {'opted out of' if contact.email_opt_out else 'accepts'} e-mail.",
          "success")
    return redirect(url_for("finance.party", party_id=contact.account.party_id))


@bp.route("/parties/<int:party_id>/apply", methods=["POST"])
@require("finance.edit")
def apply_unapplied(party_id: int) -> Any:
    record = _get(Party, party_id)
    currency = request.form.get("currency") or services.get_account(db.session, record).currency
    try:
        plan = services.apply_unapplied(db.session, party=record, currency=currency,
                                        actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("finance.party", party_id=party_id))
    flash(f"Unapplied cash applied to {len(plan)} invoice(s).", "success")
    return redirect(url_for("finance.party", party_id=party_id))


@bp.route("/parties/<int:party_id>/refund", methods=["POST"])
@require("finance.edit")
def refund(party_id: int) -> Any:
    record = _get(Party, party_id)
    form = RefundForm(prefix="refund")
    if form.validate_on_submit():
        try:
            currency = (form.currency.data or "").upper()
            services.refund_unapplied(db.session, party=record, currency=currency,
                                      amount_minor=_minor(form.amount.data, currency),
                                      method=form.method.data, reference=form.reference.data,
                                      actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Refund recorded.", "success")
            return redirect(url_for("finance.party", party_id=party_id))
    return _party_page(record, refund_form=form, status=422)


@bp.route("/parties/<int:party_id>/statement.pdf")
@require("finance.view")
def statement_pdf(party_id: int) -> Any:
    record = _get(Party, party_id)
    currency = request.args.get("currency") or services.get_account(db.session, record).currency
    return _pdf(pdf.statement_pdf(db.session, record, currency=currency, as_of=_as_of()),
                f"statement-{party_id}-{_as_of().isoformat()}.pdf")


@bp.route("/parties/<int:party_id>/statement/send", methods=["POST"])
@require("finance.edit")
def send_statement(party_id: int) -> Any:
    record = _get(Party, party_id)
    account = services.get_account(db.session, record)
    try:
        sent = services.send_statement(db.session, record, currency=account.currency,
                                       as_of=services.today(), actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("finance.party", party_id=party_id))
    flash(f"Statement queued for {', '.join(sent)}.", "success")
    return redirect(url_for("finance.party", party_id=party_id))


# --- invoices ----------------------------------------------------------------------------------

@bp.route("/invoices")
@require("finance.view")
def invoices() -> Any:
    status = request.args.get("status") or ""
    overdue = request.args.get("overdue") == "1"
    query = sa.select(Invoice).order_by(Invoice.id.desc()).limit(300)
    if status in INVOICE_STATUSES:
        query = query.where(Invoice.status == status)
    if overdue:
        query = query.where(Invoice.status.in_(services.OPEN_STATUSES),
                            Invoice.due_date < services.today())
    rows = db.session.scalars(query).all()
    return render_template("finance/invoices.html", invoices=rows, status=status,
                           overdue=overdue,
                           statuses=INVOICE_STATUSES,
                           open_by_invoice=_balances(rows))


@bp.route("/invoices/new", methods=["GET", "POST"])
@require("finance.edit")
def new_invoice() -> Any:
    form = InvoiceForm(party_id=request.args.get("party_id", type=int))
    form.party_id.choices = _party_choices()
    if form.validate_on_submit():
        try:
            invoice = services.create_invoice(
                db.session, party=_get(Party, form.party_id.data), kind=form.kind.data,
                currency=(form.currency.data or None), source_id=form.source_id.data,
                reference=form.reference.data or None, notes=form.notes.data or None,
                actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("finance/invoice_form.html", form=form)
        flash(f"Draft {invoice.label} started; add its lines.", "success")
        return redirect(url_for("finance.invoice", invoice_id=invoice.id))
    if request.method == "POST":
        return render_invalid("finance/invoice_form.html", form=form)
    return render_template("finance/invoice_form.html", form=form)


def _invoice_page(invoice: Invoice, *, line_form: LineForm | None = None,
                  credit_form: CreditNoteForm | None = None,
                  write_off_form: WriteOffForm | None = None, status: int = 200) -> Any:
    session = db.session
    allocations = session.scalars(sa.select(Allocation).where(
        Allocation.invoice_id == invoice.id).order_by(Allocation.id)).all()
    write_offs = session.scalars(sa.select(WriteOff).where(
        WriteOff.invoice_id == invoice.id).order_by(WriteOff.id)).all()
    html = render_template(
        "finance/invoice.html", invoice=invoice,
        open_minor=ledger.invoice_balance(session, invoice.id) if not invoice.is_draft else None,
        line_form=line_form or LineForm(prefix="line"),
        credit_form=credit_form or CreditNoteForm(prefix="credit"),
        write_off_form=write_off_form or WriteOffForm(prefix="wo"),
        allocations=allocations, write_offs=write_offs, form=EmptyForm(),
        changes=session.scalars(history("invoices", invoice.id).limit(30)).all())
    return html, status


@bp.route("/invoices/<int:invoice_id>")
@require("finance.view")
def invoice(invoice_id: int) -> Any:
    return _invoice_page(_get(Invoice, invoice_id))


@bp.route("/invoices/<int:invoice_id>/lines", methods=["POST"])
@require("finance.edit")
def add_line(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    form = LineForm(prefix="line")
    if form.validate_on_submit():
        try:
            try:
                rate = Decimal((form.tax_rate.data or "0").strip().rstrip("%") or "0")
            except InvalidOperation as exc:
                raise ValidationError("The tax rate is a percentage such as 20.",
                                      field="tax_rate") from exc
            bp_rate = rate * 100
            if bp_rate != bp_rate.to_integral_value():
                raise ValidationError("Tax rates have at most two decimals.", field="tax_rate")
            services.add_line(db.session, record, description=form.description.data or "",
                              quantity=(form.quantity.data or "").strip(),
                              unit_price_minor=_minor(form.unit_price.data, record.currency,
                                                      "unit_price"),
                              tax_rate_bp=int(bp_rate), object_id=form.object_id.data,
                              actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Line added.", "success")
            return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    return _invoice_page(record, line_form=form, status=422)


@bp.route("/invoices/<int:invoice_id>/lines/<int:line_id>/delete", methods=["POST"])
@require("finance.edit")
def remove_line(invoice_id: int, line_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    services.remove_line(db.session, record, line_id, actor=current_user)
    flash("Line removed.", "success")
    return redirect(url_for("finance.invoice", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/delete", methods=["POST"])
@require("finance.edit")
def delete_draft(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    party_id = record.party_id
    try:
        services.delete_draft(db.session, record, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("finance.invoice", invoice_id=invoice_id)), 303
    flash("Draft deleted.", "success")
    return redirect(url_for("finance.party", party_id=party_id))


@bp.route("/invoices/<int:invoice_id>/issue", methods=["POST"])
@require("finance.edit")
def issue(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    try:
        services.issue_invoice(db.session, record, actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("finance.invoice", invoice_id=invoice_id))
    flash(f"Invoice {record.number} issued, due {record.due_date:%d %b %Y}.", "success")
    return redirect(url_for("finance.invoice", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/credit", methods=["POST"])
@require("finance.edit")
def credit(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    form = CreditNoteForm(prefix="credit")
    if form.validate_on_submit():
        try:
            amount = _minor(form.amount.data, record.currency) if (form.amount.data or
                                                                   "").strip() else None
            note = services.create_credit_note(db.session, record, reason=form.reason.data or "",
                                               amount_minor=amount, actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(f"Credit note {note.number} issued.", "success")
            return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    return _invoice_page(record, credit_form=form, status=422)


@bp.route("/invoices/<int:invoice_id>/write-off", methods=["POST"])
@require("finance.edit")
def write_off(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    form = WriteOffForm(prefix="wo")
    if form.validate_on_submit():
        try:
            result = services.request_write_off(
                db.session, record, amount_minor=_minor(form.amount.data, record.currency),
                reason=form.reason.data or "", actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Written off." if result.status == "posted" else
                  "The write-off is above your authority limit and waits for approval.",
                  "success")
            return redirect(url_for("finance.invoice", invoice_id=invoice_id))
    return _invoice_page(record, write_off_form=form, status=422)


@bp.route("/invoices/<int:invoice_id>/send", methods=["POST"])
@require("finance.edit")
def send(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    try:
        sent = services.send_invoice(db.session, record, actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("finance.invoice", invoice_id=invoice_id))
    flash(f"Invoice queued for {', '.join(sent)}.", "success")
    return redirect(url_for("finance.invoice", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/pdf")
@require("finance.view")
def invoice_pdf(invoice_id: int) -> Any:
    record = _get(Invoice, invoice_id)
    return _pdf(pdf.invoice_pdf(db.session, record), f"{record.number or 'draft'}.pdf")


# --- payments ----------------------------------------------------------------------------------

@bp.route("/payments")
@require("finance.view")
def payments() -> Any:
    rows = db.session.scalars(sa.select(Payment).order_by(Payment.received_on.desc(),
                                                          Payment.id.desc()).limit(300)).all()
    return render_template("finance/payments.html", payments=rows)


@bp.route("/payments/<int:payment_id>")
@require("finance.view")
def payment(payment_id: int) -> Any:
    record = _get(Payment, payment_id)
    return render_template("finance/payment.html", payment=record, form=EmptyForm(),
                           invoices={a.invoice_id: db.session.get(Invoice, a.invoice_id)
                                     for a in record.allocations},
                           changes=db.session.scalars(history("payments", record.id)).all())


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@require("finance.edit")
def reverse_payment(payment_id: int) -> Any:
    record = _get(Payment, payment_id)
    try:
        services.reverse_payment(db.session, record, reason=request.form.get("reason", ""),
                                 actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("finance.payment", payment_id=payment_id)), 303
    flash("Payment reversed; the invoices it paid are open again.", "success")
    return redirect(url_for("finance.payment", payment_id=payment_id))


def _posted_allocations(currency: str) -> dict[int, int]:
    """The amounts typed against invoices (``alloc-<invoice id>``), whatever the page showed.

    Every posted invoice counts, not only those open when this request began: an invoice
    another clerk has just paid must be refused by the service ("paid, takes no payment"),
    not dropped so that the money silently becomes unapplied cash.
    """
    allocations: dict[int, int] = {}
    for name, text in request.form.items():
        match = re.fullmatch(r"alloc-(\d{1,9})", name)
        if match and text.strip():
            allocations[int(match.group(1))] = _minor(text.strip(), currency, "allocations")
    return allocations


@bp.route("/payments/new", methods=["GET", "POST"])
@require("finance.edit")
def new_payment() -> Any:
    party_id = request.args.get("party_id", type=int)
    form = PaymentForm(party_id=party_id, received_on=services.today())
    form.party_id.choices = _party_choices()
    payer = db.session.get(Party, form.party_id.data or party_id or 0) if (
        form.party_id.data or party_id) else None
    if payer is not None and request.method == "GET":
        form.currency.data = services.get_account(db.session, payer).currency
    open_items = services.open_invoices(db.session, payer.id) if payer else []
    open_by_invoice = _balances(open_items)
    context = {"form": form, "payer": payer, "open_items": open_items,
               "open_by_invoice": open_by_invoice}
    if form.validate_on_submit() and payer is not None:
        try:
            currency = (form.currency.data or "").upper()
            allocations = None
            if form.mode.data == "manual":
                allocations = _posted_allocations(currency)
            record = services.record_payment(
                db.session, party=payer, amount_minor=_minor(form.amount.data, currency),
                currency=currency, received_on=form.received_on.data,
                method=form.method.data, reference=form.reference.data, actor=current_user,
                allocations=allocations)
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("finance/payment_form.html", **context)
        allocated = sum(a.amount_minor for a in record.allocations)
        rest = record.amount_minor - allocated
        flash(f"Payment of {Money(record.amount_minor, currency)} recorded"
              + (f"; {Money(rest, currency)} kept as unapplied cash." if rest else "."),
              "success")
        return redirect(url_for("finance.payment", payment_id=record.id))
    if request.method == "POST":
        return render_invalid("finance/payment_form.html", **context)
    return render_template("finance/payment_form.html", **context)


# --- pledges -----------------------------------------------------------------------------------

@bp.route("/pledges")
@require("finance.view")
def pledges() -> Any:
    rows = db.session.scalars(sa.select(Pledge).order_by(Pledge.id.desc()).limit(300)).all()
    return render_template("finance/pledges.html", pledges=rows, form=EmptyForm(),
                           paid={p.id: services.pledge_paid_minor(db.session, p) for p in rows})


@bp.route("/pledges/new", methods=["GET", "POST"])
@require("finance.edit")
def new_pledge() -> Any:
    form = PledgeForm(pledged_on=services.today(), first_due=services.today())
    form.party_id.choices = _party_choices()
    if form.validate_on_submit():
        try:
            currency = (form.currency.data or "").upper()
            record = services.create_pledge(
                db.session, party=_get(Party, form.party_id.data), currency=currency,
                total_minor=_minor(form.total.data, currency, "total"),
                pledged_on=form.pledged_on.data, purpose=form.purpose.data or "",
                instalments=form.instalments.data or 1, first_due=form.first_due.data,
                every_months=form.every_months.data or 12, actor=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("finance/pledge_form.html", form=form)
        flash("Pledge recorded; its instalments are invoiced as they fall due.", "success")
        return redirect(url_for("finance.pledge", pledge_id=record.id))
    if request.method == "POST":
        return render_invalid("finance/pledge_form.html", form=form)
    return render_template("finance/pledge_form.html", form=form)


@bp.route("/pledges/<int:pledge_id>")
@require("finance.view")
def pledge(pledge_id: int) -> Any:
    record = _get(Pledge, pledge_id)
    return render_template("finance/pledge.html", pledge=record, form=EmptyForm(),
                           paid=services.pledge_paid_minor(db.session, record))


@bp.route("/pledges/<int:pledge_id>/cancel", methods=["POST"])
@require("finance.edit")
def cancel_pledge(pledge_id: int) -> Any:
    record = _get(Pledge, pledge_id)
    try:
        services.cancel_pledge(db.session, record, reason=request.form.get("reason", ""),
                               actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("finance.pledge", pledge_id=pledge_id)), 303
    flash("Pledge cancelled; no further instalments will be invoiced.", "success")
    return redirect(url_for("finance.pledge", pledge_id=pledge_id))


@bp.route("/pledges/raise", methods=["POST"])
@require("finance.edit")
def raise_instalments() -> Any:
    raised = services.raise_instalments(db.session, as_of=services.today(), actor=current_user)
    flash(f"{len(raised)} instalment invoice(s) raised.", "success")
    return redirect(url_for("finance.pledges"))


@bp.route("/pledges/<int:pledge_id>/acknowledgement.pdf")
@require("finance.view")
def acknowledgement_pdf(pledge_id: int) -> Any:
    record = _get(Pledge, pledge_id)
    return _pdf(pdf.gift_acknowledgement_pdf(db.session, record),
                f"gift-acknowledgement-{pledge_id}.pdf")


# --- write-offs --------------------------------------------------------------------------------

@bp.route("/write-offs")
@require("finance.view")
def write_offs() -> Any:
    rows = db.session.scalars(sa.select(WriteOff).order_by(
        (WriteOff.status == "pending").desc(), WriteOff.id.desc()).limit(300)).all()
    return render_template("finance/write_offs.html", write_offs=rows, form=EmptyForm(),
                           covers=lambda w: services.covers(current_user, w.amount_minor,
                                                            w.currency))


@bp.route("/write-offs/<int:write_off_id>/<action>", methods=["POST"])
@require("finance.edit")
def decide_write_off(write_off_id: int, action: str) -> Any:
    record = _get(WriteOff, write_off_id)
    actions = {"approve": services.approve_write_off, "reject": services.reject_write_off,
               "recover": services.recover_write_off}
    if action not in actions:
        abort(404)
    try:
        actions[action](db.session, record, actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("finance.write_offs"))
    flash(f"Write-off {action}d." if action != "reject" else "Write-off rejected.", "success")
    return redirect(request.form.get("next") or url_for("finance.write_offs"))


# --- bank --------------------------------------------------------------------------------------

@bp.route("/bank", methods=["GET", "POST"])
@require("finance.view")
def bank_imports() -> Any:
    form = BankImportForm()
    imports = db.session.scalars(sa.select(BankImport).order_by(BankImport.id.desc())
                                 .limit(100)).all()
    if request.method == "POST":
        if not current_user.can("finance.edit"):
            abort(403)
        if form.validate_on_submit():
            upload = form.file.data
            try:
                record = bank.import_statement(db.session, filename=upload.filename or "upload",
                                               data=upload.read(), actor=current_user,
                                               default_currency=(form.currency.data or
                                                                 "GBP").upper())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                counts: dict[str, int] = {}
                for txn in record.transactions:
                    counts[txn.status] = counts.get(txn.status, 0) + 1
                summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none new"
                flash(f"Imported {record.transaction_count} transaction(s) ({summary}); "
                      f"{record.skipped_count} already known were skipped.", "success")
                return redirect(url_for("finance.bank_review"))
        return render_invalid("finance/bank.html", form=form, imports=imports)
    return render_template("finance/bank.html", form=form, imports=imports)


@bp.route("/bank/review")
@require("finance.view")
def bank_review() -> Any:
    show = request.args.get("show", "review")
    query = sa.select(BankTransaction).order_by(BankTransaction.booked_on.desc(),
                                                BankTransaction.id.desc()).limit(300)
    if show == "review":
        query = query.where(BankTransaction.status.in_(["unsure", "unmatched"]))
    rows = db.session.scalars(query).all()
    return render_template("finance/bank_review.html", transactions=rows, show=show,
                           form=EmptyForm(), reassign_form=ReassignForm())


@bp.route("/bank/transactions/<int:txn_id>/<action>", methods=["POST"])
@require("finance.edit")
def bank_decide(txn_id: int, action: str) -> Any:
    txn = _get(BankTransaction, txn_id)
    try:
        if action == "confirm":
            bank.confirm_transaction(db.session, txn, actor=current_user)
        elif action == "ignore":
            bank.ignore_transaction(db.session, txn, actor=current_user)
        elif action == "reassign":
            bank.reassign_transaction(db.session, txn,
                                      invoice_number=request.form.get("invoice_number", ""),
                                      actor=current_user)
        else:
            abort(404)
    except DomainError as exc:
        return refused(exc.message, url_for("finance.bank_review"))
    flash(f"Transaction {txn.status_label.lower()}.", "success")
    return redirect(url_for("finance.bank_review"))
