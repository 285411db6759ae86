"""Finance: accounts, a balanced ledger, invoices, payments, pledges, write-offs, bank import."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")


def init_app(app: Any) -> None:
    from catalog.core.nav import add_nav
    from catalog.finance import cli, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Finance", "finance.index", "finance.view", order=70)
    cli.register(app)
