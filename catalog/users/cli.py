"""``catalog users create`` and ``catalog tokens create``."""

from __future__ import annotations

import secrets
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from catalog.cli import command_errors, fail, unit_of_work
from catalog.core.audit import acting_as
from catalog.users import services
from catalog.users.models import User


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              help="Role code, e.g. admin, registrar, collections_manager (repeatable).")
@click.option("--password", default=None, help="Omit to have one generated and printed.")
@click.option("--name", default="")
@with_appcontext
@command_errors
def create_user(email: str, roles: tuple[str, ...], password: str | None, name: str) -> None:
    """Create a user with one or more roles."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with unit_of_work() as session, acting_as(None):
        services.sync_permissions(session)
        user = services.create_user(session, email=email, password=password,
                                    role_codes=[r.replace("-", "_") for r in roles], name=name)
    click.echo(f"Created {user.email} ({user.role_names}).")
    if generated:
        click.echo(f"Password: {password}")


@click.group("tokens")
def tokens_group() -> None:
    """API bearer tokens."""


@tokens_group.command("create")
@click.option("--email", required=True)
@click.option("--name", default="command line")
@with_appcontext
@command_errors
def create_token(email: str, name: str) -> None:
    """Create an API token for a user; the token alone is printed on the last line."""
    with unit_of_work() as session:
        user = session.scalar(sa.select(User).where(User.email == services.normalise_email(email)))
        if user is None:
            fail(f"no user with the address {email}")
        if user.is_disabled:
            fail(f"the user {email} is disabled")
        with acting_as(user):
            _, plain = services.create_token(session, user, name=name)
    click.echo(f"Token for {user.email}; keep it secret, it is shown once:")
    click.echo(plain)


def register(app: Any) -> None:
    app.cli.add_command(users_group)
    app.cli.add_command(tokens_group)
