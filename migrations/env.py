"""Alembic environment: the database and metadata come from the running Catalog app."""

from __future__ import annotations

from alembic import context
from flask import current_app

from catalog.extensions import db

config = context.config
target_metadata = db.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # Tables made by the database itself (SQLite FTS shadow tables and the like) are not ours.
    if type_ == "table" and reflected and compare_to is None:
        return not (name.startswith("sqlite_") or name.endswith(("_fts", "_fts_data", "_fts_idx",
                    "_fts_docsize", "_fts_config", "_fts_content")))
    # Search indexes written in raw SQL (PostgreSQL full-text and trigram) are not in the metadata.
    if type_ == "index" and reflected and compare_to is None and name.endswith(("_tsv", "_trgm")):
        return False
    return True


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"],
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
