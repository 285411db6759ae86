"""The load scenario: staff browsing, scanning moves and recording payments at the same time.

``prepare`` puts what the users need into the database (a sign-in, an API token, a store with
shelves, objects, a payer with open invoices); the ``*_user`` factories make the user functions
for ``bench.loadgen.run_users``; ``check_writes`` then compares what the server acknowledged with
what is in the database, so a lost or doubled write fails the run.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bench.loadgen import Browser, LoadResult
from catalog.finance.services import today as finance_today

PASSWORD = "load-test-password-1"


@dataclass
class Fixture:
    email: str
    token: str
    object_ids: list[int]
    object_numbers: list[str]
    shelf_codes: list[str]
    location_ids: list[int]
    party_id: int
    invoice_ids: list[int]
    search_terms: list[str]
    #: what the server acknowledged, filled in by the users
    scan_ids: set[str] = field(default_factory=set)
    payments: list[int] = field(default_factory=list)
    accessioned: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    browsers: list[Browser] = field(default_factory=list)

    def browser(self, port: int, token: str | None = None) -> Browser:
        """A new user agent on ``port``, closed by :meth:`close`."""
        browser = Browser(port, token=token)
        with self.lock:
            self.browsers.append(browser)
        return browser

    def close(self) -> None:
        for browser in self.browsers:
            browser.close()
        self.browsers.clear()


def prepare(app: Any, *, tag: str, objects: int = 50, invoices: int = 20) -> Fixture:
    """Create the users' data (committed). ``tag`` keeps several runs on one database apart."""
    from catalog.core.audit import acting_as
    from catalog.extensions import db
    from catalog.finance import services as finance
    from catalog.locations.models import Location
    from catalog.objects.models import CatalogueObject
    from catalog.objects.services import create_object
    from catalog.parties.models import Party
    from catalog.users.services import create_token, create_user

    with app.app_context():
        session = db.session
        email = f"load-{tag}@example.org"
        user = create_user(session, email=email, password=PASSWORD, role_codes=["admin"])
        session.flush()
        with acting_as(user):
            _, token = create_token(session, user, name=f"load {tag}")
            room = Location(code=f"LOAD-{tag}", name=f"Load room {tag}", kind="room")
            session.add(room)
            session.flush()
            shelves = [Location(code=f"LOAD-{tag}-{n}", name=f"Shelf {n}", kind="shelf",
                                parent_id=room.id) for n in range(5)]
            session.add_all(shelves)
            session.flush()
            have = list(session.execute(
                sa.select(CatalogueObject.id, CatalogueObject.object_number)
                .order_by(CatalogueObject.id).limit(objects)))
            for n in range(len(have), objects):
                obj = create_object(session, actor=user, object_number=f"LOAD.{tag}.{n + 1}",
                                    title=f"Stoneware jug {n + 1}", object_name="jug",
                                    brief_description="Salt-glazed stoneware jug.")
                have.append((obj.id, obj.object_number))
            party = Party(name=f"Lender {tag}", sort_name=f"Lender {tag}", kind="organisation")
            session.add(party)
            session.flush()
            invoice_ids = []
            for _ in range(invoices):
                invoice = finance.create_invoice(session, party=party, kind="loan_fee",
                                                 actor=user)
                finance.add_line(session, invoice, description="Loan fee", quantity=1,
                                 unit_price_minor=100_000, actor=user)
                finance.issue_invoice(session, invoice, actor=user)
                invoice_ids.append(invoice.id)
        session.commit()
        fixture = Fixture(email=email, token=token, object_ids=[i for i, _ in have],
                          object_numbers=[n for _, n in have],
                          shelf_codes=[s.code for s in shelves],
                          location_ids=[room.id] + [s.id for s in shelves],
                          party_id=party.id, invoice_ids=invoice_ids,
                          search_terms=["jug", "portrait", "landscape", "Turner", "print"])
        db.session.remove()
    return fixture


def signed_in(port: int, fixture: Fixture) -> Browser:
    browser = fixture.browser(port)
    browser.login(fixture.email, PASSWORD)
    return browser


def browse_user(port: int, fixture: Fixture, seed: int) -> Any:
    """Opens record pages, searches and location pages; every answer must be a 200."""
    browser = signed_in(port, fixture)
    rng = random.Random(seed)

    def act(result: LoadResult, n: int) -> None:
        kind = rng.choice(["record", "record", "search", "location"])
        if kind == "record":
            path = f"/objects/{rng.choice(fixture.object_ids)}"
        elif kind == "search":
            path = f"/search/?q={rng.choice(fixture.search_terms)}"
        else:
            path = f"/locations/{rng.choice(fixture.location_ids)}"
        response = browser.get(path)
        if response.status != 200:
            result.fail(f"GET {path} → {response.status}")
        result.add(kind, response.ms)

    return act


def scan_user(port: int, fixture: Fixture, seed: int) -> Any:
    """Scans objects onto shelves through the API; one scan in five is resent (same client_id),
    as a device does after a lost answer: the resend must be recognised, not recorded twice."""
    api = fixture.browser(port, token=fixture.token)
    rng = random.Random(seed)
    sent: list[str] = []

    def act(result: LoadResult, n: int) -> None:
        client_id = rng.choice(sent) if sent and rng.random() < 0.2 else str(uuid.uuid4())
        body = {"client_id": client_id, "mode": "move",
                "code": rng.choice(fixture.object_numbers),
                "location_code": rng.choice(fixture.shelf_codes)}
        response = api.request("POST", "/api/v1/scans/", json_body=body)
        result.add("scan", response.ms)
        if response.status not in (200, 201):
            result.fail(f"scan → {response.status} {response.text[:200]}")
            return
        if (response.status == 200) != (client_id in sent):
            result.fail(f"scan {client_id}: {response.status} but sent before: "
                        f"{client_id in sent}")
        sent.append(client_id)
        with fixture.lock:
            fixture.scan_ids.add(client_id)

    return act


def pay_user(port: int, fixture: Fixture, seed: int) -> Any:
    """Records small payments from the lender (oldest invoice first) through the web form."""
    browser = signed_in(port, fixture)
    path = f"/finance/payments/new?party_id={fixture.party_id}"

    def act(result: LoadResult, n: int) -> None:
        response = browser.post_form(path, {
            "party_id": fixture.party_id, "amount": "10.00", "currency": "GBP",
            "received_on": finance_today().isoformat(), "method": "card",
            "reference": f"load {seed}-{n}", "mode": "oldest"})
        result.add("payment", response.ms)
        if response.status != 302:
            result.fail(f"payment → {response.status}")
            return
        payment_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
        with fixture.lock:
            fixture.payments.append(payment_id)

    return act


def check_writes(app: Any, fixture: Fixture) -> list[str]:
    """Compare acknowledged writes with the database; returns the problems found."""
    from catalog.extensions import db
    from catalog.finance import ledger
    from catalog.finance.models import Payment
    from catalog.scanning.models import Scan

    problems = []
    with app.app_context():
        session = db.session
        if fixture.scan_ids:
            stored = list(session.scalars(sa.select(Scan.client_id).where(
                Scan.client_id.in_(sorted(fixture.scan_ids)))))
            if sorted(stored) != sorted(fixture.scan_ids):
                problems.append(f"scans: {len(fixture.scan_ids)} acknowledged, "
                                f"{len(stored)} stored ({len(set(stored))} distinct)")
        payments = set(session.scalars(sa.select(Payment.id).where(
            Payment.party_id == fixture.party_id)))
        if payments != set(fixture.payments):
            problems.append(f"payments: {len(fixture.payments)} acknowledged, "
                            f"{len(payments)} stored")
        for invoice_id in fixture.invoice_ids:
            balance = ledger.invoice_balance(session, invoice_id)
            if balance < 0:
                problems.append(f"invoice {invoice_id} over-allocated: balance {balance}")
        db.session.remove()
    return problems
