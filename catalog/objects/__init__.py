"""Object records: cataloguing, numbers, images and the documentation backlog."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

bp = Blueprint("objects", __name__, url_prefix="/objects")


def _dashboard_panel() -> dict[str, Any]:
    import sqlalchemy as sa

    from catalog.extensions import db
    from catalog.objects.models import CatalogueObject
    from catalog.objects.services import backlog_total

    recent = db.session.scalars(
        sa.select(CatalogueObject).order_by(CatalogueObject.created_at.desc(),
                                            CatalogueObject.id.desc()).limit(8)).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueObject)) or 0
    return {"recent": recent, "backlog": backlog_total(db.session), "total": total}


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.dashboard import add_panel
    from catalog.objects import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Objects", "objects.index", "objects.view", order=10)
    add_panel(app, "objects/_dashboard_panel.html", _dashboard_panel, "objects.view")
