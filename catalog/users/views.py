"""Sign-in, sign-out, the user's own profile (password, API tokens)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from catalog.core.errors import DomainError, NotFoundError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import public
from catalog.extensions import db
from catalog.users import bp, services
from catalog.users.forms import ChangePasswordForm, LoginForm, TokenForm
from catalog.users.models import ApiToken


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after signing in."""
    if target:
        parts = urlsplit(target)
        # "//host" and "/\\host" both leave the site in a browser.
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and target[1:2] not in ("/", "\\")):
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(
            db.session,
            email=form.email.data or "",
            password=form.password.data or "",
            remote_addr=request.remote_addr or "unknown",
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            window_seconds=current_app.config["LOGIN_WINDOW_SECONDS"],
        )
        if result.user is None:
            # The failure counter must survive this refused request, so it commits on its own:
            # the sign-in attempt is the whole unit of work here.
            db.session.commit()
            form.form_errors.append(result.error or "Sign-in failed.")
            return render_template("users/login.html", form=form), 429 if result.throttled else 401
        login_user(result.user, remember=bool(form.remember.data))
        flash(f"Welcome, {result.user.name or result.user.email}.", "success")
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "POST":
        return render_invalid("users/login.html", form=form)
    return render_template("users/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("users.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    form = ChangePasswordForm()
    token_form = TokenForm(prefix="token")
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, current=form.current_password.data
                                     or "", new=form.new_password.data or "")
        except DomainError as exc:
            show_domain_error(form, exc)
            return render_invalid("users/profile.html", form=form, token_form=token_form,
                                  tokens=_tokens())
        # The session token rotated: sign in again on this device only.
        login_user(current_user._get_current_object(), remember=False)
        flash("Your password is changed. Other devices have been signed out.", "success")
        return redirect(url_for("users.profile"))
    if request.method == "POST":
        return render_invalid("users/profile.html", form=form, token_form=token_form,
                              tokens=_tokens())
    return render_template("users/profile.html", form=form, token_form=token_form,
                           tokens=_tokens())


def _tokens() -> list[ApiToken]:
    query = (sa.select(ApiToken).where(ApiToken.user_id == current_user.id)
             .order_by(ApiToken.id.desc()))
    return list(db.session.scalars(query))


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token() -> Any:
    token_form = TokenForm(prefix="token")
    if not token_form.validate_on_submit():
        return render_invalid("users/profile.html", form=ChangePasswordForm(),
                              token_form=token_form, tokens=_tokens())
    _, plain = services.create_token(db.session, current_user, name=token_form.name.data or "")
    return render_template("users/token_created.html", token=plain)


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Any:
    EmptyForm().validate_on_submit()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        raise NotFoundError("No such token.")
    services.revoke_token(token)
    flash(f"The token {token.prefix}… is revoked.", "success")
    return redirect(url_for("users.profile"))

