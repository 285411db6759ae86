"""``catalog dunning run [--as-of DATE] [--approve]``."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from catalog.cli import command_errors, fail, unit_of_work
from catalog.core.audit import acting_as


@click.group("dunning")
def dunning_group() -> None:
    """Reminders for overdue accounts."""


@dunning_group.command("run")
@click.option("--as-of", "as_of", default=None, help="Business date (YYYY-MM-DD); default today.")
@click.option("--approve", is_flag=True, help="Approve every proposed line and queue the messages.")
@click.option(
    "--as",
    "as_email",
    default=None,
    help="The user approving (needs finance.collect); required with --approve.",
)
@with_appcontext
@command_errors
def run_command(as_of: str | None, approve: bool, as_email: str | None) -> None:
    """Propose today's reminders (idempotent: a second run that day changes nothing)."""
    import sqlalchemy as sa

    from catalog.core.db import utcnow
    from catalog.receivables.dunning import approve_run, start_run
    from catalog.users.models import User

    try:
        day = date.fromisoformat(as_of) if as_of else utcnow().date()
    except ValueError:
        fail(f"{as_of!r} is not a date (YYYY-MM-DD)")
    with unit_of_work() as session:
        user = None
        if approve:
            if not as_email:
                fail("--approve needs --as EMAIL of the user who approves")
            user = session.scalar(sa.select(User).where(User.email == as_email.strip().lower()))
            if user is None:
                fail(f"no user with the address {as_email}")
        with acting_as(user):
            run = start_run(session, as_of=day, actor=None)
            proposed = [line for line in run.lines if line.status == "proposed"]
            skipped = [line for line in run.lines if line.status == "skipped"]
            sent = []
            if approve and proposed:
                sent = approve_run(
                    session,
                    run,
                    actor=user,
                    public_base_url=current_app.config["PUBLIC_BASE_URL"],
                    museum_name=current_app.config["MUSEUM_NAME"],
                    secret_key=current_app.config["SECRET_KEY"],
                )
    click.echo(
        f"Run {run.id} as of {day}: {len(proposed)} proposed, {len(skipped)} skipped"
        + (f", {len(sent)} approved and queued" if approve else "")
        + ". Review it at /receivables/runs/"
        + str(run.id)
    )
