"""Domain exceptions and the HTTP error pages and JSON answers made from them."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused the request; the message is shown to the user as is."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Input that cannot be accepted (422 on the API)."""

    status_code = 422


class NotFoundError(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    """The user lacks the permission a service re-checks (403)."""

    status_code = 403


class InvalidTransition(DomainError):
    """A workflow step taken out of order."""


def wants_json() -> bool:
    """API paths and JSON clients get JSON errors; browsers get pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _json_error(status: int, message: str, **extra: Any) -> Any:
    body = {"status": status, "message": message, **extra}
    return jsonify(body), status


def register_error_handlers(app: Flask) -> None:
    """Friendly pages for people, JSON for the API, never a stack trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        message = (
            "This form had expired or was sent from another page, so nothing was saved. "
            "Please reload the page and try again."
        )
        if wants_json():
            return _json_error(400, message)
        return render_template("errors/error.html", code=400, title="Form expired",
                               message=message), 400

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Any:
        if wants_json():
            extra = {"errors": {exc.field: [exc.message]}} if exc.field else {}
            return _json_error(exc.status_code, exc.message, **extra)
        return render_template("errors/error.html", code=exc.status_code, title="Not possible",
                               message=exc.message), exc.status_code

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if wants_json():
            data = getattr(exc, "data", None) or {}
            extra = {"errors": data["messages"]} if "messages" in data else {}
            return _json_error(code, exc.description or exc.name, **extra)
        return render_template("errors/error.html", code=code, title=exc.name,
                               message=exc.description), code

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> Any:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
        message = "Something went wrong on our side. Nothing was saved; the error has been logged."
        if wants_json():
            return _json_error(500, message)
        return render_template("errors/error.html", code=500, title="Server error",
                               message=message), 500
