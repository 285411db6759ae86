"""Collecting what is outstanding: aging, dunning, promises, plans, disputes, settlements,
agency placement, the collector's work queue and receivables reports."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("receivables", __name__, url_prefix="/receivables")


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.receivables import cli, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    app.extensions["catalog_public_endpoints"].add("receivables.opt_out")
    app.cli.add_command(cli.dunning_group)
    add_nav(app, "Collections", "receivables.queue", "finance.collect", order=62)
