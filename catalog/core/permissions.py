"""The permission catalogue and the checks views and services use.

Permissions are defined here in code (a code and a sentence) and stored in the database, where an
admin assigns them to roles in the UI. :func:`catalog.users.services.sync_permissions` adds any new
permission to the database and grants it to the roles listed in :data:`DEFAULT_GRANTS`; grants an
admin has changed are never touched again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from catalog.core.errors import PermissionDenied

F = TypeVar("F", bound=Callable[..., Any])

#: code -> what it allows, shown on the role editor
PERMISSIONS: dict[str, str] = {
    "objects.view": "See object records",
    "objects.edit": "Create and edit object records and procedures",
    "objects.import": "Import and roll back spreadsheets of objects",
    "objects.batch_edit": "Change many object records at once",
    "objects.deaccession": "Deaccession and dispose of objects",
    "parties.view": "See people and organisations",
    "parties.edit": "Create, edit and merge people and organisations",
    "parties.personal": "See donors' and lenders' personal contact details",
    "vocabularies.edit": "Edit controlled vocabularies",
    "valuations.view": "See valuations, prices and insurance values",
    "valuations.edit": "Record valuations and insurance",
    "locations.view": "See locations and where objects are",
    "locations.edit": "Create and edit locations and their environmental targets",
    "movements.create": "Move objects and containers",
    "inventory.run": "Run inventories of locations",
    "environment.view": "See environmental readings and alerts",
    "environment.edit": "Import readings and manage sensors",
    "alerts.manage": "Acknowledge and close environmental alerts",
    "scans.create": "Scan labels on a tablet",
    "labels.print": "Print QR labels",
    "loans.view": "See loans",
    "loans.edit": "Create loans and move them through their workflow",
    "conditions.view": "See condition reports and conservation records",
    "conditions.edit": "Write condition reports and conservation records",
    "finance.view": "See invoices, payments and accounts",
    "finance.edit": "Issue invoices, record payments and credit notes",
    "finance.approve": "Approve write-offs and settlements within one's authority limit",
    "finance.collect": "Run dunning and work the collections queue",
    "audit.view": "Search and export the audit trail",
    "admin.users": "Manage users, roles and permissions",
}

#: role code -> (display name, permissions granted when the role or the permission is new)
ROLES: dict[str, tuple[str, frozenset[str]]] = {
    "admin": ("Administrator", frozenset(PERMISSIONS)),
    "registrar": ("Registrar", frozenset({
        "objects.view", "objects.edit", "objects.import", "objects.batch_edit",
        "objects.deaccession", "parties.view", "parties.edit", "parties.personal",
        "vocabularies.edit", "valuations.view", "valuations.edit", "locations.view",
        "movements.create", "inventory.run", "environment.view", "scans.create", "labels.print",
        "loans.view", "conditions.view", "audit.view",
    })),
    "collections_manager": ("Collections manager", frozenset({
        "objects.view", "objects.edit", "parties.view", "parties.edit", "valuations.view",
        "locations.view", "locations.edit", "movements.create", "inventory.run",
        "environment.view", "environment.edit", "alerts.manage", "scans.create", "labels.print",
        "loans.view", "loans.edit", "conditions.view", "audit.view",
    })),
    "conservator": ("Conservator", frozenset({
        "objects.view", "parties.view", "locations.view", "environment.view", "scans.create",
        "loans.view", "conditions.view", "conditions.edit",
    })),
    "technician": ("Technician (scanning staff)", frozenset({
        "objects.view", "locations.view", "movements.create", "inventory.run",
        "environment.view", "scans.create", "labels.print", "conditions.view",
    })),
    "finance_officer": ("Finance officer", frozenset({
        "objects.view", "parties.view", "parties.personal", "loans.view", "finance.view",
        "finance.edit", "finance.collect", "finance.approve",
    })),
    "finance_manager": ("Finance manager", frozenset({
        "objects.view", "parties.view", "parties.personal", "loans.view", "valuations.view",
        "finance.view", "finance.edit", "finance.collect", "finance.approve", "audit.view",
    })),
    "viewer": ("Viewer", frozenset({
        "objects.view", "parties.view", "locations.view", "environment.view", "loans.view",
        "conditions.view",
    })),
}  # fmt: skip

DEFAULT_GRANTS: dict[str, frozenset[str]] = {code: perms for code, (_, perms) in ROLES.items()}


def has_permission(user: Any, permission: str) -> bool:
    """True when ``user`` is signed in, active and holds ``permission`` through a role."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in user.permissions


def require(*permissions: str) -> Callable[[F], F]:
    """View decorator: 401 to the login page when signed out, 403 without every permission."""
    for permission in permissions:
        if permission not in PERMISSIONS:
            raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from catalog.extensions import login_manager

                return login_manager.unauthorized()
            if not all(has_permission(current_user, p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        wrapper._required_permissions = permissions  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def check(user: Any, permission: str) -> None:
    """Service-level re-check (CKAN style): CLI and API paths cannot bypass the view."""
    if not has_permission(user, permission):
        raise PermissionDenied(f"You do not have the permission “{PERMISSIONS[permission]}”.")


def public(view: F) -> F:
    """Mark a view as reachable without signing in (login page, OAI-PMH, health)."""
    view._public = True  # type: ignore[attr-defined]
    return view


def csrf_exempt(view: F) -> F:
    """Mark a public machine endpoint that takes POSTs without a browser form (OAI-PMH)."""
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view
