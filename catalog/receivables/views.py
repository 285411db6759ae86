"""Collections pages: work queue, accounts, aging, dunning runs, policies, approvals, reports."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, NotFoundError, ValidationError
from catalog.core.forms import EmptyForm, show_domain_error
from catalog.core.money import Money, MoneyError
from catalog.core.permissions import public, require
from catalog.core.web import refused
from catalog.extensions import db
from catalog.finance import services as finance
from catalog.finance.ledger import invoice_balance, party_currencies
from catalog.finance.models import FinanceContact, Invoice
from catalog.parties.models import Party, PartyRole
from catalog.receivables import accounts, bp, dunning, letters, policies, reports, stops
from catalog.receivables.aging import aging, parse_edges
from catalog.receivables.forms import (
    AssignForm,
    DisputeForm,
    LevelForm,
    NoteForm,
    PauseForm,
    PlacementForm,
    PlanForm,
    PromiseForm,
    RecoveryForm,
    ResolveForm,
    RunForm,
    SettlementForm,
)
from catalog.receivables.models import (
    Activity,
    AgencyPlacement,
    CollectionSettings,
    Dispute,
    DunningLevel,
    DunningPolicy,
    DunningRun,
    PaymentPlan,
    Promise,
    Settlement,
)
from catalog.receivables.optout import read_opt_out_token
from catalog.users.models import User


def _today() -> date:
    return utcnow().date()


def _as_of() -> date:
    text = request.args.get("as_of", "").strip()
    if not text:
        return _today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD).", field="as_of") from None


def _parse_money(text: str | None, currency: str, field: str) -> int:
    try:
        return Money.parse(text or "", currency).minor
    except MoneyError as exc:
        raise ValidationError(str(exc), field=field) from None


def _party(party_id: int) -> Party:
    party = db.session.get(Party, party_id)
    if party is None:
        raise NotFoundError("No such party.")
    return party


def _collectors() -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(~User.is_disabled).order_by(User.name, User.email))
    )


# --- work queue --------------------------------------------------------------------------------


@bp.route("/")
@require("finance.collect")
def queue() -> Any:
    as_of = _as_of()
    mine = request.args.get("mine") == "1"
    entries = accounts.work_queue(
        db.session, as_of=as_of, collector_id=current_user.id if mine else None
    )
    users = {u.id: u for u in _collectors()}
    return render_template(
        "receivables/queue.html", entries=entries, as_of=as_of, mine=mine, users=users
    )


# --- aging -------------------------------------------------------------------------------------


def _aging_report() -> Any:
    try:
        edges = parse_edges(request.args.get("edges"))
    except ValueError as exc:
        raise ValidationError(str(exc), field="edges") from None
    party_id = request.args.get("party_id", type=int)
    by_invoice = request.args.get("by") == "invoice"
    return aging(db.session, as_of=_as_of(), edges=edges, party_id=party_id,
                 with_invoices=by_invoice or party_id is not None)


@bp.route("/aging")
@require("finance.collect")
def aging_report() -> Any:
    report = _aging_report()
    if request.args.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        by_invoice = request.args.get("by") == "invoice"
        if by_invoice:
            writer.writerow(
                ["party", "invoice", "currency", "issued", "due", "days_overdue", "bucket", "open"]
            )
            for party in report.parties:
                for inv in party.invoices:
                    writer.writerow(
                        [
                            party.party_name,
                            inv.number,
                            inv.currency,
                            inv.issue_date,
                            inv.due_date,
                            inv.days_overdue,
                            report.labels[inv.bucket],
                            Money(inv.open_minor, inv.currency).amount,
                        ]
                    )
        else:
            writer.writerow(["party", "currency", *report.labels, "total", "unapplied", "net"])
            for party in report.parties:
                writer.writerow(
                    [
                        party.party_name,
                        party.currency,
                        *[Money(a, party.currency).amount for a in party.buckets],
                        Money(party.total_minor, party.currency).amount,
                        Money(party.unapplied_minor, party.currency).amount,
                        Money(party.net_minor, party.currency).amount,
                    ]
                )
        name = f"aging-{report.as_of}{'-invoices' if by_invoice else ''}.csv"
        return Response(
            buffer.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )
    if request.args.get("format") == "pdf":
        return Response(
            letters.aging_pdf(report),
            mimetype="application/pdf",
            headers={"Content-Disposition": f"inline; filename=aging-{report.as_of}.pdf"},
        )
    return render_template(
        "receivables/aging.html", report=report, edges=",".join(map(str, report.edges))
    )


# --- accounts ----------------------------------------------------------------------------------


def _account_forms(party: Party) -> dict[str, Any]:
    dispute = DisputeForm(prefix="dispute")
    dispute.invoice_id.choices = [
        (i.id, f"{i.label} ({Money(invoice_balance(db.session, i.id), i.currency)} open)")
        for i in finance.open_invoices(db.session, party.id)
    ]
    placement = PlacementForm(prefix="placement")
    agencies = db.session.scalars(
        sa.select(Party).join(PartyRole).where(PartyRole.role == "agency").order_by(Party.sort_name)
    )
    placement.agency_id.choices = [(a.id, a.name) for a in agencies]
    assign = AssignForm(prefix="assign")
    assign.collector_id.choices = [(0, "Nobody")] + [
        (u.id, u.name or u.email) for u in _collectors()
    ]
    assign.policy_id.choices = [(0, "Default for the account's kind")] + [
        (p.id, p.name)
        for p in db.session.scalars(sa.select(DunningPolicy).order_by(DunningPolicy.name))
    ]
    settings = db.session.scalar(
        sa.select(CollectionSettings).where(CollectionSettings.party_id == party.id)
    )
    if settings is not None and request.method == "GET":
        assign.collector_id.data = settings.collector_id or 0
        assign.policy_id.data = settings.policy_id or 0
        assign.next_action.data = settings.next_action
        assign.next_action_on.data = settings.next_action_on
    return {
        "note_form": NoteForm(prefix="note"),
        "promise_form": PromiseForm(prefix="promise"),
        "dispute_form": dispute,
        "plan_form": PlanForm(prefix="plan"),
        "pause_form": PauseForm(prefix="pause"),
        "settlement_form": SettlementForm(prefix="settlement"),
        "placement_form": placement,
        "assign_form": assign,
        "recovery_form": RecoveryForm(prefix="recovery"),
        "resolve_form": ResolveForm(prefix="resolve"),
    }


def _account_context(party: Party, forms: dict[str, Any]) -> dict[str, Any]:
    as_of = _today()
    account = finance.get_account(db.session, party)
    report = aging(db.session, as_of=as_of, party_id=party.id)
    return {
        "party": party,
        "account": account,
        "report": report,
        "as_of": as_of,
        "currency": account.currency,
        "currencies": party_currencies(db.session, party.id) or [account.currency],
        "activities": list(
            db.session.scalars(
                sa.select(Activity)
                .where(Activity.party_id == party.id)
                .order_by(Activity.id.desc())
                .limit(200)
            )
        ),
        "promises": list(
            db.session.scalars(
                sa.select(Promise).where(Promise.party_id == party.id).order_by(Promise.id.desc())
            )
        ),
        "disputes": list(
            db.session.scalars(
                sa.select(Dispute).where(Dispute.party_id == party.id).order_by(Dispute.id.desc())
            )
        ),
        "plans": list(
            db.session.scalars(
                sa.select(PaymentPlan)
                .where(PaymentPlan.party_id == party.id)
                .order_by(PaymentPlan.id.desc())
            )
        ),
        "settlements": list(
            db.session.scalars(
                sa.select(Settlement)
                .where(Settlement.party_id == party.id)
                .order_by(Settlement.id.desc())
            )
        ),
        "placements": list(
            db.session.scalars(
                sa.select(AgencyPlacement)
                .where(AgencyPlacement.party_id == party.id)
                .order_by(AgencyPlacement.id.desc())
            )
        ),
        "hold": stops.hold_for(db.session, party.id, account.currency, as_of),
        "users": {u.id: u for u in _collectors()},
        "action_form": EmptyForm(),
        **forms,
    }


@bp.route("/accounts/<int:party_id>")
@require("finance.collect")
def account(party_id: int) -> Any:
    party = _party(party_id)
    return render_template(
        "receivables/account.html", **_account_context(party, _account_forms(party))
    )


def _account_action(party_id: int, form_key: str, action: Any) -> Any:
    """Validate one of the account page's forms, run its service, redirect or re-render."""
    party = _party(party_id)
    forms = _account_forms(party)
    form = forms[form_key]
    if form.validate_on_submit():
        try:
            message = action(party, form, finance.get_account(db.session, party).currency)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(message, "success")
            return redirect(url_for("receivables.account", party_id=party.id))
    flash("Nothing was saved: please correct the form below.", "error")
    return render_template("receivables/account.html", **_account_context(party, forms)), 422


@bp.route("/accounts/<int:party_id>/activity", methods=["POST"])
@require("finance.collect")
def log_activity(party_id: int) -> Any:
    def action(party: Party, form: NoteForm, currency: str) -> str:
        stops.log_activity(
            db.session,
            party_id=party.id,
            kind=form.kind.data,
            text=form.text.data.strip(),
            actor=current_user,
            is_contact=form.kind.data == "call",
        )
        return "Logged."

    return _account_action(party_id, "note_form", action)


@bp.route("/accounts/<int:party_id>/promise", methods=["POST"])
@require("finance.collect")
def promise(party_id: int) -> Any:
    def action(party: Party, form: PromiseForm, currency: str) -> str:
        stops.record_promise(
            db.session,
            party=party,
            currency=currency,
            amount_minor=_parse_money(form.amount.data, currency, "amount"),
            promised_on=form.promised_on.data,
            grace_days=form.grace_days.data,
            actor=current_user,
            on=_today(),
        )
        return "Promise to pay recorded; dunning pauses until the date plus grace."

    return _account_action(party_id, "promise_form", action)


@bp.route("/accounts/<int:party_id>/dispute", methods=["POST"])
@require("finance.collect")
def dispute(party_id: int) -> Any:
    def action(party: Party, form: DisputeForm, currency: str) -> str:
        invoice = db.session.get(Invoice, form.invoice_id.data)
        if invoice is None or invoice.party_id != party.id:
            raise ValidationError("Choose one of this account's open invoices.", field="invoice_id")
        amount = (
            _parse_money(form.amount.data, invoice.currency, "amount") if form.amount.data else None
        )
        stops.open_dispute(
            db.session,
            invoice=invoice,
            reason_code=form.reason_code.data,
            amount_minor=amount,
            owner=current_user,
            note=form.note.data,
            actor=current_user,
            on=_today(),
        )
        return f"Dispute on {invoice.label} opened; it is left out of reminders."

    return _account_action(party_id, "dispute_form", action)


@bp.route("/disputes/<int:dispute_id>/resolve", methods=["POST"])
@require("finance.collect")
def resolve_dispute(dispute_id: int) -> Any:
    item = db.session.get(Dispute, dispute_id) or abort(404)

    def action(party: Party, form: ResolveForm, currency: str) -> str:
        stops.resolve_dispute(
            db.session, item, resolution=form.resolution.data, actor=current_user, on=_today()
        )
        return "Dispute resolved."

    return _account_action(item.party_id, "resolve_form", action)


def _parse_instalments(text: str, currency: str) -> list[tuple[date, int]]:
    instalments = []
    for number, line in enumerate(text.splitlines(), start=1):
        raw = line.strip()
        if not raw:
            continue
        parts = raw.replace(",", " ").split()
        if len(parts) != 2:
            raise ValidationError(
                f"Line {number}: write a date and an amount, e.g. 2026-07-01 250.00.",
                field="instalments",
            )
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise ValidationError(
                f"Line {number}: {parts[0]!r} is not a date (YYYY-MM-DD).", field="instalments"
            ) from None
        instalments.append((day, _parse_money(parts[1], currency, "instalments")))
    return instalments


@bp.route("/accounts/<int:party_id>/plan", methods=["POST"])
@require("finance.collect")
def plan(party_id: int) -> Any:
    def action(party: Party, form: PlanForm, currency: str) -> str:
        stops.create_plan(
            db.session,
            party=party,
            currency=currency,
            instalments=_parse_instalments(form.instalments.data, currency),
            default_after_missed=form.default_after_missed.data,
            grace_days=form.grace_days.data,
            on_default=form.on_default.data,
            actor=current_user,
            on=_today(),
        )
        return "Payment plan agreed; dunning pauses while it is kept."

    return _account_action(party_id, "plan_form", action)


@bp.route("/accounts/<int:party_id>/pause", methods=["POST"])
@require("finance.collect")
def pause(party_id: int) -> Any:
    def action(party: Party, form: PauseForm, currency: str) -> str:
        stops.pause_dunning(
            db.session,
            party=party,
            until=form.until.data,
            reason=form.reason.data,
            actor=current_user,
            on=_today(),
        )
        return "Dunning paused."

    return _account_action(party_id, "pause_form", action)


@bp.route("/accounts/<int:party_id>/settlement", methods=["POST"])
@require("finance.collect")
def settlement(party_id: int) -> Any:
    def action(party: Party, form: SettlementForm, currency: str) -> str:
        offer = stops.offer_settlement(
            db.session,
            party=party,
            currency=currency,
            accept_minor=_parse_money(form.accept.data, currency, "accept"),
            expires_on=form.expires_on.data,
            note=form.note.data,
            actor=current_user,
            on=_today(),
        )
        if offer.status == "agreed":
            return "Settlement agreed (within your authority limit)."
        return "Settlement offer recorded; it waits for approval by a user whose limit covers it."

    return _account_action(party_id, "settlement_form", action)


@bp.route("/accounts/<int:party_id>/placement", methods=["POST"])
@require("finance.collect")
def placement(party_id: int) -> Any:
    def action(party: Party, form: PlacementForm, currency: str) -> str:
        agency = _party(form.agency_id.data)
        try:
            commission_bp = int(Decimal(form.commission.data) * 100)
        except (InvalidOperation, TypeError):
            raise ValidationError(
                "Commission is a percentage, e.g. 25.", field="commission"
            ) from None
        stops.place_with_agency(
            db.session,
            party=party,
            agency=agency,
            currency=currency,
            commission_bp=commission_bp,
            actor=current_user,
            on=_today(),
        )
        return f"Account placed with {agency.name}; internal dunning is paused."

    return _account_action(party_id, "placement_form", action)


@bp.route("/placements/<int:placement_id>/recovery", methods=["POST"])
@require("finance.collect")
def recovery(placement_id: int) -> Any:
    item = db.session.get(AgencyPlacement, placement_id) or abort(404)

    def action(party: Party, form: RecoveryForm, currency: str) -> str:
        stops.record_recovery(
            db.session,
            item,
            amount_minor=_parse_money(form.amount.data, item.currency, "amount"),
            actor=current_user,
            on=_today(),
        )
        return "Recovery recorded."

    return _account_action(item.party_id, "recovery_form", action)


@bp.route("/placements/<int:placement_id>/<any(recalled, closed):status>", methods=["POST"])
@require("finance.collect")
def end_placement(placement_id: int, status: str) -> Any:
    item = db.session.get(AgencyPlacement, placement_id) or abort(404)
    EmptyForm().validate_on_submit()
    stops.end_placement(db.session, item, status=status, actor=current_user, on=_today())
    flash(f"Placement {status}.", "success")
    return redirect(url_for("receivables.account", party_id=item.party_id))


@bp.route("/accounts/<int:party_id>/assign", methods=["POST"])
@require("finance.collect")
def assign(party_id: int) -> Any:
    def action(party: Party, form: AssignForm, currency: str) -> str:
        settings = dunning.ensure_settings(db.session, party.id)
        settings.collector_id = form.collector_id.data or None
        settings.policy_id = form.policy_id.data or None
        settings.next_action = (form.next_action.data or "").strip() or None
        settings.next_action_on = form.next_action_on.data
        return "Saved."

    return _account_action(party_id, "assign_form", action)


@bp.route("/accounts/<int:party_id>/trail.<any(csv, pdf):fmt>")
@require("finance.collect")
def trail(party_id: int, fmt: str) -> Any:
    party = _party(party_id)
    events = accounts.trail(db.session, party)
    if fmt == "csv":
        return Response(
            accounts.trail_csv(events),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=account-{party.id}-trail.csv"},
        )
    return Response(
        letters.trail_pdf(party, events, as_of=_today()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=account-{party.id}-trail.pdf"},
    )


# --- dunning runs ------------------------------------------------------------------------------


@bp.route("/runs", methods=["GET", "POST"])
@require("finance.collect")
def runs() -> Any:
    form = RunForm()
    if request.method == "GET":
        form.as_of.data = _today()
    if form.validate_on_submit():
        run = dunning.start_run(db.session, as_of=form.as_of.data, actor=current_user)
        flash(f"Run for {run.as_of:%d %b %Y}: review the proposed reminders below.", "success")
        return redirect(url_for("receivables.run", run_id=run.id))
    recent = db.session.scalars(sa.select(DunningRun).order_by(DunningRun.as_of.desc()).limit(60))
    return render_template("receivables/runs.html", form=form, runs=list(recent)), (
        422 if request.method == "POST" else 200
    )


@bp.route("/runs/<int:run_id>", methods=["GET", "POST"])
@require("finance.collect")
def run(run_id: int) -> Any:
    item = db.session.get(DunningRun, run_id) or abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        chosen = [int(v) for v in request.form.getlist("line") if v.isdigit()]
        if not chosen:
            flash("Tick the reminders to approve.", "error")
            return redirect(url_for("receivables.run", run_id=item.id))
        sent = dunning.approve_run(
            db.session,
            item,
            actor=current_user,
            line_ids=chosen,
            public_base_url=current_app.config["PUBLIC_BASE_URL"],
            museum_name=current_app.config["MUSEUM_NAME"],
            secret_key=current_app.config["SECRET_KEY"],
        )
        flash(
            f"{len(sent)} reminder(s) approved: e-mails are queued in the outbox, letters are "
            "ready to print, calls are on the work queue.",
            "success",
        )
        return redirect(url_for("receivables.run", run_id=item.id))
    return render_template("receivables/run.html", run=item, form=form)


@bp.route("/runs/<int:run_id>/lines/<int:line_id>/cancel", methods=["POST"])
@require("finance.collect")
def cancel_line(run_id: int, line_id: int) -> Any:
    item = db.session.get(DunningRun, run_id) or abort(404)
    line = next((ln for ln in item.lines if ln.id == line_id), None) or abort(404)
    EmptyForm().validate_on_submit()
    dunning.cancel_line(db.session, line, actor=current_user)
    flash("Reminder taken out of the run.", "success")
    return redirect(url_for("receivables.run", run_id=item.id))


@bp.route("/runs/<int:run_id>/letters.pdf")
@require("finance.collect")
def run_letters(run_id: int) -> Any:
    item = db.session.get(DunningRun, run_id) or abort(404)
    lines = [ln for ln in item.lines if ln.status == "sent" and ln.channel == "letter"]
    pdf = letters.letters_pdf(db.session, lines, museum_name=current_app.config["MUSEUM_NAME"])
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=letters-{item.as_of}.pdf"},
    )


# --- policies ----------------------------------------------------------------------------------


@bp.route("/policies")
@require("finance.collect")
def policies_list() -> Any:
    items = db.session.scalars(sa.select(DunningPolicy).order_by(DunningPolicy.name))
    return render_template("receivables/policies.html", policies=list(items))


@bp.route("/policies/<int:policy_id>/levels", methods=["GET", "POST"])
@bp.route("/policies/<int:policy_id>/levels/<int:level_id>", methods=["GET", "POST"])
@require("finance.collect")
def level(policy_id: int, level_id: int | None = None) -> Any:
    policy = db.session.get(DunningPolicy, policy_id) or abort(404)
    existing = db.session.get(DunningLevel, level_id) if level_id else None
    if level_id and (existing is None or existing.policy_id != policy.id):
        abort(404)
    form = LevelForm()
    currency = "GBP"
    if request.method == "GET" and existing is not None:
        template = existing.template_for(request.args.get("language", "en"))
        form.process(
            data={
                "name": existing.name,
                "days_after_due": existing.days_after_due,
                "channel": existing.channel,
                "task_role": existing.task_role,
                "fee": str(Money(existing.fee_minor, currency).amount),
                "interest_mode": existing.interest_mode,
                "interest_rate": str(Decimal(existing.interest_rate_bp) / 100),
                "min_amount": str(Money(existing.min_amount_minor, currency).amount),
                "language": template.language if template else "en",
                "subject": template.subject if template else "",
                "body": template.body if template else "",
            }
        )
    if form.validate_on_submit():
        try:
            try:
                rate_bp = int(Decimal(form.interest_rate.data or "0") * 100)
            except InvalidOperation:
                raise ValidationError(
                    "The rate is a percentage, e.g. 8.", field="interest_rate"
                ) from None
            policies.save_level(
                db.session,
                policy,
                level=existing,
                name=form.name.data,
                days_after_due=form.days_after_due.data,
                channel=form.channel.data,
                task_role=form.task_role.data,
                fee_minor=_parse_money(form.fee.data, currency, "fee"),
                interest_mode=form.interest_mode.data,
                interest_rate_bp=rate_bp,
                min_amount_minor=_parse_money(form.min_amount.data, currency, "min_amount"),
                language=form.language.data,
                subject=form.subject.data,
                body=form.body.data,
                actor=current_user,
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash("Level saved.", "success")
            return redirect(url_for("receivables.policies_list"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "receivables/level_form.html", form=form, policy=policy, level=existing
    ), status


# --- approvals ---------------------------------------------------------------------------------


@bp.route("/approvals")
@require("finance.collect")
def approvals() -> Any:
    pending = db.session.scalars(
        sa.select(Settlement).where(Settlement.status == "pending_approval").order_by(Settlement.id)
    )
    open_disputes = db.session.scalars(
        sa.select(Dispute).where(Dispute.status == "open").order_by(Dispute.opened_on)
    )
    return render_template(
        "receivables/approvals.html",
        settlements=list(pending),
        disputes=list(open_disputes),
        action_form=EmptyForm(),
    )


@bp.route("/settlements/<int:settlement_id>/<any(approve, reject):decision>", methods=["POST"])
@require("finance.approve")
def decide_settlement(settlement_id: int, decision: str) -> Any:
    item = db.session.get(Settlement, settlement_id) or abort(404)
    EmptyForm().validate_on_submit()
    try:
        if decision == "approve":
            stops.approve_settlement(db.session, item, actor=current_user)
        else:
            stops.reject_settlement(db.session, item, actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("receivables.approvals"))
    flash(f"Settlement {'approved' if decision == 'approve' else 'rejected'}.", "success")
    return redirect(url_for("receivables.approvals"))


# --- reports -----------------------------------------------------------------------------------


@bp.route("/reports")
@require("finance.collect")
def reports_page() -> Any:
    end = _as_of()
    currency = (request.args.get("currency") or "GBP").upper()[:3]
    start = end.replace(day=1) - timedelta(days=60)
    start = start.replace(day=1)
    figures = reports.measures(db.session, currency=currency, start=start, end=end)
    monthly = [
        (s, reports.measures(db.session, currency=currency, start=s, end=e))
        for s, e in reports.month_ranges(end, 6)
    ]
    users = {u.id: u for u in _collectors()}
    return render_template(
        "receivables/reports.html",
        figures=figures,
        monthly=monthly,
        currency=currency,
        as_of=end,
        write_offs=reports.write_offs_by_month(db.session, currency, end),
        by_collector=reports.collections_by_collector(db.session, currency, start, end),
        forecast=reports.cash_forecast(db.session, currency, end),
        users=users,
    )


# --- opt-out (public: the link in every reminder e-mail) ------------------------------------------


@bp.route("/opt-out/<token>", methods=["GET", "POST"])
@public
def opt_out(token: str) -> Any:
    found = read_opt_out_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    party_id, address = found
    form = EmptyForm()
    done = False
    if form.validate_on_submit():
        contacts = db.session.scalars(
            sa.select(FinanceContact)
            .join(FinanceContact.account)
            .where(FinanceContact.email == address)
        )
        changed = 0
        for contact in contacts:
            if contact.account.party_id == party_id:
                contact.email_opt_out = True
                changed += 1
        if not changed:
            account = finance.get_account(db.session, _party(party_id))
            account.contacts.append(FinanceContact(name="", email=address, email_opt_out=True))
        stops.log_activity(
            db.session,
            party_id=party_id,
            kind="note",
            actor=None,
            text=f"{address} opted out of finance e-mail (link in a reminder)",
        )
        done = True
    return render_template("receivables/opt_out.html", form=form, address=address, done=done)
