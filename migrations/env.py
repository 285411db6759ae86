"""Alembic environment: the database and metadata come from the running Catalog app."""

from __future__ import annotations

from alembic import context
from flask import current_app

from catalog.core.migrations import include_object
from catalog.extensions import db

config = context.config
target_metadata = db.metadata


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a SQLite table by DROP + CREATE; with foreign keys on,
            # dropping a table that other rows point at (payments → allocations) fails, so a
            # database with data could not be upgraded (found on the benchmark catalogue).
            # The pragma only works outside a transaction: set it on the driver connection
            # before the migration's transaction begins, check the keys after, and drop the connection.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left broken references: {broken[:5]}")
        if sqlite:
            # Never hand this connection (keys off) back to the pool: the next one is made
            # afresh, and the app's connect hook turns the keys on again.
            connection.invalidate()


if context.is_offline_mode():
    context.configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"],
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
