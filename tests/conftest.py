"""Test fixtures: every database test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

- ``app`` is session-scoped per backend: a fresh SQLite file, or a fresh PostgreSQL database
  created on the server named by TEST_DATABASE_URL; the schema is made by the real migrations.
- ``db_session`` binds the session to one connection inside a transaction that is rolled back after
  the test (services' flushes and the request unit of work's commits become savepoints).
- ``committed_db`` is for tests that need real commits across connections (concurrency, CLI,
  browser): it empties every table afterwards.
- ``client`` (and any ``app.test_client()`` made during a ``db_session`` test) commits what the
  test set up before each request, as production only ever shows a request committed data; the
  commit only releases a savepoint, so the test is still rolled back.
- ``auth.login(role)`` creates a user and signs in; ``make_user(role, email=..., name=...)``.
- ``smtp_server`` is a real SMTP server on loopback (aiosmtpd): point ``SMTP_URL`` at
  ``smtp_server.url`` (``monkeypatch.setitem(app.config, "SMTP_URL", smtp_server.url)``) and
  read ``smtp_server.messages`` (parsed e-mails) or ``smtp_server.subjects``.
- Browser tests: see ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from catalog import create_app
from catalog.extensions import db

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TEST_PASSWORD = "correct-horse-battery"

BACKENDS = ["sqlite"]
if os.environ.get("TEST_DATABASE_URL"):
    BACKENDS.append("postgresql")


def _pg_server_url() -> sa.URL:
    from catalog.config import normalise_database_url

    return sa.make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))


def create_pg_database() -> str:
    """Create an empty PostgreSQL database for this run and return its URL."""
    server = _pg_server_url()
    name = f"catalog_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = sa.make_url(url).database
    assert name
    assert re.fullmatch(r"catalog_test_\w+", name)
    engine = sa.create_engine(_pg_server_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def make_database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        return create_pg_database()
    return f"sqlite:///{tmp_path / 'catalog.db'}"


def test_config(database_url: str, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        "MEDIA_DIR": str(tmp_path / "media"),
        "PUBLIC_BASE_URL": "http://catalog.test",
        "SMTP_URL": "smtp://127.0.0.1:1",
        "MUSEUM_TIMEZONE": "Europe/London",
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # type: ignore[attr-defined]  (a helper, not a test)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    url = make_database_url(backend, tmp)
    application = create_app(test_config(url, tmp))
    with application.app_context():
        from catalog.core.migrations import upgrade

        upgrade()
        db.session.remove()
        application.extensions["test_seed_rows"] = _snapshot_seed_rows()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        drop_pg_database(url)


class _SetUpFirstClient(FlaskClient):
    """Test client that commits what the test set up before each request.

    In production a request only ever sees committed data; without this, a GET request's
    rollback (the unit of work ends every request's transaction) would also roll back the
    records the test had just made. Inside ``db_session`` the commit only releases a savepoint:
    the outer transaction is still rolled back after the test.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def db_session(app: Any) -> Iterator[Any]:
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        db.session.remove()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        app.test_client_class = _SetUpFirstClient
        try:
            yield db.session
        finally:
            app.test_client_class = None
            db.session.remove()
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            if transaction.is_active:
                transaction.rollback()
            connection.close()


def _snapshot_seed_rows() -> dict[str, list[dict[str, Any]]]:
    """Rows the migrations seed (vocabularies, number schemes, chart of accounts …)."""
    seed: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in conn.execute(sa.select(table))]
            if rows:
                seed[table.name] = rows
    return seed


def _restore_seed_rows(conn: Any, seed: dict[str, list[dict[str, Any]]]) -> None:
    for table in db.metadata.sorted_tables:
        rows = seed.get(table.name)
        if not rows:
            continue
        conn.execute(sa.insert(table), rows)
        if conn.dialect.name == "postgresql" and "id" in table.c and len(table.primary_key) == 1:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'(SELECT max(id) FROM "{table.name}"))'
            )


def truncate_all(application: Any) -> None:
    """Empty every table, then put back the rows the migrations seeded.

    Append-only triggers refuse DELETE, so PostgreSQL uses TRUNCATE (not a DELETE) and SQLite
    drops the triggers for the clean-up and recreates them.
    """
    with application.app_context():
        engine = db.engine
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE")
            else:
                triggers = conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type='trigger'").fetchall()
                for name, _ in triggers:
                    conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
                for table in tables:
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')
                for _, sql in triggers:
                    conn.exec_driver_sql(sql)
                # External-content FTS indexes missed those deletes (their triggers were off).
                for (name,) in conn.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type='table' "
                        "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'").fetchall():
                    conn.exec_driver_sql(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
            _restore_seed_rows(conn, application.extensions["test_seed_rows"])
        from catalog.users.services import sync_permissions

        sync_permissions(db.session)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def committed_db(app: Any) -> Iterator[Any]:
    """The real database with real commits; emptied after the test."""
    with app.app_context():
        yield db.session
        db.session.remove()
    truncate_all(app)


@pytest.fixture
def make_user(db_session: Any) -> Callable[..., Any]:
    from catalog.users.services import create_user

    counter = iter(range(1, 10_000))

    def factory(role: str = "registrar", email: str | None = None, **kw: Any) -> Any:
        email = email or f"{role}{next(counter)}@example.org"
        return create_user(db_session, email=email, password=kw.pop("password", TEST_PASSWORD),
                           role_codes=[role] if isinstance(role, str) else list(role), **kw)

    return factory


@pytest.fixture
def client(app: Any, db_session: Any) -> Any:
    """A test client whose requests see what the test set up.

    Records a test creates directly stand for records committed by earlier requests, so they
    are committed (to a savepoint of the test's outer transaction) before each request; otherwise
    a GET's rollback would discard them.
    """
    from flask.testing import FlaskClient

    class CommittingClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            db_session.commit()
            return super().open(*args, **kwargs)

    app.test_client_class = CommittingClient
    try:
        return app.test_client()
    finally:
        app.test_client_class = None


class AuthActions:
    def __init__(self, client: Any, make_user: Callable[..., Any]) -> None:
        self.client = client
        self.make_user = make_user
        self.user: Any = None

    def login(self, role: str = "registrar", **kw: Any) -> Any:
        """Create a user with ``role`` and sign in as them; returns the user."""
        self.user = self.make_user(role, **kw)
        response = self.client.post("/login", data={"email": self.user.email,
                                                    "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return self.user

    def logout(self) -> None:
        self.client.post("/logout")


@pytest.fixture
def auth(client: Any, make_user: Callable[..., Any]) -> AuthActions:
    return AuthActions(client, make_user)


@pytest.fixture
def count_queries(app: Any) -> Callable[[], Any]:
    """Context manager counting SQL statements: ``with count_queries() as counter: ...``."""
    from contextlib import contextmanager

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counter


class SmtpCollector:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        import threading

        self.messages: list[Any] = []
        self.delay = 0.0  # seconds to wait per message, to make concurrent senders overlap
        self._lock = threading.Lock()
        self.url = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio
        import email
        from email import policy

        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    @property
    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpCollector]:
    """``smtp_server.url`` for SMTP_URL; ``smtp_server.messages`` are the parsed e-mails."""
    from aiosmtpd.controller import Controller

    collector = SmtpCollector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    collector.url = f"smtp://127.0.0.1:{port}"
    try:
        yield collector
    finally:
        controller.stop()
