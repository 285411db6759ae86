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
    from catalog.dashboard import add_panel

    add_panel(app, "receivables/_panel.html", _panel, "finance.collect")


def _panel() -> dict[str, int]:
    """Counts that need a collector's attention; cheap queries only (the dashboard is hot)."""
    import sqlalchemy as sa

    from catalog.extensions import db
    from catalog.receivables.models import Dispute, DunningRun, Promise, Settlement

    def count(query: sa.Select[tuple[int]]) -> int:
        return int(db.session.scalar(query) or 0)

    return {
        "runs": count(sa.select(sa.func.count()).select_from(DunningRun)
                      .where(DunningRun.status == "proposed")),
        "settlements": count(sa.select(sa.func.count()).select_from(Settlement)
                             .where(Settlement.status == "pending_approval")),
        "disputes": count(sa.select(sa.func.count()).select_from(Dispute)
                          .where(Dispute.status == "open")),
        "broken": count(sa.select(sa.func.count()).select_from(Promise)
                        .where(Promise.status == "broken")),
    }
