"""The schema is made by the migrations alone, and they match the models on both databases."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from catalog import create_app
from catalog.core.migrations import alembic_config, include_object
from catalog.extensions import db
from tests.conftest import drop_pg_database, make_database_url, test_config


@pytest.fixture
def fresh_app(backend: str, tmp_path: Any) -> Any:
    url = make_database_url(backend, tmp_path)
    application = create_app(test_config(url, tmp_path))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        drop_pg_database(url)


def test_there_is_exactly_one_head(app: Any) -> None:
    with app.app_context():
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several migration heads, merge them into one line: {heads}"


def test_upgrade_on_an_empty_database_matches_the_models(fresh_app: Any) -> None:
    with fresh_app.app_context():
        command.upgrade(alembic_config(), "head")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": include_object,
            })  # fmt: skip
            diff = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert diff == [], f"models and migrations differ; write a migration: {diff}"
        assert set(db.metadata.tables) <= tables


def test_downgrade_to_base_and_up_again(fresh_app: Any) -> None:
    with fresh_app.app_context():
        command.upgrade(alembic_config(), "head")
        command.downgrade(alembic_config(), "base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
        command.upgrade(alembic_config(), "head")


def test_db_upgrade_command_also_loads_roles_and_permissions(fresh_app: Any) -> None:
    result = fresh_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    with fresh_app.app_context():
        from catalog.users.models import Role

        codes = set(db.session.scalars(sa.select(Role.code)))
        db.session.remove()
    assert {"admin", "registrar", "collections_manager", "conservator", "technician",
            "finance_officer", "finance_manager", "viewer"} <= codes
