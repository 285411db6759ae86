"""Administration: users, roles and permissions, and the audit trail."""

from __future__ import annotations

from flask import Blueprint, Flask

from catalog.core.nav import add_nav

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    from catalog.admin import views  # noqa: F401

    app.register_blueprint(bp)
    add_nav(app, "Audit trail", "admin.audit", "audit.view", order=90)
    add_nav(app, "Users", "admin.users", "admin.users", order=95)
