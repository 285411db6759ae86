"""Catalog: collections management for museums.

The application factory wires the domains together. Each domain package (``catalog.objects``,
``catalog.loans`` …) has an ``init_app(app)`` that registers its blueprint, navigation entries,
API resources and CLI commands.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask

#: Domains in the order their navigation entries appear.
DOMAINS = [
    "catalog.dashboard",
    "catalog.objects",
    "catalog.parties",
    "catalog.procedures",
    "catalog.vocabularies",
    "catalog.locations",
    "catalog.loans",
    "catalog.conditions",
    "catalog.valuations",
    "catalog.environment",
    "catalog.search",
    "catalog.imports",
    "catalog.scanning",
    "catalog.labels",
    "catalog.inventory",
    "catalog.users",
    "catalog.admin",
    "catalog.finance",
    "catalog.receivables",
    "catalog.api.records",
    "catalog.interchange",
]


def _resource_dir(name: str) -> str:
    """Folder of templates, static files or migrations, in a checkout or an installed wheel."""
    packaged = Path(__file__).parent / name
    if packaged.is_dir():
        return str(packaged)
    return str(Path(__file__).parent.parent / name)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application.

    Args:
        config: settings that override the environment (tests pass their database here).
    """
    checkout = Path(__file__).resolve().parent.parent
    # A checkout keeps its database and secret key in ./instance; an installed wheel lets Flask
    # choose (<prefix>/var/catalog-instance) unless CATALOG_INSTANCE_PATH says otherwise.
    instance_path = os.environ.get("CATALOG_INSTANCE_PATH") or (
        str(checkout / "instance") if (checkout / "pyproject.toml").exists() else None
    )
    app = Flask(
        __name__,
        template_folder=_resource_dir("templates"),
        static_folder=_resource_dir("static"),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    from catalog import config as config_module

    app.config.update(config_module.DEFAULTS)
    app.config.update(
        config_module.from_environment(Path(app.instance_path), (config or {}).get("SECRET_KEY"))
    )
    if config:
        app.config.update(config)
    # Cookies are Secure whenever the public address is https, however that address was given.
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if name not in (config or {}):
            app.config[name] = app.config["PUBLIC_BASE_URL"].startswith("https://")
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault("MIGRATIONS_DIR", _resource_dir("migrations"))

    from catalog.core import logging as catalog_logging

    catalog_logging.init_app(app)

    from catalog import models  # noqa: F401  (every model registered on the metadata)
    from catalog.core import auth, errors, web
    from catalog.extensions import csrf, db, login_manager

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from catalog.core.db import configure_sqlite

            configure_sqlite(db.engine)
    csrf.init_app(app)
    login_manager.init_app(app)
    auth.init_app(app)
    web.init_app(app)
    errors.register_error_handlers(app)
    app.extensions["catalog_nav"] = []

    from catalog import api

    api.init_app(app)
    for name in DOMAINS:
        importlib.import_module(name).init_app(app)
    api.finish(app)

    from catalog.cli import register_commands

    register_commands(app)
    if proxies := int(app.config.get("TRUSTED_PROXIES") or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies)
    return app
