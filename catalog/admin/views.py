"""Admin pages: users, roles and permissions, audit search and export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.admin import bp
from catalog.core.audit import AuditLog, history
from catalog.core.errors import DomainError, NotFoundError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.money import Money
from catalog.core.permissions import PERMISSIONS, require
from catalog.core.web import refused
from catalog.extensions import db
from catalog.users import services
from catalog.users.forms import RolePermissionsForm, UserForm
from catalog.users.models import Role, User


def _role_choices() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in db.session.scalars(sa.select(Role).order_by(Role.name))]


def _limit(form: UserForm) -> int | None:
    if form.authority_limit.data is None:
        return None
    currency = form.authority_currency.data or "GBP"
    return Money.parse(Decimal(form.authority_limit.data), currency).minor


@bp.route("/users")
@require("admin.users")
def users() -> Any:
    rows = db.session.scalars(sa.select(User).order_by(User.email))
    return render_template("admin/users.html", users=rows, action_form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@require("admin.users")
def create_user() -> Any:
    form = UserForm()
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        try:
            # An empty password is refused by the service's strength check, next to the field.
            user = services.create_user(
                db.session, email=form.email.data or "", password=form.password.data or "",
                role_codes=form.roles.data or [], name=form.name.data or "",
                authority_limit_minor=_limit(form), authority_currency=form.authority_currency.data,
            )  # fmt: skip
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("admin/user_form.html", form=form, user=None)
        flash(f"User {user.email} created.", "success")
        return redirect(url_for("admin.users"))
    if request.method == "POST":
        return render_invalid("admin/user_form.html", form=form, user=None)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require("admin.users")
def edit_user(user_id: int) -> Any:
    user = services.get_user(db.session, user_id)
    form = UserForm(obj=user)
    form.roles.choices = _role_choices()
    del form.password
    if request.method == "GET":
        form.roles.data = [r.code for r in user.roles]
        if user.authority_limit_minor is not None and user.authority_currency:
            form.authority_limit.data = Money(user.authority_limit_minor,
                                              user.authority_currency).amount
            form.authority_currency.data = user.authority_currency
    if form.validate_on_submit():
        try:
            services.update_user(
                db.session, user, name=form.name.data or "", role_codes=form.roles.data or [],
                authority_limit_minor=_limit(form), authority_currency=form.authority_currency.data,
                actor=current_user,
            )  # fmt: skip
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("admin/user_form.html", form=form, user=user,
                                  changes=_history(user))
        flash(f"User {user.email} saved.", "success")
        return redirect(url_for("admin.users"))
    if request.method == "POST":
        return render_invalid("admin/user_form.html", form=form, user=user, changes=_history(user))
    return render_template("admin/user_form.html", form=form, user=user, changes=_history(user))


def _history(user: User) -> list[AuditLog]:
    return list(db.session.scalars(history("users", user.id).limit(200)))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@require("admin.users")
def disable_user(user_id: int) -> Any:
    return _set_disabled(user_id, disabled=True)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@require("admin.users")
def enable_user(user_id: int) -> Any:
    return _set_disabled(user_id, disabled=False)


def _set_disabled(user_id: int, *, disabled: bool) -> Any:
    user = services.get_user(db.session, user_id)
    try:
        services.set_disabled(user, disabled, actor=current_user)
    except DomainError as exc:
        return refused(exc.message, url_for("admin.users"))
    flash(f"{user.email} is {'disabled' if disabled else 'enabled again'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/roles")
@require("admin.users")
def roles() -> Any:
    all_roles = list(db.session.scalars(sa.select(Role).order_by(Role.name)))
    return render_template("admin/roles.html", roles=all_roles, permissions=PERMISSIONS)


@bp.route("/roles/<int:role_id>", methods=["GET", "POST"])
@require("admin.users")
def edit_role(role_id: int) -> Any:
    role = db.session.get(Role, role_id)
    if role is None:
        raise NotFoundError("No such role.")
    form = RolePermissionsForm()
    form.permissions.choices = [(code, f"{text} ({code})") for code, text in PERMISSIONS.items()]
    if request.method == "GET":
        form.permissions.data = sorted(role.permission_codes)
    if form.validate_on_submit():
        try:
            services.set_role_permissions(db.session, role, set(form.permissions.data or []))
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("admin/role_form.html", form=form, role=role)
        flash(f"Permissions of {role.name} saved.", "success")
        return redirect(url_for("admin.roles"))
    if request.method == "POST":
        return render_invalid("admin/role_form.html", form=form, role=role)
    return render_template("admin/role_form.html", form=form, role=role)


def _audit_query() -> sa.Select[tuple[AuditLog]]:
    args = request.args
    query = sa.select(AuditLog)
    if record_type := args.get("record_type", "").strip():
        query = query.where(AuditLog.record_type == record_type)
    if record_id := args.get("record_id", "").strip():
        query = query.where(AuditLog.record_id == record_id)
    if actor := args.get("actor", "").strip():
        query = query.where(AuditLog.actor_label.ilike(f"%{actor}%"))
    if action := args.get("action", "").strip():
        query = query.where(AuditLog.action == action)
    for name, op in (("since", "ge"), ("until", "le")):
        value = args.get(name, "").strip()
        if not value:
            continue
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 (a date, not a time)
        except ValueError:
            raise DomainError(f"{value!r} is not a date (YYYY-MM-DD).", field=name) from None
        edge = datetime.combine(day, time.min if op == "ge" else time.max, tzinfo=UTC)
        query = query.where(AuditLog.occurred_at >= edge if op == "ge"
                            else AuditLog.occurred_at <= edge)
    return query.order_by(AuditLog.id.desc())


@bp.route("/audit")
@require("audit.view")
def audit() -> Any:
    try:
        before = int(request.args.get("before", "0") or 0)
    except ValueError:
        before = 0
    query = _audit_query()
    if before:
        query = query.where(AuditLog.id < before)
    rows = list(db.session.scalars(query.limit(101)))
    more = len(rows) > 100
    rows = rows[:100]
    record_types = sorted(db.metadata.tables)
    return render_template("admin/audit.html", rows=rows, more=more, record_types=record_types,
                           next_args={**request.args.to_dict(), "before": rows[-1].id}
                           if more and rows else None)


def _cell(value: Any) -> Any:
    """Keep a spreadsheet from running a value as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def audit_csv_lines(rows: Any) -> Iterator[str]:
    """One CSV line per changed field, so a spreadsheet shows old and new values side by side."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "occurred_at_utc", "actor", "record_type", "record_id", "action",
                     "field", "old_value", "new_value", "reason"])
    for row in rows:
        for field, (old, new) in sorted((row.changes or {}).items()) or [("", (None, None))]:
            writer.writerow([_cell(v) for v in (
                row.id, row.occurred_at.isoformat(), row.actor_label, row.record_type,
                row.record_id, row.action, field, old, new, row.reason or "")])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@bp.route("/audit.csv")
@require("audit.view")
def audit_export() -> Any:
    # Built before the response is returned: the request's transaction ends at after_request.
    body = "".join(audit_csv_lines(db.session.scalars(_audit_query())))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
