"""API resources of the core records (objects, parties, locations, movements), and of invoices
and payments at the paths the design names.

Other domains add theirs from their own ``api.py`` (see :mod:`catalog.api` for the recipe).
"""

from __future__ import annotations

from flask import Flask

from catalog import api


def init_app(app: Flask) -> None:
    from catalog.api.records import locations, movements, objects, parties, procedures

    api.register(app, objects.blp, "objects")
    api.register(app, parties.blp, "parties")
    api.register(app, locations.blp, "locations")
    api.register(app, movements.blp, "movements")
    api.register(app, procedures.invoices_blp, "invoices")
    api.register(app, procedures.payments_blp, "payments")
