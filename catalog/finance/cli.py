"""``catalog finance …`` commands."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext

from catalog.cli import command_errors, unit_of_work


@click.group("finance")
def finance_group() -> None:
    """Invoices, pledges and bank statements."""


@finance_group.command("raise-instalments")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as on this date (default: today); instalments due within 14 days "
              "are raised.")
@with_appcontext
@command_errors
def raise_instalments_command(as_of: Any) -> None:
    """Issue the invoices of pledge instalments that have fallen due (safe to run again)."""
    from catalog.core.audit import acting_as
    from catalog.finance import services

    day = as_of.date() if as_of else services.today()
    with acting_as(None), unit_of_work() as session:
        raised = services.raise_instalments(session, as_of=day, actor=None)
    click.echo(f"{len(raised)} instalment invoice(s) raised as of {day.isoformat()}.")


def register(app: Any) -> None:
    app.cli.add_command(finance_group)
