"""Imports and exports of object records (CSV / XLSX spreadsheets)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the imports blueprint, its navigation entry and the import/export commands."""
    from catalog.core.nav import add_nav
    from catalog.imports import exporting  # noqa: F401  (registers the CSV format)
    from catalog.imports.cli import export_group, import_group
    from catalog.imports.views import bp

    app.config.setdefault("IMPORT_INLINE_ROWS", 5_000)
    app.register_blueprint(bp)
    add_nav(app, "Import", "imports.index", "objects.import", order=24)
    app.cli.add_command(import_group)
    app.cli.add_command(export_group)
