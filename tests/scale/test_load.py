"""A bounded load test on loopback: staff browse, scan moves and record payments at the same time
against gunicorn with two workers; no request fails and no acknowledged write is lost or doubled.

The same scenario, longer and with figures, is ``python -m bench.bench_load``.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench import scenario
from bench.loadgen import gunicorn, run_users
from catalog import create_app
from catalog.extensions import db
from tests.conftest import BACKENDS, drop_pg_database, make_database_url, test_config

pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
def served_database(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    url = make_database_url(request.param, tmp_path)
    app = create_app(test_config(url, tmp_path))
    with app.app_context():
        from catalog.core.migrations import upgrade

        upgrade()
        db.session.remove()
    yield app, url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


def test_browsing_scanning_and_paying_together_lose_nothing(served_database):
    app, url = served_database
    fixture = scenario.prepare(app, tag="load", objects=20, invoices=10)
    with gunicorn(url, workers=2) as port:
        users = ([scenario.browse_user(port, fixture, n) for n in range(3)]
                 + [scenario.scan_user(port, fixture, 10 + n) for n in range(2)]
                 + [scenario.pay_user(port, fixture, 20)])
        try:
            result = run_users(users, max_actions=120, max_seconds=40)
        finally:
            fixture.close()
    assert result.failures == []
    assert result.requests >= 30, "the run was too short to mean anything"
    assert fixture.scan_ids
    assert fixture.payments
    assert scenario.check_writes(app, fixture) == []
