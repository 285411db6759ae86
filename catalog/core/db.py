"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.session import Session as _FlaskSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names are predictable so that Alembic can alter and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Session(_FlaskSession):
    """Flask-SQLAlchemy session that honours an explicit ``bind``.

    Tests bind the session to one connection inside an outer transaction that is rolled back;
    Flask-SQLAlchemy's own ``get_bind`` would otherwise go back to the engine.
    """

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend.

    SQLite has no time zones: values are stored naive in UTC and made aware again on load.
    Naive datetimes are refused so that a local time can never slip in unnoticed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Catalog stores time in UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class TimestampMixin:
    """``created_at`` / ``updated_at`` columns, set by the application in UTC."""

    #: when the record was first saved
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: when the record was last changed
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def configure_sqlite(engine: sa.Engine) -> None:
    """Make SQLite behave as Catalog needs: foreign keys, WAL, waiting on locks, real savepoints.

    pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself
    (the documented recipe); writes (unsafe HTTP methods, CLI commands) begin IMMEDIATE so that two
    writers queue on the lock instead of failing when one upgrades a read snapshot.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _is_write_context() else "BEGIN")


def _is_write_context() -> bool:
    from flask import has_request_context, request

    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS")
    return True
