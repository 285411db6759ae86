"""Shared set-up of the benchmarks: a catalogue of N objects, a signed-in test client, timing.

The database is named by BENCH_DATABASE_URL (default: a SQLite file in /tmp). It is created and
filled by bench/generate.py on first use and reused afterwards.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

DEFAULT_URL = "sqlite:////tmp/catalog-bench.db"
PASSWORD = "bench-password-123"
EMAIL = "bench@example.org"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def make_app(url: str | None = None) -> Any:
    from catalog import create_app

    tmp = Path("/tmp/catalog-bench-media")
    tmp.mkdir(exist_ok=True)
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url or database_url(), "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_FAST": True, "MEDIA_DIR": str(tmp),
        "LOG_LEVEL": "WARNING", "TESTING": False,
    })  # fmt: skip


def object_count(app: Any) -> int:
    from catalog.extensions import db
    from catalog.objects.models import CatalogueObject

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueObject)) or 0


def signed_in_client(app: Any) -> Any:
    from catalog.extensions import db
    from catalog.users.models import User
    from catalog.users.services import create_user

    with app.app_context():
        if db.session.scalar(sa.select(User).where(User.email == EMAIL)) is None:
            create_user(db.session, email=EMAIL, password=PASSWORD, role_codes=["registrar"])
            db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95)}


@contextmanager
def captured_sql(app: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (with its parameters) the app sends while the block runs."""
    from catalog.extensions import db

    statements: list[tuple[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                      "RELEASE", "PRAGMA")):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def replay(app: Any, statements: list[tuple[str, Any]]) -> Callable[[], None]:
    """A function running the same SQL on a bare DB-API cursor (no Flask, no ORM, no template)."""
    from catalog.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()

    def run() -> None:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        raw.rollback()

    return run


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(_fmt(row.get(c)).ljust(widths[c]) for c in columns))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)
