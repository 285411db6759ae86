"""API resources of the core records (objects, parties, locations, movements) and of invoices and
payments. Loans and condition reports have theirs in their own modules (``catalog/loans/api.py``,
``catalog/conditions/api.py``), registered from their ``init_app``.

Other domains add theirs from their own ``api.py`` (see :mod:`catalog.api` for the recipe).
"""

from __future__ import annotations

from flask import Flask

from catalog import api


def init_app(app: Flask) -> None:
    from catalog.api.records import invoices, locations, movements, objects, parties, payments

    api.register(app, objects.blp, "objects")
    api.register(app, parties.blp, "parties")
    api.register(app, locations.blp, "locations")
    api.register(app, movements.blp, "movements")
    api.register(app, invoices.blp, "invoices")
    api.register(app, payments.blp, "payments")
