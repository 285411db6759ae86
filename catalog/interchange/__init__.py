"""Interchange: LIDO export, the OAI-PMH provider at ``/oai``, backup and restore."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the OAI-PMH blueprint, the ``lido`` export format and ``backup``/``restore``."""
    from catalog.imports.exporting import register_export_format
    from catalog.interchange import cli, lido, oai

    app.register_blueprint(oai.bp)
    app.config.setdefault("OAI_PAGE_SIZE", 100)
    register_export_format("lido", "LIDO 1.1 XML", "application/xml", "xml", lido.export_lido)
    cli.register(app)
