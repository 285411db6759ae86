"""Search: one box over the catalogue, facets, saved searches, selections and batch edit."""

from __future__ import annotations

from typing import Any


def _dashboard_panel() -> dict[str, Any]:
    from flask_login import current_user

    from catalog.extensions import db
    from catalog.search.services import saved_searches, selection_count

    return {"saved": saved_searches(db.session, current_user)[:5],
            "selected": selection_count(db.session, current_user)}


def init_app(app: Any) -> None:
    """Register the search blueprint, its navigation entry and dashboard panel."""
    from catalog.core.nav import add_nav
    from catalog.dashboard import add_panel
    from catalog.search import indexing  # noqa: F401  (keeps objects.search_text current)
    from catalog.search.views import bp

    app.register_blueprint(bp)
    add_nav(app, "Search", "search.index", "objects.view", order=15)
    add_panel(app, "search/_panel.html", _dashboard_panel, "objects.view")

    @app.template_global()
    def object_url(object_id: int) -> str:
        from flask import url_for

        if "objects.detail" in app.view_functions:
            return url_for("objects.detail", object_id=object_id)
        return f"/objects/{object_id}"
