"""``catalog demo``: a realistic demo museum, loaded idempotently.

Each domain contributes a loader with :func:`demo_loader`; loaders must check what exists before
adding, so running the command twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.audit import acting_as, reason

#: (order, name, loader) contributed by domains
_LOADERS: list[tuple[int, str, Callable[[Session], list[str]]]] = []

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (a published demo login, printed by make run)

#: one demo user per role: (email, name, role)
DEMO_USERS = [
    ("admin@demo.museum", "Ada Admin", "admin"),
    ("registrar@demo.museum", "Rhiannon Registrar", "registrar"),
    ("collections@demo.museum", "Colin Collections", "collections_manager"),
    ("conservator@demo.museum", "Connie Conservator", "conservator"),
    ("technician@demo.museum", "Ted Technician", "technician"),
    ("finance@demo.museum", "Fiona Finance", "finance_officer"),
    ("financemanager@demo.museum", "Frank Finance-Manager", "finance_manager"),
    ("viewer@demo.museum", "Vera Viewer", "viewer"),
]


def demo_loader(order: int, name: str) -> Callable[[Callable[[Session], list[str]]],
                                                   Callable[[Session], list[str]]]:
    """Register a domain's demo loader, run in ``order``."""

    def decorator(func: Callable[[Session], list[str]]) -> Callable[[Session], list[str]]:
        if all(existing != name for _, existing, _ in _LOADERS):
            _LOADERS.append((order, name, func))
        return func

    return decorator


@demo_loader(0, "users")
def load_users(session: Session) -> list[str]:
    from catalog.users.models import User
    from catalog.users.services import create_user, sync_permissions

    sync_permissions(session)
    created = 0
    for email, name, role in DEMO_USERS:
        if session.scalar(sa.select(User.id).where(User.email == email)) is None:
            limit = {"finance_officer": 50_000, "finance_manager": 500_000}.get(role)
            create_user(session, email=email, password=DEMO_PASSWORD, role_codes=[role], name=name,
                        authority_limit_minor=limit, authority_currency="GBP" if limit else None)
            created += 1
    return [f"users: {created} created, {len(DEMO_USERS) - created} already there"]


def load_demo(session: Session) -> list[str]:
    """Run every registered loader in order; returns a report line per loader."""
    import importlib
    import importlib.util

    from catalog import DOMAINS

    # Each domain may have a ``demo`` module whose loaders register on import.
    for domain in DOMAINS:
        if importlib.util.find_spec(f"{domain}.demo") is not None:
            importlib.import_module(f"{domain}.demo")

    report: list[str] = []
    with acting_as(None), reason("demo data"):
        for _, _name, loader in sorted(_LOADERS, key=lambda item: item[0]):
            report.extend(loader(session))
            session.flush()
    report.append(f"Sign in as admin@demo.museum with the password {DEMO_PASSWORD}")
    return report
