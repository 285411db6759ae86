"""Imports and exports of object records (CSV / XLSX spreadsheets)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Register the imports blueprint, its navigation entry and the import/export commands."""
    from catalog.core.nav import add_nav
    from catalog.imports.cli import export_group, import_group
    from catalog.imports.exporting import write_csv_export
    from catalog.imports.views import bp

    app.config.setdefault("IMPORT_INLINE_ROWS", 5_000)
    app.register_blueprint(bp)
    add_nav(app, "Import", "imports.index", "objects.import", order=24)
    app.cli.add_command(import_group)
    try:
        # `catalog export objects` belongs to the interchange domain; CSV plugs into its registry.
        from catalog.interchange.cli import EXPORT_FORMATS
    except ImportError:
        app.cli.add_command(export_group)
    else:
        EXPORT_FORMATS["csv"] = write_csv_export
