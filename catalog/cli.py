"""The ``catalog`` command: a Flask CLI group with the project's commands.

Every command runs in one transaction (:func:`unit_of_work`) and reports bad input as a single
line on stderr with a non-zero exit status (:func:`fail`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import exc as sa_exc

from catalog.core.errors import DomainError


def fail(message: str) -> NoReturn:
    """Print one line to stderr and exit with status 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@contextmanager
def unit_of_work() -> Iterator[Any]:
    """Commit the CLI command's changes together, or none of them."""
    from catalog.extensions import db

    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def command_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain and input errors into the one-line CLI error."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            fail(exc.message)
        except (ValueError, OSError) as exc:
            fail(str(exc))
        except (sa_exc.OperationalError, sa_exc.ProgrammingError) as exc:
            # Usually a database that was never migrated, or one that cannot be reached.
            detail = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            fail(f"the database is not ready ({detail}); run `catalog db upgrade` first, "
                 "and check DATABASE_URL")

    return wrapper


def register_commands(app: Flask) -> None:
    from catalog.core import migrations

    app.cli.add_command(migrations.db_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)


@click.group("outbox")
def outbox_group() -> None:
    """The mail outbox."""


@outbox_group.command("send")
@click.option("--batch", default=50, show_default=True, help="Messages claimed per transaction.")
@with_appcontext
@command_errors
def outbox_send(batch: int) -> None:
    """Send pending mail over SMTP_URL."""
    from catalog.core.outbox import send_pending
    from catalog.extensions import db

    sent = send_pending(db.session, smtp_url=current_app.config["SMTP_URL"],
                        sender=current_app.config["MAIL_FROM"], batch=batch)
    click.echo(f"{sent} message(s) sent.")


@click.command("demo")
@with_appcontext
@command_errors
def demo_command() -> None:
    """Load a realistic demo museum (safe to run again)."""
    from catalog.demo import load_demo

    with unit_of_work() as session:
        report = load_demo(session)
    for line in report:
        click.echo(line)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=0, help="Run under gunicorn with this many workers.")
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve Catalog (development server, or gunicorn with --workers)."""
    if workers:
        import os

        # Replaces this process with gunicorn; the arguments are fixed, not user input.
        argv = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{host}:{port}",
                "catalog.wsgi:app"]
        os.execvp(sys.executable, argv)  # noqa: S606
    from werkzeug.serving import run_simple

    from catalog import create_app

    # Not app.run(): Flask ignores that inside a CLI command.
    run_simple(host, port, create_app(), threaded=True)


def _create_app() -> Flask:
    from catalog import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, add_default_commands=False, add_version_option=False,
                 help="Catalog: collections management for museums.")


def main() -> None:
    cli.main(prog_name="catalog")


if __name__ == "__main__":  # ``python -m catalog.cli …`` where the console script is not installed
    main()
