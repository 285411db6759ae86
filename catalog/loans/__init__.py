"""Loans in and out: numbers, venues, objects, conflicts, the workflow, schedule and documents."""

from __future__ import annotations

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("loans", __name__, url_prefix="/loans")


def init_app(app: Flask) -> None:
    from catalog.loans import views  # noqa: F401

    app.register_blueprint(bp)
    add_nav(app, "Loans", "loans.index", "loans.view", order=40)
