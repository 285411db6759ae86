"""Two real app processes (gunicorn) against ONE PostgreSQL database stay correct together.

Accessioning from both (numbers from the same scheme stay distinct), two clerks paying the same
invoice at once from different servers (no over-allocation), and scans sent to both servers —
including the same scan resent to the other server — recorded exactly once.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from bench import scenario
from bench.loadgen import gunicorn
from catalog import create_app
from catalog.extensions import db
from catalog.finance.services import today as finance_today
from tests.conftest import create_pg_database, drop_pg_database, test_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                       reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    url = create_pg_database()
    application = create_app(test_config(url, tmp_path_factory.mktemp("two")))
    with application.app_context():
        from catalog.core.migrations import upgrade

        upgrade()
        db.session.remove()
    yield application, url
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_pg_database(url)


@pytest.fixture(scope="module")
def two_servers(pg_app: Any) -> Any:
    app, url = pg_app
    fixture = scenario.prepare(app, tag="two", objects=10, invoices=1)
    logs = {"LOG_FORMAT": "json", "ACCESS_LOG": "1", "LOG_LEVEL": "INFO"}
    with gunicorn(url, workers=1, **logs) as first, gunicorn(url, workers=1, **logs) as second:
        yield app, fixture, (first, second)
        fixture.close()


def both(ports: tuple[int, int], work: Any, per_server: int) -> list[Any]:
    """Run ``work(port, n)`` ``per_server`` times on each server, all at once."""
    start = threading.Barrier(len(ports) * per_server)

    def call(args: tuple[int, int]) -> Any:
        start.wait(timeout=30)
        return work(*args)

    jobs = [(port, n) for port in ports for n in range(per_server)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(call, jobs))


def test_accessioning_from_two_servers_gives_distinct_numbers(two_servers):
    _app, fixture, ports = two_servers
    browsers = {port: [scenario.signed_in(port, fixture) for _ in range(3)] for port in ports}

    def accession(port: int, n: int) -> str:
        response = browsers[port][n].post_form("/objects/new", {
            "scheme": "accession", "status": "accessioned", "title": f"Jug {port}-{n}",
            "object_name": "jug", "number_of_objects": "1",
            "brief_description": "Salt-glazed stoneware jug."})
        assert response.status == 302, (response.status, response.text[-800:])
        page = browsers[port][n].get(response.headers["location"])
        return re.search(r"Object (\S+) created", page.text).group(1)

    numbers = both(ports, accession, per_server=3)
    assert len(numbers) == 6
    assert len(set(numbers)) == 6, numbers


def test_one_invoice_paid_from_two_servers_is_not_over_allocated(two_servers):
    app, fixture, ports = two_servers
    invoice_id = fixture.invoice_ids[0]
    browsers = {port: scenario.signed_in(port, fixture) for port in ports}

    def pay_in_full(port: int, n: int) -> int:
        browser = browsers[port]
        path = f"/finance/payments/new?party_id={fixture.party_id}"
        response = browser.post_form(path, {
            "party_id": fixture.party_id, "amount": "1000.00", "currency": "GBP",
            "received_on": finance_today().isoformat(), "method": "card", "mode": "manual",
            f"alloc-{invoice_id}": "1000.00"})
        return response.status

    statuses = both(ports, pay_in_full, per_server=1)
    assert sorted(statuses) == [302, 422], statuses
    from catalog.finance import ledger
    from catalog.finance.models import Payment

    with app.app_context():
        assert ledger.invoice_balance(db.session, invoice_id) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(
            Payment.party_id == fixture.party_id)) == 1
        db.session.remove()


def test_scans_sent_to_both_servers_are_recorded_once(two_servers):
    app, fixture, ports = two_servers
    client_ids = [str(uuid.uuid4()) for _ in range(4)]
    apis = {(port, n): fixture.browser(port, token=fixture.token) for port in ports
            for n in range(4)}

    def scan(port: int, n: int) -> int:
        # Every scan goes to BOTH servers at the same moment: a device retrying elsewhere.
        response = apis[(port, n)].request("POST", "/api/v1/scans/", json_body={
            "client_id": client_ids[n], "mode": "move", "code": fixture.object_numbers[n],
            "location_code": fixture.shelf_codes[n % len(fixture.shelf_codes)]})
        assert response.status in (200, 201), (response.status, response.text[:300])
        return response.json()["id"]

    ids = both(ports, scan, per_server=4)
    for n in range(4):
        assert ids[n] == ids[4 + n], "both servers answer with the one recorded scan"
    from catalog.locations.models import Movement
    from catalog.scanning.models import Scan

    with app.app_context():
        stored = list(db.session.scalars(sa.select(Scan).where(Scan.client_id.in_(client_ids))))
        assert len(stored) == 4
        moves = db.session.scalar(sa.select(sa.func.count()).select_from(Movement).where(
            Movement.id.in_([s.movement_id for s in stored if s.movement_id])))
        assert moves == sum(1 for s in stored if s.movement_id)
        db.session.remove()


def test_both_servers_answer_health_and_log_json_lines(two_servers):
    _app, fixture, ports = two_servers
    for port in ports:
        assert fixture.browser(port).get("/health").status == 200
    for port in ports:
        with open(f"/tmp/catalog-gunicorn-{port}.log", encoding="utf-8") as handle:
            entries = [json.loads(line) for line in handle if line.startswith("{")]
        health = [e for e in entries if e.get("logger") == "catalog.access"
                  and e.get("path") == "/health"]
        assert health, f"no JSON access line for /health from the server on {port}"
        assert health[-1]["status"] == 200
        assert health[-1]["request_id"]
