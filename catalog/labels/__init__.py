"""QR labels for objects and locations: sheet and roll layouts, PDF rendering, CLI."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("labels", __name__, url_prefix="/labels")


def init_app(app: Flask) -> None:
    from catalog.core.nav import add_nav
    from catalog.labels import cli, views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    add_nav(app, "Labels", "labels.index", "labels.print", order=62)
    app.cli.add_command(cli.labels_command)
