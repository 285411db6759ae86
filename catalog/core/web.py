"""Request plumbing: the unit of work, after-commit side effects, sign-in enforcement,
security headers, CSRF for browser calls to the API, and template filters."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, request
from flask_login import current_user
from markupsafe import Markup

from catalog.core.money import Money
from catalog.extensions import csrf, db, login_manager

log = logging.getLogger(__name__)

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])  # fmt: skip


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the request's transaction has committed (mail, files, gateways).

    Outside a request (CLI, jobs) the callback runs at once: those callers commit themselves.
    """
    try:
        queue = g.setdefault("_after_commit", [])
    except RuntimeError:
        callback()
        return
    queue.append(callback)


def refused(message: str, location: str) -> tuple[Any, int]:
    """A service refused a one-button action: undo what it began, say why, go back (303).

    The redirect would otherwise commit (3xx ends the unit of work with a commit), so the
    rollback comes first; the flash message lives in the cookie and survives it.
    """
    from flask import flash, redirect

    db.session.rollback()
    flash(message, "error")
    return redirect(location), 303


def _run_after_commit() -> None:
    for callback in g.pop("_after_commit", []):
        try:
            callback()
        except Exception:
            # The business change is committed; a failed side effect is logged, not undone.
            log.exception("after-commit side effect failed")


def _is_bearer_request() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def init_app(app: Flask) -> None:
    """Install the unit of work, security headers and sign-in enforcement on ``app``."""
    app.extensions["catalog_public_endpoints"] = {"static"}

    @app.before_request
    def enforce_sign_in_and_csrf() -> Any:
        view = app.view_functions.get(request.endpoint or "")
        if view is None:
            return None  # 404 / 405 are answered by the error handlers
        is_public = (getattr(view, "_public", False)
                     or request.endpoint in app.extensions["catalog_public_endpoints"])
        if not is_public and not current_user.is_authenticated:
            return login_manager.unauthorized()  # type: ignore[no-any-return]
        # Browser forms and the scanning page's fetch() calls carry a CSRF token; API clients
        # that authenticate with a bearer token carry no ambient credential, so need none.
        if (request.method not in _SAFE_METHODS and not _is_bearer_request()
                and not getattr(view, "_csrf_exempt", False)
                and app.config.get("WTF_CSRF_ENABLED", True)):
            csrf.protect()
        return None

    @app.after_request
    def commit_unit_of_work(response: Any) -> Any:
        if request.method not in _SAFE_METHODS and response.status_code < 400:
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            _run_after_commit()
        else:
            db.session.rollback()
            g.pop("_after_commit", None)
        return response

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["PUBLIC_BASE_URL"].startswith("https://"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and getattr(current_user, "is_authenticated", False):
            # Pages with catalogue and finance data must not be kept by shared caches.
            headers.setdefault("Cache-Control", "private, no-store")
        return response

    zone = ZoneInfo(app.config["MUSEUM_TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
        if value is None:
            return ""
        return value.astimezone(zone).strftime(fmt)

    @app.template_filter("date")
    def format_date(value: date | datetime | None, fmt: str = "%d %b %Y") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(zone)
        return value.strftime(fmt)

    @app.template_filter("money")
    def money(value: Money | None) -> str:
        return "" if value is None else value.format()

    @app.template_filter("minor")
    def minor(value: int | None, currency: str | None) -> str:
        if value is None or currency is None:
            return ""
        return Money(int(value), currency).format()

    @app.template_filter("nl2br")
    def nl2br(value: str | None) -> Markup:
        from markupsafe import escape

        return Markup("<br>").join(escape(value or "").split("\n"))

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        return {"museum_name": app.config["MUSEUM_NAME"], "nav": app.extensions["catalog_nav"]}
