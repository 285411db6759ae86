"""Finance: accounts, a balanced ledger, invoices, payments, pledges, write-offs, bank import."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")


def init_app(app: Any) -> None:
    from catalog import api as api_registry
    from catalog.core.nav import add_nav
    from catalog.dashboard import add_panel
    from catalog.finance import api, cli, views  # routes register on import

    app.register_blueprint(bp)
    add_nav(app, "Finance", "finance.index", "finance.view", order=70)
    # amounts owed are finance data: the panel is shown only with finance.view
    add_panel(app, "finance/_panel.html", views.dashboard_panel, "finance.view")
    api_registry.register(app, api.blp, "finance")
    cli.register(app)
