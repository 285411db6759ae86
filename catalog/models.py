"""Imports every model so that the metadata (and Alembic) sees all tables.

Do not add imports here: the ``models`` module (or package) of every domain in
:data:`catalog.DOMAINS` is imported automatically.
"""

import importlib
import importlib.util

from catalog import DOMAINS
from catalog.core.audit import AuditLog  # noqa: F401
from catalog.core.outbox import OutboxAttachment, OutboxMessage  # noqa: F401
from catalog.users.models import ApiToken, LoginFailure, Permission, Role, User  # noqa: F401

for _domain in DOMAINS:
    if importlib.util.find_spec(f"{_domain}.models") is not None:
        importlib.import_module(f"{_domain}.models")
