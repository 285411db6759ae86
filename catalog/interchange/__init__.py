"""Interchange: LIDO export, the OAI-PMH provider at ``/oai``, backup and restore."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the OAI-PMH blueprint and the ``export``, ``backup`` and ``restore`` commands."""
    from catalog.interchange import cli, oai

    app.register_blueprint(oai.bp)
    app.config.setdefault("OAI_PAGE_SIZE", 100)
    cli.register(app)
