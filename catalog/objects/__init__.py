"""Object records: cataloguing, numbers, images and the documentation backlog."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

bp = Blueprint("objects", __name__, url_prefix="/objects")


#: seconds the dashboard's catalogue-wide counts are reused (they scan the whole table)
FIGURES_TTL = 60.0


def _dashboard_panel() -> dict[str, Any]:
    import time

    import sqlalchemy as sa
    from flask import current_app

    from catalog.extensions import db
    from catalog.objects.models import CatalogueObject
    from catalog.objects.services import backlog_total

    # Newest first by primary key: indexed, so the panel stays cheap at a million records.
    recent = db.session.scalars(
        sa.select(CatalogueObject).order_by(CatalogueObject.id.desc()).limit(8)).all()
    cache = current_app.extensions.setdefault("objects_dashboard_figures", {})
    if current_app.testing or time.monotonic() - cache.get("at", -FIGURES_TTL) >= FIGURES_TTL:
        cache.update(at=time.monotonic(), backlog=backlog_total(db.session),
                     total=db.session.scalar(
                         sa.select(sa.func.count()).select_from(CatalogueObject)) or 0)
    return {"recent": recent, "backlog": cache["backlog"], "total": cache["total"]}


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.dashboard import add_panel
    from catalog.objects import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Objects", "objects.index", "objects.view", order=10)
    add_panel(app, "objects/_dashboard_panel.html", _dashboard_panel, "objects.view")
